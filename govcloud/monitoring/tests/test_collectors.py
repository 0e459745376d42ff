"""The drivers' collector against libvirt's test hypervisor (`test:///default`, a real libvirt
connection): the usage of each cloud host in service goes through the same ingest path as pushed
samples (actor SYSTEM)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from govcloud.core.actors import SYSTEM
from govcloud.delivery.drivers.base import HostSpec
from govcloud.ledger import services as ledger_services
from govcloud.monitoring import collectors
from govcloud.monitoring.models import DriverReading, IngestBatch, Sample, SampleSource
from govcloud.monitoring.tests.conftest import NOW, host

pytestmark = pytest.mark.django_db


def metrics(resource):
    return dict(Sample.objects.filter(resource=resource).values_list("metric", "value"))


def test_driver_usage_becomes_samples_through_the_ingest_path(mon, libvirt_hosts, frozen):
    cloud = libvirt_hosts
    vm = host(mon.city.dept_a, "云主机", vcpu=2, memory=4, provider_ref="pending")
    cloud.create(vm.code, HostSpec(vcpu=2, memory_gb=4, system_disk_gb=50, data_disk_gb=100))
    gone = host(mon.city.dept_b, "云上已删除", provider_ref="gone")  # no domain in the cloud
    ended = host(mon.city.dept_b, "已终止", provider_ref="ended")
    ledger_services.resource_terminate(actor=SYSTEM, resource=ended, at=NOW - timedelta(days=1))

    first = collectors.driver_usage_collect(actor=SYSTEM)
    assert first == {"resources": 2, "accepted": 2, "rejected": 0, "failures": 1}
    assert metrics(vm) == {"memory_percent": 100.0, "disk_used_gb": 150.0}
    assert not Sample.objects.filter(resource__in=[gone, ended]).exists()
    stamp = NOW.replace(second=0, microsecond=0)
    assert set(Sample.objects.values_list("at", flat=True)) == {stamp}
    assert set(Sample.objects.values_list("source", flat=True)) == {SampleSource.DRIVER}
    reading = DriverReading.objects.get(resource=vm)
    assert reading.driver == "libvirt" and reading.cpu_time_ns > 0 and reading.at == stamp

    # The same minute again stores nothing twice.
    collectors.driver_usage_collect(actor=SYSTEM)
    assert Sample.objects.count() == 2

    # Five minutes later the CPU time has a predecessor: CPU % appears, within its range.
    frozen.shift(timedelta(minutes=5))
    collectors.driver_usage_collect(actor=SYSTEM)
    cpu = Sample.objects.get(resource=vm, metric="cpu_percent")
    assert 0 <= cpu.value <= 100 and cpu.at == stamp + timedelta(minutes=5)
    assert Sample.objects.filter(resource=vm).count() == 5
    assert IngestBatch.objects.filter(source=SampleSource.DRIVER).count() == 3


def test_cpu_percent_from_the_growth_of_cpu_time(mon):
    from govcloud.delivery.drivers.base import Usage

    previous = DriverReading(resource=mon.a_host, driver="x", at=NOW - timedelta(minutes=5), cpu_time_ns=10**9)
    # 4 vCPUs, 5 minutes: 4 × 300 s of CPU available; 60 s used = 5 %.
    usage = Usage(ref=mon.a_host.code, cpu_time_ns=10**9 + 60 * 10**9, memory_gb=2.0, disk_allocated_gb=20.0)
    samples = {s["metric"]: s["value"] for s in collectors.usage_samples(mon.a_host, usage, previous, NOW)}
    assert samples == {"cpu_percent": pytest.approx(5.0), "memory_percent": 25.0, "disk_used_gb": 20.0}
    # A counter that went backwards (the guest rebooted) gives no CPU sample.
    reset = Usage(ref=mon.a_host.code, cpu_time_ns=5, memory_gb=2.0)
    assert "cpu_percent" not in {s["metric"] for s in collectors.usage_samples(mon.a_host, reset, previous, NOW)}


def test_no_automatic_driver_means_nothing_to_collect(mon, settings):
    settings.DELIVERY_DRIVERS = {}
    assert collectors.driver_usage_collect(actor=SYSTEM) == {
        "resources": 0,
        "accepted": 0,
        "rejected": 0,
        "failures": 0,
    }


def test_the_scheduler_runs_the_collector_rollups_and_retention():
    from govcloud.schedule import PERIODIC_JOBS

    tasks = {job.task for job in PERIODIC_JOBS}
    assert {
        "govcloud.monitoring.tasks.driver_usage_collect_task",
        "govcloud.monitoring.tasks.rollups_hourly_task",
        "govcloud.monitoring.tasks.rollups_daily_task",
        "govcloud.monitoring.tasks.samples_purge_task",
    } <= tasks


def test_the_tasks_run_the_services_as_the_platform(mon):
    from govcloud.monitoring import services, tasks
    from govcloud.monitoring.models import Period, Rollup

    hour = NOW.replace(hour=8, minute=0)
    services.samples_ingest(
        actor=SYSTEM,
        source=SampleSource.PUSH,
        samples=[{"resource": mon.a_host.code, "metric": "cpu_percent", "time": hour.isoformat(), "value": 12}],
    )
    assert tasks.rollups_hourly_task.call() == 1
    assert tasks.rollups_daily_task.call() == 0  # today has not ended
    assert tasks.samples_purge_task.call() == 0
    assert Rollup.objects.get(period=Period.HOUR).avg == 12.0
