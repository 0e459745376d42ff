"""The raw sample table's partitions on PostgreSQL (issue 13 §1): native declarative range
partitioning on `at`, one partition per week (Monday 00:00 UTC to the next), created by migration
0004. A province's hundreds of millions of rows stay in small tables whose indexes fit in memory, and
retention drops a week's table instead of deleting its rows one by one.

- Weekly, not monthly: with the 35-day raw window a month-wide partition would keep up to two months
  of rows on disk before it could be dropped; a week keeps at most a week more than the policy.
- A DEFAULT partition catches a sample whose week has no partition yet (a far-past correction, a
  clock gone wrong, the benchmark's rows), so no insert ever fails for want of a partition. The
  daily job creates the weeks from the start of the raw window to `WEEKS_AHEAD` weeks ahead, and
  when it creates a week it moves that week's rows out of the default partition first (create the
  table alone, move the rows, attach it), since PostgreSQL refuses a partition whose rows sit in
  the default one. Ingest itself only accepts times inside the raw window (and a few minutes of
  clock skew), which the job keeps covered.
- Retention (services.samples_purge) drops every week wholly older than the cutoff, then deletes the
  rows older than the cutoff that are left (in the week the cutoff falls in and in the default
  partition), so the policy holds to the minute as on SQLite. A trade-off to know: run daily, that
  DELETE removes each day's rows as the cutoff passes them, so a week is usually empty by the time
  it is dropped; the drop does the heavy work when the purge has not run for a while or the policy
  is shortened. Keeping rows up to a week past the policy (dropping whole weeks only) would make
  the drop do all the work; the policy is exact here because the retention tests expect it.

On SQLite (and on a PostgreSQL table that is not partitioned) every function here does nothing.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from govcloud.core.actors import Actor
from govcloud.core.permissions import require_role
from govcloud.core.policy import Policy, policy_value
from govcloud.monitoring.models import Sample

WEEK = timedelta(days=7)
# How many weeks past the current one always have their partition.
WEEKS_AHEAD = 4
DEFAULT_SUFFIX = "_default"
_WEEK_NAME = re.compile(r"_w(\d{8})$")


def _table() -> str:
    return Sample._meta.db_table


def week_start(moment: datetime) -> datetime:
    """Monday 00:00 UTC of the week `moment` falls in (partition bounds are in UTC)."""
    utc = moment.astimezone(UTC)
    return (utc - timedelta(days=utc.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)


def partition_name(start: datetime) -> str:
    return f"{_table()}_w{start:%Y%m%d}"


def is_partitioned() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [_table()])
        row = cursor.fetchone()
    return bool(row) and row[0] == "p"


def partitions() -> dict[str, datetime | None]:
    """{partition name: its week's start (None for the default partition)} from pg_inherits."""
    if not is_partitioned():
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = to_regclass(%s) ORDER BY c.relname",
            [_table()],
        )
        names = [row[0] for row in cursor.fetchall()]
    found: dict[str, datetime | None] = {}
    for name in names:
        match = _WEEK_NAME.search(name)
        found[name] = datetime.strptime(match.group(1), "%Y%m%d").replace(tzinfo=UTC) if match else None
    return found


def create_week(start: datetime) -> str:
    """Create the partition of the week starting at `start` (a Monday 00:00 UTC), moving that week's
    rows out of the default partition (see the module docstring). Its indexes, keys and foreign key
    come from the parent on ATTACH. Run in a transaction."""
    q = connection.ops.quote_name
    table, name = _table(), partition_name(start)
    end = start + WEEK
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {q(name)} (LIKE {q(table)} INCLUDING DEFAULTS)")
        cursor.execute(
            f"WITH moved AS (DELETE FROM {q(table + DEFAULT_SUFFIX)} WHERE {q('at')} >= %s AND {q('at')} < %s "
            f"RETURNING *) INSERT INTO {q(name)} SELECT * FROM moved",
            [start, end],
        )
        cursor.execute(f"ALTER TABLE {q(table)} ATTACH PARTITION {q(name)} FOR VALUES FROM (%s) TO (%s)", [start, end])
    return name


def sample_partitions_ensure(*, actor: Actor, now: datetime | None = None) -> list[str]:
    """Create the missing weekly partitions from the start of the raw window to WEEKS_AHEAD weeks
    ahead; safe to run again. The names created."""
    require_role(actor, frozenset())  # the platform's job (SYSTEM)
    if not is_partitioned():
        return []
    now = now or timezone.now()
    days = int(policy_value(Policy.MONITORING_RAW_RETENTION_DAYS))
    existing = set(partitions())
    created = []
    start = week_start(now - timedelta(days=days))
    last = week_start(now) + WEEKS_AHEAD * WEEK
    while start <= last:
        if partition_name(start) not in existing:
            # One week per transaction: each holds the parent's lock only briefly.
            with transaction.atomic():
                created.append(create_week(start))
        start += WEEK
    return created


def drop_weeks_before(cutoff: datetime) -> tuple[list[str], int]:
    """Drop the weekly partitions that lie wholly before `cutoff`: (their names, the rows they held)."""
    if not is_partitioned():
        return [], 0
    q = connection.ops.quote_name
    dropped, rows = [], 0
    for name, start in partitions().items():
        if start is None or start + WEEK > cutoff:
            continue
        with transaction.atomic(), connection.cursor() as cursor:
            # DROP refuses a table with deferred foreign key checks pending in this transaction
            # (rows a caller inserted before, in the same transaction): run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"SELECT COUNT(*) FROM {q(name)}")
            rows += cursor.fetchone()[0]
            cursor.execute(f"DROP TABLE {q(name)}")
        dropped.append(name)
    return dropped, rows
