"""Rollups (汇总) and retention: hourly and daily average, peak and 95th percentile per resource and
metric, set-based; safe to run again; late samples rolled up again; raw samples purged after the
policy's days while the rollups stay."""

from __future__ import annotations

import math
import random
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied

from govcloud.audit.models import AuditEvent
from govcloud.core.actors import SYSTEM
from govcloud.monitoring import services
from govcloud.monitoring.models import PendingRollup, Period, Rollup, Sample, SampleSource
from govcloud.monitoring.signals import rollups_done
from govcloud.monitoring.tests.conftest import NOW

pytestmark = pytest.mark.django_db

HOUR = NOW.replace(hour=8, minute=0)  # 08:00–09:00 local, ended before NOW (10:30)
DAY = NOW.replace(hour=0, minute=0) - timedelta(days=1)  # yesterday, local


def push(resource, metric, values, start, step=timedelta(minutes=1)):
    samples = [
        {"resource": resource.code, "metric": metric, "time": (start + i * step).isoformat(), "value": v}
        for i, v in enumerate(values)
    ]
    result = services.samples_ingest(actor=SYSTEM, source=SampleSource.PUSH, samples=samples)
    assert not result.rejections, result.rejections[:3]


def nearest_rank_p95(values):
    ordered = sorted(values)
    return ordered[math.ceil(0.95 * len(ordered)) - 1]


def rollup(resource, metric, period, start):
    return Rollup.objects.get(resource=resource, metric=metric, period=period, start=start)


def test_hourly_rollup_has_average_peak_and_p95_per_resource_and_metric(mon):
    rng = random.Random(13)
    cpu = [rng.uniform(0, 100) for _ in range(60)]
    memory = [float(v) for v in range(1, 21)]  # 20 values: p95 is the 19th
    push(mon.a_host, "cpu_percent", cpu, HOUR)
    push(mon.a_host, "memory_percent", memory, HOUR, step=timedelta(minutes=3))
    push(mon.b_host, "cpu_percent", [5.0], HOUR + timedelta(minutes=59))
    push(mon.b_host, "cpu_percent", [90.0], HOUR + timedelta(minutes=60))  # the next hour
    run = services.rollups_run(actor=SYSTEM, period=Period.HOUR)
    assert run.buckets == [HOUR, HOUR + timedelta(hours=1)]
    r = rollup(mon.a_host, "cpu_percent", Period.HOUR, HOUR)
    assert r.count == 60 and r.avg == pytest.approx(sum(cpu) / 60) and r.max == max(cpu)
    assert r.p95 == nearest_rank_p95(cpu)
    m = rollup(mon.a_host, "memory_percent", Period.HOUR, HOUR)
    assert (m.count, m.avg, m.max, m.p95) == (20, 10.5, 20.0, 19.0)
    b = rollup(mon.b_host, "cpu_percent", Period.HOUR, HOUR)
    assert (b.count, b.avg, b.max, b.p95) == (1, 5.0, 5.0, 5.0)
    assert rollup(mon.b_host, "cpu_percent", Period.HOUR, HOUR + timedelta(hours=1)).max == 90.0


@pytest.mark.parametrize(
    "values, p95",
    [
        ([7.0], 7.0),
        ([1.0, 2.0], 2.0),
        ([float(v) for v in range(1, 101)], 95.0),
        ([float(v) for v in range(1, 102)], 96.0),
    ],
)
def test_p95_is_the_nearest_rank(mon, values, p95):
    random.Random(1).shuffle(values)
    push(mon.a_host, "disk_iops", values, HOUR, step=timedelta(seconds=30))
    services.rollups_run(actor=SYSTEM, period=Period.HOUR)
    assert rollup(mon.a_host, "disk_iops", Period.HOUR, HOUR).p95 == p95 == nearest_rank_p95(values)


def test_daily_rollup_is_computed_from_the_raw_samples_of_the_local_day(mon):
    values = [float(i % 100) for i in range(24 * 12)]  # every 5 minutes, yesterday
    push(mon.a_host, "cpu_percent", values, DAY, step=timedelta(minutes=5))
    # Just before and after the local day: not part of it.
    push(mon.a_host, "cpu_percent", [100.0], DAY - timedelta(minutes=1))
    push(mon.a_host, "cpu_percent", [100.0], DAY + timedelta(days=1))
    run = services.rollups_run(actor=SYSTEM, period=Period.DAY)
    # Yesterday and the day before have ended; today has not and stays pending.
    assert run.buckets == [DAY - timedelta(days=1), DAY]
    assert PendingRollup.objects.filter(period=Period.DAY).get().start == DAY + timedelta(days=1)
    r = rollup(mon.a_host, "cpu_percent", Period.DAY, DAY)
    assert r.count == 288 and r.avg == pytest.approx(sum(values) / 288) and r.max == 99.0
    assert r.p95 == nearest_rank_p95(values)


