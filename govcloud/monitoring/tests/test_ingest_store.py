"""How samples_ingest stores a checked batch: on PostgreSQL a COPY inside a savepoint, and when any
row of the batch is stored already the INSERT … ON CONFLICT DO NOTHING fallback; on SQLite the
INSERT … ON CONFLICT DO NOTHING alone. Either way exactly the missing rows are stored, with their
values and instants unchanged, and what was measured first is never overwritten."""

from __future__ import annotations

import gc
from datetime import UTC, timedelta

import pytest
from django.db import connection

from govcloud.monitoring import services
from govcloud.monitoring.models import IngestBatch, Sample, SampleSource
from govcloud.monitoring.tests.conftest import NOW, TZ

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="the COPY path is PostgreSQL's")


def sample(resource, at, value, metric="cpu_percent"):
    return {"resource": resource.code, "metric": metric, "time": at, "value": value}


@pytest.fixture
def fallbacks(monkeypatch):
    """The batches that went through the ON CONFLICT fallback (PostgreSQL), by their row count."""
    calls: list[int] = []
    original = services._insert_samples_ignoring_stored

    def spy(rows, source):
        calls.append(len(rows))
        return original(rows, source)

    monkeypatch.setattr(services, "_insert_samples_ignoring_stored", spy)
    return calls


def ingest(actor, samples):
    return services.samples_ingest(actor=actor, source=SampleSource.PUSH, samples=samples)


def stored():
    return {
        (r, m, at.astimezone(UTC), v)
        for r, m, at, v in Sample.objects.values_list("resource_id", "metric", "at", "value")
    }


def test_a_batch_overlapping_stored_samples_stores_only_the_new_ones(mon, fallbacks):
    t1, t2, t3 = (NOW - timedelta(minutes=m) for m in (30, 20, 10))
    first = ingest(mon.provider, [sample(mon.a_host, t1.isoformat(), 10.0), sample(mon.a_host, t2.isoformat(), 20.0)])
    assert first.accepted == 2 and fallbacks == []
    # t1 again with another value, t2 again in another offset, then two new samples.
    again = ingest(
        mon.provider,
        [
            sample(mon.a_host, t1.isoformat(), 99.0),
            sample(mon.a_host, t2.astimezone(UTC).isoformat(), 20.0),
            sample(mon.a_host, t3.isoformat(), 30.0),
            sample(mon.b_host, t1.isoformat(), 40.0, metric="memory_percent"),
        ],
    )
    assert again.accepted == 4 and not again.rejections
    assert stored() == {
        (mon.a_host.pk, "cpu_percent", t1.astimezone(UTC), 10.0),  # measured first, kept
        (mon.a_host.pk, "cpu_percent", t2.astimezone(UTC), 20.0),
        (mon.a_host.pk, "cpu_percent", t3.astimezone(UTC), 30.0),
        (mon.b_host.pk, "memory_percent", t1.astimezone(UTC), 40.0),
    }
    # The batch's own log row is written after the refused COPY: the transaction went on.
    assert IngestBatch.objects.count() == 2
    if connection.vendor == "postgresql":
        assert fallbacks == [4]


@pytest.mark.parametrize("stored_before", [False, True], ids=["copy", "on-conflict fallback"])
def test_values_and_instants_are_stored_exactly(mon, fallbacks, stored_before):
    """Floats with a long expansion, microseconds, a time without an offset (Asia/Shanghai) and one
    in UTC: through the COPY and through the fallback alike."""
    local_naive = (NOW - timedelta(minutes=7)).replace(tzinfo=None, microsecond=123456)
    utc = (NOW - timedelta(minutes=3, microseconds=1)).astimezone(UTC)
    if stored_before:
        ingest(mon.provider, [sample(mon.b_host, (NOW - timedelta(hours=1)).isoformat(), 1.0)])
        # The fallback runs when a row of the batch is stored already: re-send that one with them.
        extra = [sample(mon.b_host, (NOW - timedelta(hours=1)).isoformat(), 1.0)]
    else:
        extra = []
    result = ingest(
        mon.provider,
        [
            sample(mon.a_host, local_naive.isoformat(), 0.1 + 0.2),
            sample(mon.a_host, utc.isoformat(), 1e-7),
            sample(mon.a_host, utc.isoformat(), 1234567.8901234567, metric="disk_iops"),
            *extra,
        ],
    )
    assert result.accepted == 3 + len(extra) and not result.rejections
    rows = {(m, at, v) for _r, m, at, v in stored() if _r == mon.a_host.pk}
    assert rows == {
        ("cpu_percent", local_naive.replace(tzinfo=TZ).astimezone(UTC), 0.30000000000000004),
        ("cpu_percent", utc, 1e-7),
        ("disk_iops", utc, 1234567.8901234567),
    }
    if connection.vendor == "postgresql":
        assert fallbacks == ([4] if stored_before else [])


@on_postgresql
def test_a_fresh_batch_is_copied_without_the_fallback(mon, fallbacks):
    batch = [sample(mon.a_host, (NOW - timedelta(minutes=m)).isoformat(), float(m)) for m in range(1, 50)]
    assert ingest(mon.provider, batch).accepted == 49
    assert Sample.objects.count() == 49 and fallbacks == []
    assert ingest(mon.provider, batch).accepted == 49
    assert Sample.objects.count() == 49 and fallbacks == [49]


@pytest.mark.parametrize("running", [True, False])
def test_the_garbage_collector_is_left_as_it_was(mon, running):
    was = gc.isenabled()
    try:
        gc.enable() if running else gc.disable()
        ingest(mon.provider, [sample(mon.a_host, (NOW - timedelta(minutes=1)).isoformat(), 5.0)])
        assert gc.isenabled() is running
    finally:
        gc.enable() if was else gc.disable()
