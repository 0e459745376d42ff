"""Billing speed: a month's rating and statement drafting for a city, beside its floor.

Bulk-creates 300 departments and 20,000 resources (benchmarks/ledger.py's city), each with a
history: in service before or during November 2026, about three changes of spec in the month, some
terminated; two price-list versions (one taking effect mid-month). Then, on the same database:
- the month's rating and drafting (`billing.services.statements_draft`: metering, rating, one
  statement per department, bulk-created lines, totals);
- its floor: one raw SQL aggregate of quantity × price × duration over the same intervals (the
  history's spans via a window function, clipped to the month, every metered unit priced) —
  nothing stored; its total must agree with the statements' total up to the lines' rounding;
- for reference, what storing the lines costs at least: copying the drafted lines with one
  INSERT … SELECT into a table without indexes or constraints.

    .venv/bin/python benchmarks/billing.py [RESOURCES] [DEPARTMENTS]   # SQLite (a throwaway test database)
    DATABASE_URL=postgres://postgres@localhost:5432/bench .venv/bin/python benchmarks/billing.py

Prints both times and their ratio; there is no pass/fail on time. The two totals must agree (exit
status 1 if not): tests/test_benchmarks.py runs a small city so the benchmark cannot rot.
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
PRICE_CHANGE = date(2026, 11, 16)  # a second price-list version, 10 % dearer, from this day


def build(resources: int, departments: int) -> None:
    import ledger as ledger_bench  # benchmarks/ledger.py: the same city

    from govcloud.billing.metering import month_bounds
    from govcloud.catalog.models import Price, PriceList
    from govcloud.catalog.selectors import required_price_keys
    from govcloud.catalog.tests.helpers import AMOUNTS
    from govcloud.ledger.models import HistoryKind, Resource, ResourceHistory, ResourceState

    ledger_bench.build(resources, departments)
    start, end = month_bounds(PERIOD)
    for day, factor in ((date(2026, 1, 1), Decimal(1)), (PRICE_CHANGE, Decimal("1.1"))):
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
    """One aggregate over the same spans: Σ quantity × price × seconds ÷ month over every metered
    unit (what `catalog.specs.metered_units` bills for each kind), clipped to the month and split
    at the price change. Its total is the month's bill before each line is rounded to the cent,
    which `main` compares with the statements' total."""
    from govcloud.billing.metering import local_midnight, month_bounds
    from govcloud.catalog.models import DiskType, PriceUnit, ResourceKind
    from govcloud.catalog.tests.helpers import AMOUNTS

    start, end = month_bounds(PERIOD)
    cut = local_midnight(PRICE_CHANGE)  # the second version takes effect (month_bounds would give the 1st)
    month = int((end - start).total_seconds())
    p = {unit: str(amount) for unit, amount in AMOUNTS.items()}  # CNY per unit·month, before the change
    if connection.vendor == "postgresql":
        q = "COALESCE((spec_after->>'{k}')::numeric, 0)"
        text = "(spec_after->>'{k}')"
        secs = "EXTRACT(EPOCH FROM (LEAST(nxt, {b}) - GREATEST(at, {a})))"
        greatest, least = "GREATEST", "LEAST"
        params = [start.astimezone(UTC), end.astimezone(UTC), cut.astimezone(UTC)]
    else:
        q = "COALESCE(CAST(json_extract(spec_after, '$.{k}') AS REAL), 0)"
        text = "json_extract(spec_after, '$.{k}')"
        secs = "((julianday(MIN(nxt, {b})) - julianday(MAX(at, {a}))) * 86400.0)"
        greatest, least = "MAX", "MIN"
        fmt = "%Y-%m-%d %H:%M:%S"
        params = [d.astimezone(UTC).strftime(fmt) for d in (start, end, cut)]
    computing = (
        f"{q.format(k='vcpu')} * {p[PriceUnit.VCPU_MONTH]} + {q.format(k='memory_gb')} * {p[PriceUnit.MEMORY_GB_MONTH]}"
    )
    disk_price = (
        f"CASE WHEN {text.format(k='disk_type')} = '{DiskType.SSD}' THEN {p[PriceUnit.DISK_SSD_GB_MONTH]} "
        f"ELSE {p[PriceUnit.DISK_SATA_GB_MONTH]} END"
    )
    # What a span costs a month at the first version's prices, by the resource's kind.
    monthly = f"""CASE kind
        WHEN '{ResourceKind.HOST}' THEN {computing}
            + ({q.format(k="system_disk_gb")} + {q.format(k="data_disk_gb")}) * {disk_price}
        WHEN '{ResourceKind.DATABASE}' THEN {p[PriceUnit.DATABASE_INSTANCE_MONTH]} + {computing}
            + {q.format(k="storage_gb")} * {p[PriceUnit.DISK_SSD_GB_MONTH]}
        WHEN '{ResourceKind.STORAGE}' THEN {q.format(k="storage_tb")} * {p[PriceUnit.STORAGE_TB_MONTH]}
        WHEN '{ResourceKind.LOAD_BALANCER}' THEN {p[PriceUnit.LOAD_BALANCER_MONTH]}
        WHEN '{ResourceKind.NETWORK_ACCESS}' THEN {q.format(k="bandwidth_mbps")} * {p[PriceUnit.BANDWIDTH_MBPS_MONTH]}
            + {q.format(k="public_addresses")} * {p[PriceUnit.PUBLIC_ADDRESS_MONTH]}
        ELSE 0 END"""
    sql = f"""
    WITH bounds AS (SELECT %s AS s, %s AS e, %s AS c),
    spans AS (
        SELECT h.resource_id, h.at, h.state_after, h.spec_after,
               COALESCE(LEAD(h.at) OVER (PARTITION BY h.resource_id ORDER BY h.at, h.id), bounds.e) AS nxt,
               bounds.s, bounds.e, bounds.c
        FROM ledger_resourcehistory h, bounds WHERE h.at < bounds.e
    )
    SELECT SUM(({monthly}) * (
        CASE WHEN {least}(nxt, c) > {greatest}(at, s) THEN {secs.format(a="s", b="c")} ELSE 0 END
        + CASE WHEN {least}(nxt, e) > {greatest}(at, c) THEN {secs.format(a="c", b="e")} * 1.1 ELSE 0 END
    )) / {month}
    FROM spans JOIN ledger_resource r ON r.id = spans.resource_id
    WHERE state_after IN ('in_service', 'changing') AND nxt > s
    """
    return sql, params


