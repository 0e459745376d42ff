"""Utilization ingest and rollup speed (issue 13 §4), measured side by side with their floors.

Bulk-creates RESOURCES cloud hosts in service and a provider operator, then, in one run and one
database:
- pushes SAMPLES samples (yesterday, CPU % and memory %, spread over the resources) through the push
  path in-process — POST /api/v1/metrics/samples/ through the Django test client in batches of 5,000:
  JSON parsing, the envelope, the per-sample checks, the resources' lookup, the set-based insert and
  the pending rollup marks — and times it against the floor: a raw bulk insert of the same rows into
  the same table (executemany on SQLite, COPY on PostgreSQL), after emptying it;
- rolls up that day (the daily rollup: average, peak and the 95th percentile by nearest rank, one
  INSERT … SELECT with window functions) and its 24 hours, against the floor: a raw GROUP BY with
  AVG/MAX/COUNT (no percentile) of the same day into a scratch table.

    .venv/bin/python benchmarks/ingest.py [SAMPLES] [RESOURCES]      # SQLite (a throwaway test database)
    DATABASE_URL=postgres://user@host/bench .venv/bin/python benchmarks/ingest.py

Defaults: 1,000,000 samples, 20,000 resources. Prints rates, times and ratios; there is no pass/fail
(the issue's goal: the push path at least half the floor's rate). Generating the request bodies and
the floor's rows is not timed.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govcloud.settings_test")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

BATCH = 5000
# BENCH_PROFILE=1 prints where the push path spends its time.
PROFILE = __import__("cProfile").Profile() if os.environ.get("BENCH_PROFILE") else None
METRICS = ("cpu_percent", "memory_percent")


def build(resources: int):
    from govcloud.catalog.models import CatalogItem
    from govcloud.catalog.seed import seed_annex1
    from govcloud.core.roles import Role
    from govcloud.ledger.models import Resource, ResourceState
    from govcloud.organizations.credit_codes import make_credit_code
    from govcloud.organizations.models import Organization, OrganizationKind, OrganizationLevel, RoleAssignment, User
    from govcloud.organizations.services import token_create

    seed_annex1()
    city = Organization.objects.create(
        name="基准市人民政府",
        kind=OrganizationKind.DEPARTMENT,
        level=OrganizationLevel.CITY,
        credit_code=make_credit_code(9_000_001),
        contact_name="基准",
        contact_phone="0523-00000000",
    )
    provider_org = Organization.objects.create(
        name="基准云服务商",
        kind=OrganizationKind.PROVIDER,
        level=OrganizationLevel.DEPARTMENT,
        parent=city,
        credit_code=make_credit_code(9_000_002),
        contact_name="基准",
        contact_phone="0523-00000000",
    )
    dept = Organization.objects.create(
        name="基准部门",
        kind=OrganizationKind.DEPARTMENT,
        level=OrganizationLevel.DEPARTMENT,
        parent=city,
        credit_code=make_credit_code(9_000_003),
        contact_name="基准",
        contact_phone="0523-00000000",
    )
    host = CatalogItem.objects.get(code="host")
    since = timezone.now() - timedelta(days=30)
    Resource.objects.bulk_create(
        (
            Resource(
                code=f"TZ-BM-{n:06d}",
                name=f"主机{n}",
                organization=dept,
                catalog_item=host,
                kind=host.kind,
                spec={"vcpu": 4, "memory_gb": 8},
                vcpu=4,
                memory_gb=8,
                state=ResourceState.IN_SERVICE,
                delivered_at=since,
                in_service_at=since,
            )
            for n in range(resources)
        ),
        batch_size=2000,
    )
    operator = User.objects.create(
        username="bench_provider",
        full_name="基准运维",
        organization=provider_org,
        must_change_password=False,
        password_changed_at=timezone.now(),
    )
    RoleAssignment.objects.create(user=operator, role=Role.PROVIDER_OPERATOR)
    # A personal access token, as the provider's monitoring authenticates.
    _token, raw = token_create(actor=operator, name="monitoring", expires_in_days=7)
    return raw


def sample_stream(count: int, resources: int, day_start):
    """`count` (resource index, metric, time, value) rows of one day, distinct on (resource, metric,
    time): each resource gets its share of the day's timestamps for both metrics."""
    per_resource = max(1, count // (resources * len(METRICS)))
    step = timedelta(seconds=max(1, 86400 // per_resource))
    produced = 0
    for k in range(per_resource):
        at = day_start + k * step
        for r in range(resources):
            for m, metric in enumerate(METRICS):
                if produced == count:
                    return
                yield r, metric, at, float((r * 7 + k * 13 + m * 29) % 100)
                produced += 1


def push_path(client, count: int, resources: int, day_start) -> tuple[float, int]:
    seconds, accepted = 0.0, 0
    # Warm up (the first request loads the URL map, the middleware and the views): one sample that
    # is refused, so nothing is stored.
    warm = {"samples": [{"resource": "TZ-BM-999999", "metric": "cpu_percent", "time": "x", "value": 0}]}
    assert client.post("/api/v1/metrics/samples/", json.dumps(warm), content_type="application/json").status_code == 200
    stream = sample_stream(count, resources, day_start)
    while True:
        rows = _take(stream)
        if not rows:
            break
        body = json.dumps({"samples": rows})
        start = time.perf_counter()
        if PROFILE is not None:
            PROFILE.enable()
        response = client.post("/api/v1/metrics/samples/", body, content_type="application/json")
        if PROFILE is not None:
            PROFILE.disable()
        seconds += time.perf_counter() - start
        assert response.status_code == 200, response.content[:500]
        result = response.json()
        assert not result["rejected"], result["rejected"][:3]
        accepted += result["accepted"]
    return seconds, accepted


def _take(stream) -> list[dict]:
    rows = []
    for r, metric, at, value in stream:
        rows.append({"resource": f"TZ-BM-{r:06d}", "metric": metric, "time": at.isoformat(), "value": value})
        if len(rows) == BATCH:
            break
    return rows


def floor_insert(count: int, resources: int, day_start) -> float:
    """The same rows, raw, into the same (emptied) table: executemany on SQLite, COPY on PostgreSQL."""
    from govcloud.ledger.models import Resource
    from govcloud.monitoring.models import Sample

    ids = dict(Resource.objects.values_list("code", "pk"))
    ids = [ids[f"TZ-BM-{r:06d}"] for r in range(resources)]
    table = connection.ops.quote_name(Sample._meta.db_table)
    adapt = connection.ops.adapt_datetimefield_value
    stream = sample_stream(count, resources, day_start)
    seconds = 0.0
    while True:
        batch = []
        for r, metric, at, value in stream:
            batch.append((ids[r], metric, adapt(at), value, "push"))
            if len(batch) == BATCH:
                break
        if not batch:
            break
        start = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} (resource_id, metric, at, value, source) FROM STDIN") as copy:
                    for row in batch:
                        copy.write_row(row)
            else:
                cursor.executemany(
                    f"INSERT INTO {table} (resource_id, metric, at, value, source) VALUES (%s, %s, %s, %s, %s)", batch
                )
        seconds += time.perf_counter() - start
    return seconds


def rollup_floor(day_start, day_end) -> float:
    from govcloud.monitoring.models import Sample

    q = connection.ops.quote_name
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_rollup_floor (resource_id bigint, metric varchar(20), avg double precision, "
            "mx double precision, n integer)"
        )
        start = time.perf_counter()
        with transaction.atomic():
            cursor.execute(
                "INSERT INTO bench_rollup_floor SELECT resource_id, metric, AVG(value), MAX(value), COUNT(*) "
                f"FROM {q(Sample._meta.db_table)} WHERE {q('at')} >= %s AND {q('at')} < %s "
                "GROUP BY resource_id, metric",
                [adapt(day_start), adapt(day_end)],
            )
        return time.perf_counter() - start


def report_floor(day_start, day_end) -> float:
    """The monthly report's floor: one grouped read of the daily rollups per resource and metric
    (weighted average, peak) written into a bare table, nothing else."""
    from govcloud.monitoring.models import Rollup

    q = connection.ops.quote_name
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_report_floor (resource_id bigint, metric varchar(20), avg double precision, "
            "peak double precision)"
        )
        start = time.perf_counter()
        with transaction.atomic():
            cursor.execute(
                "INSERT INTO bench_report_floor SELECT resource_id, metric, SUM(avg * count) / SUM(count), MAX(max) "
                f"FROM {q(Rollup._meta.db_table)} WHERE period = 'day' AND {q('start')} >= %s AND {q('start')} < %s "
                "GROUP BY resource_id, metric",
                [adapt(day_start), adapt(day_end)],
            )
        return time.perf_counter() - start


def main(count: int, resources: int) -> None:
    from rest_framework.test import APIClient

    from govcloud.monitoring.models import Period, Rollup, Sample
    from govcloud.monitoring.services import bucket_end, day_start, rollup_bucket

    token = build(resources)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    yesterday = day_start(timezone.now() - timedelta(days=1))
    end = bucket_end(Period.DAY, yesterday)

    push_seconds, accepted = push_path(client, count, resources, yesterday)
    assert accepted == count == Sample.objects.count(), (accepted, count)

    start = time.perf_counter()
    with transaction.atomic():
        rows = rollup_bucket(period=Period.DAY, start=yesterday)
    day_seconds = time.perf_counter() - start
    start = time.perf_counter()
    for h in range(24):
        with transaction.atomic():
            rollup_bucket(period=Period.HOUR, start=yesterday + timedelta(hours=h))
    hours_seconds = time.perf_counter() - start
    floor_rollup_seconds = rollup_floor(yesterday, end)
    assert Rollup.objects.filter(period=Period.DAY).count() == rows == resources * len(METRICS), rows

    # The month's city-wide 资源利用情况表 over the rollups there are (the benchmark's one day).
    from govcloud.core.actors import SYSTEM
    from govcloud.reports.models import ReportPeriod
    from govcloud.reports.utilization import local_midnight as report_midnight
    from govcloud.reports.utilization import period_bounds, utilization_report_generate

    report_day = timezone.localdate(yesterday)
    start = time.perf_counter()
    report = utilization_report_generate(actor=SYSTEM, period=ReportPeriod.MONTH, day=report_day)
    report_seconds = time.perf_counter() - start
    report_lines = report.lines.count()
    first, last = period_bounds(ReportPeriod.MONTH, report_day)
    floor_report_seconds = report_floor(report_midnight(first), report_midnight(last))

    Sample.objects.all().delete()
    floor_seconds = floor_insert(count, resources, yesterday)
    assert Sample.objects.count() == count

    print(f"utilization ingest benchmark on {connection.vendor}: {count} samples, {resources} resources")
    print(f"  push path (POST, batches of {BATCH})  : {push_seconds:8.2f} s  {count / push_seconds:10.0f} samples/s")
    floor_name = "COPY" if connection.vendor == "postgresql" else "executemany"
    print(f"  floor (raw {floor_name:<11}, same rows)  : {floor_seconds:8.2f} s  {count / floor_seconds:10.0f} rows/s")
    print(f"  ratio push rate / floor rate           : {floor_seconds / push_seconds:8.2f} (goal ≥ 0.5)")
    print(f"  daily rollup of the day (avg, max, p95): {day_seconds:8.2f} s")
    print(f"  floor (raw GROUP BY avg, max, count)   : {floor_rollup_seconds:8.2f} s")
    print(f"  ratio rollup / floor                   : {day_seconds / floor_rollup_seconds:8.2f}x")
    print(f"  its 24 hourly rollups                  : {hours_seconds:8.2f} s")
    label = f"monthly city report ({report_lines} lines)"
    print(f"  {label:<39}: {report_seconds:8.2f} s")
    print(f"  floor (raw grouped read into a table)  : {floor_report_seconds:8.2f} s")
    print(f"  ratio report / floor                   : {report_seconds / floor_report_seconds:8.2f}x")
    if PROFILE is not None:
        import pstats

        pstats.Stats(PROFILE).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    samples = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    resource_count = int(sys.argv[2]) if len(sys.argv) > 2 else 20_000
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        main(samples, resource_count)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
