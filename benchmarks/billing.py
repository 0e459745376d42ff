"""Billing speed: a month's rating and statement drafting for a city, beside its floor.

Bulk-creates 300 departments and 20,000 resources (benchmarks/ledger.py's city), each with a
history: in service before or during November 2026, about three changes of spec in the month, some
terminated; two price-list versions (one taking effect mid-month). Then, on the same database:
- the month's rating and drafting (`billing.services.statements_draft`: metering, rating, one
  statement per department, bulk-created lines, totals);
- its floor: one raw SQL aggregate of quantity × price × duration over the same intervals (the
  history's spans via a window function, clipped to the month) — nothing stored;
- for reference, what storing the lines costs at least: copying the drafted lines with one
  INSERT … SELECT into a table without indexes or constraints.

    .venv/bin/python benchmarks/billing.py [RESOURCES] [DEPARTMENTS]   # SQLite (a throwaway test database)
    DATABASE_URL=postgres://postgres@localhost:5432/bench .venv/bin/python benchmarks/billing.py

Prints both times and their ratio; there is no pass/fail.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from datetime import UTC, date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govcloud.settings_test")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

PERIOD = date(2026, 11, 1)


def build(resources: int, departments: int) -> None:
    import ledger as ledger_bench  # benchmarks/ledger.py: the same city

    from govcloud.billing.metering import month_bounds
    from govcloud.catalog.models import Price, PriceList
    from govcloud.catalog.selectors import required_price_keys
    from govcloud.catalog.tests.helpers import AMOUNTS
    from govcloud.ledger.models import HistoryKind, Resource, ResourceHistory, ResourceState

    ledger_bench.build(resources, departments)
    start, end = month_bounds(PERIOD)
    for day, factor in ((date(2026, 1, 1), Decimal(1)), (date(2026, 11, 16), Decimal("1.1"))):
        price_list = PriceList.objects.create(name=f"基准价目表{day}", effective_from=day, published_at=start)
        Price.objects.bulk_create(
            Price(price_list=price_list, unit=k.unit, item=k.item, amount=AMOUNTS[k.unit] * factor)
            for k in required_price_keys()
        )
    rng = random.Random(20261101)
    month = int((end - start).total_seconds())
    history, updates = [], []
    for resource in Resource.objects.order_by("pk").only("pk", "spec", "kind"):
        since = start - timedelta(days=rng.randint(-20, 200), seconds=rng.randint(0, 86399))
        spec = dict(resource.spec)
        history.append(
            ResourceHistory(
                resource_id=resource.pk,
                at=since,
                kind=HistoryKind.ADOPTED,
                state_after=ResourceState.IN_SERVICE,
                spec_after=spec,
                actor_name="bench",
            )
        )
        moments = sorted(start + timedelta(seconds=rng.randrange(month)) for _ in range(3))
        for moment in moments:
            if moment <= since:
                continue
            before, spec = spec, dict(spec)
            if "vcpu" in spec:
                spec["vcpu"] = rng.choice([1, 2, 4, 8, 16])
            elif "storage_tb" in spec:
                spec["storage_tb"] = str(Decimal(rng.randint(1, 50)) / 10)
            elif "bandwidth_mbps" in spec:
                spec["bandwidth_mbps"] = rng.choice([10, 20, 50])
            history.append(
                ResourceHistory(
                    resource_id=resource.pk,
                    at=moment,
                    kind=HistoryKind.CHANGED,
                    state_before=ResourceState.IN_SERVICE,
                    state_after=ResourceState.IN_SERVICE,
                    spec_before=before,
                    spec_after=spec,
                    actor_name="bench",
                )
            )
        terminated = None
        if rng.random() < 0.1:
            terminated = max(since, start) + timedelta(seconds=rng.randrange(3600, 10 * 86400))
            history.append(
                ResourceHistory(
                    resource_id=resource.pk,
                    at=terminated,
                    kind=HistoryKind.TERMINATED,
                    state_before=ResourceState.IN_SERVICE,
                    state_after=ResourceState.TERMINATED,
                    spec_before=spec,
                    spec_after=spec,
                    actor_name="bench",
                )
            )
        resource.in_service_at, resource.terminated_at, resource.spec = since, terminated, spec
        resource.state = ResourceState.TERMINATED if terminated else ResourceState.IN_SERVICE
        updates.append(resource)
    # The history's order within a resource is by time; bulk_create keeps it append-only.
    history.sort(key=lambda h: (h.resource_id, h.at))
    ResourceHistory.objects.bulk_create(history, batch_size=5000)
    Resource.objects.bulk_update(updates, ["in_service_at", "terminated_at", "spec", "state"], batch_size=2000)
    print(f"history entries: {len(history)}")


def floor_sql() -> tuple[str, list]:
    """One aggregate over the same spans: Σ quantity × price × seconds ÷ month, vCPU, memory and disk
    (the bulk of every bill), clipped to the month and split at the price change."""
    from govcloud.billing.metering import month_bounds
    from govcloud.catalog.models import PriceUnit
    from govcloud.catalog.tests.helpers import AMOUNTS

    start, end = month_bounds(PERIOD)
    cut = month_bounds(date(2026, 11, 16))[0]
    month = int((end - start).total_seconds())
    vcpu, mem, disk = (
        AMOUNTS[PriceUnit.VCPU_MONTH],
        AMOUNTS[PriceUnit.MEMORY_GB_MONTH],
        AMOUNTS[PriceUnit.DISK_SSD_GB_MONTH],
    )
    if connection.vendor == "postgresql":
        q = "COALESCE((spec_after->>'{k}')::numeric, 0)"
        secs = "EXTRACT(EPOCH FROM (LEAST(nxt, {b}) - GREATEST(at, {a})))"
        greatest, least = "GREATEST", "LEAST"
        params = [start.astimezone(UTC), end.astimezone(UTC), cut.astimezone(UTC)]
    else:
        q = "COALESCE(CAST(json_extract(spec_after, '$.{k}') AS REAL), 0)"
        secs = "((julianday(MIN(nxt, {b})) - julianday(MAX(at, {a}))) * 86400.0)"
        greatest, least = "MAX", "MIN"
        fmt = "%Y-%m-%d %H:%M:%S"
        params = [d.astimezone(UTC).strftime(fmt) for d in (start, end, cut)]
    quantity = (
        f"({q.format(k='vcpu')} * {vcpu} + {q.format(k='memory_gb')} * {mem} + "
        f"({q.format(k='system_disk_gb')} + {q.format(k='data_disk_gb')} + {q.format(k='storage_gb')}) * {disk})"
    )
    sql = f"""
    WITH bounds AS (SELECT %s AS s, %s AS e, %s AS c),
    spans AS (
        SELECT h.resource_id, h.at, h.state_after, h.spec_after,
               COALESCE(LEAD(h.at) OVER (PARTITION BY h.resource_id ORDER BY h.at, h.id), bounds.e) AS nxt,
               bounds.s, bounds.e, bounds.c
        FROM ledger_resourcehistory h, bounds WHERE h.at < bounds.e
    )
    SELECT SUM({quantity} * (
        CASE WHEN {least}(nxt, c) > {greatest}(at, s) THEN {secs.format(a="s", b="c")} ELSE 0 END
        + CASE WHEN {least}(nxt, e) > {greatest}(at, c) THEN {secs.format(a="c", b="e")} * 1.1 ELSE 0 END
    )) / {month}
    FROM spans WHERE state_after IN ('in_service', 'changing') AND nxt > s
    """
    return sql, params


def main(resources: int, departments: int) -> None:
    from govcloud.billing import services
    from govcloud.billing.models import StatementLine
    from govcloud.core.actors import SYSTEM

    began = time.perf_counter()
    build(resources, departments)
    print(f"built {resources} resources, {departments} departments in {time.perf_counter() - began:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    began = time.perf_counter()
    result = services.statements_draft(actor=SYSTEM, period=PERIOD)
    drafting = time.perf_counter() - began
    began = time.perf_counter()
    services.statements_draft(actor=SYSTEM, period=PERIOD)
    redrafting = time.perf_counter() - began

    sql, params = floor_sql()

    def floor():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()[0]

    floor()
    runs = []
    for _ in range(5):
        began = time.perf_counter()
        value = floor()
        runs.append(time.perf_counter() - began)
    floor_seconds = statistics.median(runs)

    # Writing as many rows as the statements have, nothing else: the lines copied into a bare table.
    table = StatementLine._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE bench_lines AS SELECT * FROM {table} WHERE 1 = 0")
    writes = []
    for _ in range(3):
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM bench_lines")
            began = time.perf_counter()
            cursor.execute(f"INSERT INTO bench_lines SELECT * FROM {table}")
            writes.append(time.perf_counter() - began)
    write_seconds = statistics.median(writes)
    print(f"database: {connection.vendor}")
    print(f"statements: {result['statements']}, lines: {StatementLine.objects.count()}")
    print(f"rating + drafting:    {drafting:8.3f} s")
    print(f"re-drafting:          {redrafting:8.3f} s")
    print(f"floor (raw SQL):      {floor_seconds:8.3f} s   (aggregate {value})")
    print(f"ratio:                {drafting / floor_seconds:8.1f}×")
    print(f"copying the lines:    {write_seconds:8.3f} s   (into a table without indexes or constraints)")
    print(f"ratio to floor + copy: {drafting / (floor_seconds + write_seconds):7.1f}×")


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    departments = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        main(count, departments)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