def main(resources: int, departments: int) -> bool:
    """Runs and prints the benchmark; returns whether drafting and the floor agree on the month's money."""
    from django.db.models import Sum

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
    lines = StatementLine.objects.count()
    print(f"statements: {result['statements']}, lines: {lines}")
    print(f"rating + drafting:    {drafting:8.3f} s")
    print(f"re-drafting:          {redrafting:8.3f} s")
    billed = StatementLine.objects.aggregate(total=Sum("amount"))["total"]
    # The two must agree up to the lines' rounding: half a cent at most per line.
    gap, bound = abs(Decimal(str(billed)) - Decimal(str(value))), Decimal("0.005") * lines
    agree = gap <= bound
    print(f"floor (raw SQL):      {floor_seconds:8.3f} s")
    print(
        f"  totals: statements {billed:.2f} CNY, floor {value:.2f} CNY (unrounded), {gap:.2f} apart: "
        + ("they agree" if agree else "THEY DISAGREE")
        + f" (the lines' rounding allows {bound:.2f})"
    )
    print(f"ratio:                {drafting / floor_seconds:8.1f}×")
    print(f"copying the lines:    {write_seconds:8.3f} s   (into a table without indexes or constraints)")
    print(f"ratio to floor + copy: {drafting / (floor_seconds + write_seconds):7.1f}×")
    return agree


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    departments = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        agree = main(count, departments)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    sys.exit(0 if agree else 1)
