"""The raw sample table partitioned by week on PostgreSQL (migration 0004, partitions.py): the
partitions exist, a sample of a week without its partition lands in the default partition and moves
to its week when the week is created, retention drops whole weeks (pg_inherits) and keeps the
rollups. PostgreSQL only (CI runs the suite on SQLite and on PostgreSQL); on SQLite the table is
plain and the same services delete rows (test_rollups.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from govcloud.audit.models import AuditEvent
from govcloud.core.actors import SYSTEM
from govcloud.monitoring import partitions, services
from govcloud.monitoring.models import Period, Rollup, Sample, SampleSource
from govcloud.monitoring.tests.conftest import NOW

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="partitioning is PostgreSQL's; SQLite keeps a plain table"
    ),
]


def children() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'monitoring_sample'::regclass"
        )
        return {row[0] for row in cursor.fetchall()}


def home(sample: Sample) -> str:
    """The partition a row is stored in."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM monitoring_sample WHERE id = %s", [sample.pk])
        return cursor.fetchone()[0]


def test_the_table_is_partitioned_by_week_with_a_default_partition(mon):
    assert partitions.is_partitioned()
    partitions.sample_partitions_ensure(actor=SYSTEM)
    names = children()
    assert "monitoring_sample_default" in names
    week = partitions.week_start(NOW)
    for offset in range(-5, partitions.WEEKS_AHEAD + 1):  # the 35-day window and 4 weeks ahead
        assert partitions.partition_name(week + offset * partitions.WEEK) in names
    assert partitions.sample_partitions_ensure(actor=SYSTEM) == []  # safe to run again


def test_a_sample_without_its_week_lands_in_the_default_partition_and_moves_when_the_week_is_made(mon):
    far = datetime(2031, 3, 5, 12, 0, tzinfo=UTC)  # a Wednesday, years ahead
    past = datetime(2001, 1, 1, tzinfo=UTC)
    ahead = Sample.objects.create(resource=mon.a_host, metric="cpu_percent", at=far, value=5.0, source="push")
    old = Sample.objects.create(resource=mon.a_host, metric="cpu_percent", at=past, value=6.0, source="push")
    assert home(ahead) == home(old) == "monitoring_sample_default"

    created = partitions.sample_partitions_ensure(actor=SYSTEM, now=far)
    assert "monitoring_sample_w20310303" in created
    assert home(ahead) == "monitoring_sample_w20310303"
    assert home(old) == "monitoring_sample_default"
    # The moved row keeps its keys: the same sample cannot be stored twice.
    assert Sample.objects.filter(resource=mon.a_host, at=far).count() == 1
    result = services.samples_ingest(
        actor=SYSTEM,
        source=SampleSource.PUSH,
        samples=[{"resource": mon.a_host.code, "metric": "cpu_percent", "time": far.isoformat(), "value": 9.0}],
        now=far,
    )
    assert result.accepted == 1 and Sample.objects.get(resource=mon.a_host, at=far).value == 5.0


def test_retention_drops_whole_weeks_and_keeps_the_rollups(mon, frozen):
    partitions.sample_partitions_ensure(actor=SYSTEM)
    hour = (NOW - timedelta(days=30)).replace(minute=0)
    samples = [
        {
            "resource": mon.a_host.code,
            "metric": "cpu_percent",
            "time": (hour + timedelta(minutes=m)).isoformat(),
            "value": v,
        }
        for m, v in ((0, 10.0), (1, 30.0))
    ]
    assert services.samples_ingest(actor=SYSTEM, source=SampleSource.PUSH, samples=samples).accepted == 2
    recent = {"resource": mon.a_host.code, "metric": "cpu_percent", "time": NOW.isoformat(), "value": 50.0}
    services.samples_ingest(actor=SYSTEM, source=SampleSource.PUSH, samples=[recent])
    services.rollups_run(actor=SYSTEM, period=Period.HOUR)
    old_week = partitions.partition_name(partitions.week_start(hour))
    assert old_week in children()

    frozen.shift(timedelta(days=10))  # the cutoff passes the old week's end, not NOW's week
    assert services.samples_purge(actor=SYSTEM) == 2
    assert old_week not in children()
    assert partitions.partition_name(partitions.week_start(NOW)) in children()
    assert list(Sample.objects.values_list("value", flat=True)) == [50.0]
    rollup = Rollup.objects.get(resource=mon.a_host, metric="cpu_percent", period=Period.HOUR, start=hour)
    assert (rollup.avg, rollup.count) == (20.0, 2)
    event = AuditEvent.objects.get(action="monitoring.samples_purge")
    assert old_week in event.message


def test_retention_deletes_the_rows_before_the_cutoff_in_the_week_it_falls_in(mon, frozen):
    partitions.sample_partitions_ensure(actor=SYSTEM)
    at = NOW - timedelta(hours=2)
    services.samples_ingest(
        actor=SYSTEM,
        source=SampleSource.PUSH,
        samples=[
            {"resource": mon.a_host.code, "metric": "cpu_percent", "time": at.isoformat(), "value": 1.0},
            {"resource": mon.a_host.code, "metric": "cpu_percent", "time": NOW.isoformat(), "value": 2.0},
        ],
    )
    frozen.shift(timedelta(days=35) - timedelta(hours=1))  # the cutoff: an hour before NOW
    before = children()
    assert services.samples_purge(actor=SYSTEM) == 1
    assert partitions.partition_name(partitions.week_start(NOW)) in children()
    assert list(Sample.objects.values_list("value", flat=True)) == [2.0]
    assert children() <= before
