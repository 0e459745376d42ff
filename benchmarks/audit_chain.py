"""Audit chain cost, measured side by side with its floor in one run.

Appending an event takes the chain head's row lock, computes an SM3 hash over the canonical content
and signs the head; the floor is inserting the same rows with nothing of that. Verification walks
every event and recomputes its hash; the floor is reading the same rows.

    .venv/bin/python benchmarks/audit_chain.py [N]          # SQLite (a throwaway test database)
    DATABASE_URL=postgres://postgres@localhost:5432/bench .venv/bin/python benchmarks/audit_chain.py

Prints times and ratios; there is no pass/fail.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govcloud.settings_test")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402


def main(n: int) -> None:
    from govcloud.audit.chain import verify_chain
    from govcloud.audit.models import AuditEvent
    from govcloud.audit.services import audit_record
    from govcloud.core.actors import SYSTEM

    fields = [f.column for f in AuditEvent._meta.concrete_fields if f.column != "id"]
    placeholders = ", ".join(["%s"] * len(fields))
    floor_sql = f"INSERT INTO bench_floor ({', '.join(fields)}) VALUES ({placeholders})"
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_floor AS SELECT * FROM audit_auditevent WHERE 1 = 0")

    # Each append is its own transaction, as in production (one per business action).
    start = time.perf_counter()
    for i in range(n):
        audit_record(actor=SYSTEM, action="bench.event", message=f"event {i}", changes={"i": [None, i]})
    chain_seconds = time.perf_counter() - start

    rows = list(
        AuditEvent.objects.order_by("seq").values_list(
            *[f.attname for f in AuditEvent._meta.concrete_fields if f.column != "id"]
        )
    )
    start = time.perf_counter()
    for row in rows:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(floor_sql, row)
    floor_seconds = time.perf_counter() - start

    start = time.perf_counter()
    result = verify_chain()
    verify_seconds = time.perf_counter() - start
    assert result.ok, result.problem
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM bench_floor ORDER BY seq")
        scanned = len(cursor.fetchall())
    scan_seconds = time.perf_counter() - start
    assert scanned == n

    vendor = connection.vendor
    print(f"audit chain benchmark on {vendor}, {n} events")
    print(f"  append (lock, SM3, signed head) : {chain_seconds:8.3f} s  {n / chain_seconds:8.0f} events/s")
    print(f"  floor (plain insert, same rows) : {floor_seconds:8.3f} s  {n / floor_seconds:8.0f} rows/s")
    print(f"  ratio append / floor            : {chain_seconds / floor_seconds:8.2f}x")
    print(f"  verify whole chain              : {verify_seconds:8.3f} s")
    print(f"  floor (read the same rows)      : {scan_seconds:8.3f} s")
    print(f"  ratio verify / floor            : {verify_seconds / scan_seconds:8.2f}x")


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        main(count)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
