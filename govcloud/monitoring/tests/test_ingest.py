"""samples_ingest (Art. 7, 12): every sample checked on its own, refused with a reason, the valid
ones kept, a re-sent batch changing nothing; only the provider (and the platform) may push."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from govcloud.core.actors import SYSTEM
from govcloud.core.policy import Policy
from govcloud.ledger import services as ledger_services
from govcloud.monitoring import services
from govcloud.monitoring.models import IngestBatch, PendingRollup, Period, RejectReason, Sample, SampleSource
from govcloud.monitoring.tests.conftest import NOW, SINCE, TZ, host

pytestmark = pytest.mark.django_db


def s(resource, metric="cpu_percent", at=None, value=42.5):
    at = at or NOW - timedelta(minutes=5)
    return {"resource": getattr(resource, "code", resource), "metric": metric, "time": at.isoformat(), "value": value}


def ingest(actor, samples):
    return services.samples_ingest(actor=actor, source=SampleSource.PUSH, samples=samples)


def reasons(result):
    return [(r.index, r.reason) for r in result.rejections]


def test_valid_samples_are_kept_with_their_time_and_source(mon):
    result = ingest(
        mon.provider,
        [s(mon.a_host), s(mon.b_host, "memory_percent", value=61), s(mon.a_host, "disk_iops", value="350")],
    )
    assert result.accepted == 3 and result.rejections == []
    stored = Sample.objects.get(resource=mon.a_host, metric="cpu_percent")
    assert stored.value == 42.5 and stored.at == NOW - timedelta(minutes=5) and stored.source == SampleSource.PUSH
    assert Sample.objects.get(metric="disk_iops").value == 350.0
    batch = IngestBatch.objects.get()
    assert (batch.received, batch.accepted, batch.rejected, batch.actor_name) == (3, 3, 0, "运维甲")
    # The hour and the (local) day they fall in wait for the rollups.
    hour = (NOW - timedelta(minutes=5)).replace(minute=0)
    assert set(PendingRollup.objects.values_list("period", "start")) == {
        (Period.HOUR, hour),
        (Period.DAY, NOW.replace(hour=0, minute=0)),
    }


def test_each_bad_sample_is_refused_with_its_reason_and_the_rest_kept(mon, settings):
    later = host(mon.city.dept_a, "下月上线", since=NOW - timedelta(hours=1))
    ended = host(mon.city.dept_a, "已终止", since=SINCE)
    ledger_services.resource_terminate(actor=SYSTEM, resource=ended, at=NOW - timedelta(days=2))
    batch = [
        s(mon.a_host),  # 0 kept
        s("TZ-VM-999999"),  # 1 unknown resource
        s(later, at=NOW - timedelta(hours=2)),  # 2 not yet in service
        s(ended, at=NOW - timedelta(days=1)),  # 3 terminated before
        s(mon.a_host, value=140),  # 4 CPU 140 %
        s(mon.a_host, "disk_used_gb", value=-1),  # 5 negative
        s(mon.a_host, at=NOW + timedelta(minutes=30)),  # 6 in the future
        s(mon.a_host, at=NOW - timedelta(days=36)),  # 7 before the raw window (35 days)
        s(mon.a_host, "gpu_percent"),  # 8 unknown metric
        {"resource": mon.a_host.code, "metric": "cpu_percent", "time": "yesterday", "value": 1},  # 9 bad time
        {"resource": mon.a_host.code, "metric": "cpu_percent", "time": NOW.isoformat(), "value": "lots"},  # 10
        {"resource": mon.a_host.code, "metric": "cpu_percent", "time": NOW.isoformat(), "value": True},  # 11
        "not a sample",  # 12
        {"metric": "cpu_percent", "time": NOW.isoformat(), "value": 1},  # 13 no resource
        s(mon.a_host, value=43),  # 14 same resource, metric and time as 0
        s(later, at=NOW - timedelta(minutes=5)),  # 15 kept: in service by then
        s(ended, at=NOW - timedelta(days=3)),  # 16 kept: still in service then
        s(mon.a_host, at=NOW + timedelta(minutes=4)),  # 17 kept: within the clock skew (5 minutes)
        {"resource": mon.a_host.code, "metric": "cpu_percent", "time": float("nan"), "value": 1},  # 18 bad time
        {"resource": mon.a_host.code, "metric": "memory_percent", "time": NOW.isoformat(), "value": float("inf")},
    ]
    result = ingest(mon.provider, batch)
    R = RejectReason
    assert reasons(result) == [
        (1, R.UNKNOWN_RESOURCE),
        (2, R.NOT_IN_SERVICE),
        (3, R.NOT_IN_SERVICE),
        (4, R.OUT_OF_RANGE),
        (5, R.OUT_OF_RANGE),
        (6, R.IN_FUTURE),
        (7, R.TOO_OLD),
        (8, R.UNKNOWN_METRIC),
        (9, R.INVALID),
        (10, R.INVALID),
        (11, R.INVALID),
        (12, R.INVALID),
        (13, R.INVALID),
        (14, R.DUPLICATE),
        (18, R.INVALID),
        (19, R.INVALID),
    ]
    assert result.accepted == 4 and Sample.objects.count() == 4
    assert Sample.objects.get(resource=mon.a_host, at=NOW - timedelta(minutes=5)).value == 42.5
    rejected = result.rejections[0]
    assert rejected.resource == "TZ-VM-999999" and rejected.metric == "cpu_percent" and rejected.message
    assert "140" in result.rejections[3].message
    batch_row = IngestBatch.objects.get()
    assert batch_row.rejected == 16 and batch_row.rejections[0]["reason"] == "unknown_resource"


def test_the_raw_window_and_clock_skew_are_policies(mon):
    from govcloud.policies import services as policy_services

    policy_services.policy_set(actor=mon.center, key=Policy.MONITORING_RAW_RETENTION_DAYS, raw="10")
    policy_services.policy_set(actor=mon.center, key=Policy.MONITORING_CLOCK_SKEW_MINUTES, raw="0")
    result = ingest(
        mon.provider,
        [s(mon.a_host, at=NOW - timedelta(days=11)), s(mon.a_host, at=NOW + timedelta(minutes=1)), s(mon.a_host)],
    )
    assert reasons(result) == [(0, RejectReason.TOO_OLD), (1, RejectReason.IN_FUTURE)]


def test_resending_a_batch_changes_nothing(mon):
    batch = [s(mon.a_host, at=NOW - timedelta(minutes=m), value=m) for m in range(1, 60)]
    first = ingest(mon.provider, batch)
    rows = list(Sample.objects.order_by("at").values_list("resource_id", "metric", "at", "value"))
    again = ingest(mon.provider, batch)
    assert first.accepted == again.accepted == 59 and not again.rejections
    assert list(Sample.objects.order_by("at").values_list("resource_id", "metric", "at", "value")) == rows
    # A re-sent sample with another value does not overwrite what was measured first.
    ingest(mon.provider, [s(mon.a_host, at=NOW - timedelta(minutes=1), value=99)])
    assert Sample.objects.get(at=NOW - timedelta(minutes=1)).value == 1


def test_the_same_moment_in_another_offset_is_the_same_sample(mon):
    at = NOW - timedelta(minutes=10)
    ingest(mon.provider, [s(mon.a_host, at=at)])
    utc = {"resource": mon.a_host.code, "metric": "cpu_percent", "time": at.astimezone(TZ).isoformat(), "value": 1}
    naive_local = dict(utc, time=at.astimezone(TZ).replace(tzinfo=None).isoformat())
    ingest(mon.provider, [utc, naive_local])
    assert Sample.objects.count() == 1


def test_departments_may_not_push_and_nobody_else_but_the_provider(mon):
    for actor in (mon.a_user, mon.center, mon.finance):
        with pytest.raises(PermissionDenied):
            ingest(actor, [s(mon.a_host)])
    assert not Sample.objects.exists() and not IngestBatch.objects.exists()
    # The platform's collectors act as SYSTEM.
    assert services.samples_ingest(actor=SYSTEM, source=SampleSource.DRIVER, samples=[s(mon.a_host)]).accepted == 1


def test_a_batch_has_a_size_limit(mon):
    with pytest.raises(ValidationError):
        ingest(mon.provider, [s(mon.a_host)] * (services.MAX_BATCH + 1))