def test_running_again_gives_the_same_rows_and_late_samples_are_rolled_up_again(mon):
    push(mon.a_host, "cpu_percent", [10.0, 20.0, 30.0], HOUR)
    services.rollups_run(actor=SYSTEM, period=Period.HOUR)
    first = list(Rollup.objects.values_list("resource", "metric", "period", "start", "avg", "max", "p95", "count"))
    # Nothing pending: a second run does nothing; rolling the bucket up by hand again changes nothing.
    assert services.rollups_run(actor=SYSTEM, period=Period.HOUR).buckets == []
    services.rollup_bucket(period=Period.HOUR, start=HOUR)
    again = list(Rollup.objects.values_list("resource", "metric", "period", "start", "avg", "max", "p95", "count"))
    assert again == first
    # A late sample marks its hour again; the next run includes it.
    push(mon.a_host, "cpu_percent", [80.0], HOUR + timedelta(minutes=30))
    assert services.rollups_run(actor=SYSTEM, period=Period.HOUR).buckets == [HOUR]
    r = rollup(mon.a_host, "cpu_percent", Period.HOUR, HOUR)
    assert (r.count, r.avg, r.max) == (4, 35.0, 80.0) and Rollup.objects.count() == 1


def test_rollups_done_is_the_hook_for_alert_rules(mon):
    seen = []

    def receiver(sender, period, starts, **kwargs):
        seen.append((period, starts))

    rollups_done.connect(receiver)
    try:
        push(mon.a_host, "cpu_percent", [10.0], HOUR)
        services.rollups_run(actor=SYSTEM, period=Period.HOUR)
        services.rollups_run(actor=SYSTEM, period=Period.HOUR)  # nothing new: no signal
    finally:
        rollups_done.disconnect(receiver)
    assert seen == [("hour", [HOUR])]


def test_rebuild_marks_the_buckets_of_a_range(mon):
    push(mon.a_host, "cpu_percent", [10.0], HOUR)
    services.rollups_run(actor=SYSTEM, period=Period.HOUR)
    services.rollups_run(actor=SYSTEM, period=Period.DAY)
    Rollup.objects.update(avg=0)
    marked = services.rollups_rebuild(actor=SYSTEM, since=HOUR, until=HOUR + timedelta(hours=2))
    assert marked == 3  # two hours and their day
    services.rollups_run(actor=SYSTEM, period=Period.HOUR)
    assert rollup(mon.a_host, "cpu_percent", Period.HOUR, HOUR).avg == 10.0


def test_retention_removes_old_raw_samples_and_keeps_rollups(mon, frozen):
    push(mon.a_host, "cpu_percent", [10.0, 30.0], HOUR)
    services.rollups_run(actor=SYSTEM, period=Period.HOUR)
    assert services.samples_purge(actor=SYSTEM) == 0  # nothing old yet
    assert not AuditEvent.objects.filter(action="monitoring.samples_purge").exists()
    frozen.shift(timedelta(days=35, hours=1))
    push(mon.a_host, "cpu_percent", [50.0], NOW + timedelta(days=35))
    assert services.samples_purge(actor=SYSTEM) == 2
    assert list(Sample.objects.values_list("value", flat=True)) == [50.0]
    assert rollup(mon.a_host, "cpu_percent", Period.HOUR, HOUR).avg == 20.0
    event = AuditEvent.objects.get(action="monitoring.samples_purge")
    assert "2" in event.message
    # Rolling up a bucket whose raw samples are gone leaves its rollup alone.
    services.rollup_bucket(period=Period.HOUR, start=HOUR)
    assert rollup(mon.a_host, "cpu_percent", Period.HOUR, HOUR).count == 2


def test_people_do_not_run_the_platforms_jobs(mon):
    for job in (services.samples_purge, lambda **kw: services.rollups_run(period=Period.HOUR, **kw)):
        with pytest.raises(PermissionDenied):
            job(actor=mon.center)
