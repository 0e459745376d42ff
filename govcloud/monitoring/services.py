"""Every write of utilization monitoring (Art. 7, 12, 19): samples in, rollups, retention.

- `samples_ingest` is the one way samples enter, whatever brought them (push API, drivers' collector,
  later the XLSX table and Prometheus): each sample is checked and refused on its own with a reason;
  the valid ones are stored set-based (on PostgreSQL a COPY, or INSERT … ON CONFLICT DO NOTHING
  when some of them are stored already; on SQLite INSERT … ON CONFLICT DO NOTHING), so re-sending
  a batch changes nothing.
- `rollups_run` rolls up the hours and days that received samples, each bucket one INSERT … SELECT
  over the raw table for every resource at once (average, peak and the 95th percentile by nearest
  rank, computed with window functions that SQLite and PostgreSQL share), an upsert: running it
  again for the same bucket gives the same rows. After each run, `rollups_done` is sent (where
  alert rules will hook in).
- `samples_purge` removes raw samples past `Policy.MONITORING_RAW_RETENTION_DAYS`; rollups stay. On
  PostgreSQL it drops the weekly partitions wholly past the cutoff first (partitions.py).
"""

from __future__ import annotations

import gc
import math
from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from govcloud.audit.services import audit_record
from govcloud.core.actors import Actor, actor_name, is_system
from govcloud.core.permissions import require_role
from govcloud.core.policy import Policy, policy_value
from govcloud.core.scoping import Action
from govcloud.ledger.models import Resource
from govcloud.monitoring.models import (
    METRIC_RANGES,
    SAMPLE_PUSHERS,
    CollectionRun,
    IngestBatch,
    Metric,
    PendingRollup,
    Period,
    RejectReason,
    Rollup,
    Sample,
    SampleSource,
)
from govcloud.monitoring.partitions import drop_weeks_before
from govcloud.monitoring.signals import rollups_done

# The largest batch one call takes (the push API refuses more with 400).
MAX_BATCH = getattr(settings, "MONITORING_MAX_BATCH", 5000)
# How many rejections a batch's log row keeps for reading (the caller gets them all).
KEPT_REJECTIONS = 100
_METRICS = frozenset(Metric.values)
_HOUR = timedelta(hours=1)


# --- Ingest ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rejection:
    index: int  # the sample's position in the batch, from 0
    reason: RejectReason
    message: str
    resource: str = ""
    metric: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "resource": self.resource,
            "metric": self.metric,
            "reason": self.reason.value,
            "message": self.message,
        }


@dataclass
class IngestResult:
    received: int
    accepted: int
    rejections: list[Rejection] = field(default_factory=list)
    batch: IngestBatch | None = None


def _parse_time(raw: Any) -> datetime | None:
    if isinstance(raw, datetime):
        value = raw
    elif isinstance(raw, str) and 10 <= len(raw) <= 40:
        try:
            value = datetime.fromisoformat(raw)
        except ValueError:
            return None
    else:
        return None
    if timezone.is_naive(value):
        # A time without an offset is the platform's local time (Asia/Shanghai).
        value = timezone.make_aware(value)
    return value


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _micros(moment: datetime) -> int:
    """An aware datetime as whole microseconds since the epoch: the same instant gives the same
    number whatever its offset, and comparing or hashing an int costs a fraction of an aware
    datetime's (which converts to UTC each time) in the per-sample loop."""
    return (moment - _EPOCH) // _MICROSECOND


# Compared and hashed by identity: the batch's times dict hands out one per distinct raw time.
@dataclass(frozen=True, eq=False)
class _Time:
    at: datetime
    us: int  # _micros(at)
    db_value: Any  # as the database takes it
    verdict: tuple[RejectReason, str] | None  # why a sample at this time is refused, if it is


def _judge_time(raw: Any, oldest: datetime, latest: datetime) -> _Time | None:
    at = _parse_time(raw)
    if at is None:
        return None
    verdict = None
    if at > latest:
        verdict = (RejectReason.IN_FUTURE, _("The time lies in the future."))
    elif at < oldest:
        verdict = (
            RejectReason.TOO_OLD,
            _("The time lies before the raw sample window (%(days)s days).")
            % {"days": policy_value(Policy.MONITORING_RAW_RETENTION_DAYS)},
        )
    if connection.vendor == "postgresql":
        # As text for the insert's array literal (_insert_samples), in UTC: never the session's zone.
        db_value = at.astimezone(UTC).isoformat()
    else:
        db_value = connection.ops.adapt_datetimefield_value(at)
    return _Time(at, _micros(at), db_value, verdict)


def _parse_value(raw: Any) -> float | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float | Decimal):
        value = float(raw)
    elif isinstance(raw, str) and len(raw) <= 40:
        try:
            value = float(raw.strip())
        except ValueError:
            return None
    else:
        return None
    return value if math.isfinite(value) else None


def _resources_by_code(actor: Actor, codes: set[str]) -> dict[str, tuple]:
    """{code: (pk, in service since, terminated at)} of the resources the actor may push for, the
    times as microseconds since the epoch (_micros) or None: one query. A resource outside the
    actor's scope is unknown to it, exactly like a missing one.

    Whoever may push (the provider, the platform) sees the whole ledger, so the lookup is one raw
    SELECT … WHERE code IN (…): through the ORM, preparing thousands of parameters and converting
    every row's two times cost a third of a push request. Were a pusher's scope ever narrower, the
    scoped ORM query is used."""
    if not codes:
        return {}
    if not is_system(actor) and Resource.scope_policy.q_for(actor, Action.CHANGE) is not None:
        rows = (
            Resource.objects.restrict(actor, Action.CHANGE)
            .filter(code__in=codes)
            .values_list("code", "pk", "in_service_at", "terminated_at")
        )
        return {
            code: (pk, None if since is None else _micros(since), None if until is None else _micros(until))
            for code, pk, since, until in rows
        }
    q = connection.ops.quote_name
    table = q(Resource._meta.db_table)
    columns = ", ".join(q(c) for c in ("code", "id", "in_service_at", "terminated_at"))
    found: dict[str, tuple] = {}
    moments: dict[Any, int | None] = {None: None}
    codes = list(codes)
    if connection.vendor == "postgresql":
        with _binary_cursor() as cursor:
            # Rows in binary too: psycopg's C loader reads a binary timestamptz, where the text one
            # Django registers parses each time in Python (most of the lookup's time).
            cursor.execute(
                f"SELECT {columns} FROM {table} WHERE {q('code')} = ANY(%b::varchar[])", [codes], binary=True
            )
            fetched = cursor.fetchall()
    else:
        fetched = []
        with connection.cursor() as cursor:
            for start in range(0, len(codes), 5000):
                chunk = codes[start : start + 5000]
                cursor.execute(
                    f"SELECT {columns} FROM {table} WHERE {q('code')} IN ({', '.join(['%s'] * len(chunk))})", chunk
                )
                fetched += cursor.fetchall()
    for code, pk, since, until in fetched:
        for raw in (since, until):
            if raw not in moments:
                moments[raw] = _micros(_db_datetime(raw))
        found[code] = (pk, moments[since], moments[until])
    return found


def _db_datetime(raw: Any) -> datetime:
    """A datetime column's value as a raw cursor returns it (aware on PostgreSQL; naive UTC, or its
    text, on SQLite), as an aware datetime."""
    if isinstance(raw, datetime):
        return raw if timezone.is_aware(raw) else raw.replace(tzinfo=UTC)
    return parse_datetime(raw).replace(tzinfo=UTC)


@contextmanager
def _collector_paused():
    """Pause Python's cyclic garbage collector (reference counting still frees everything here) and
    resume it after, if it was running: a batch of 5,000 samples allocates tens of thousands of
    tuples, and each allocation threshold crossed would make the collector walk them again."""
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()


def _buckets(times: Iterable[datetime]) -> set[tuple[str, datetime]]:
    """The hours and the (local) days the times fall in, as pending rollups."""
    hours = {t.astimezone(UTC).replace(minute=0, second=0, microsecond=0) for t in times}
    days = {day_start(h) for h in hours}
    return {(Period.HOUR, h) for h in hours} | {(Period.DAY, d) for d in days}


def day_start(moment: datetime) -> datetime:
    """Midnight of the platform's local day (Asia/Shanghai) that `moment` falls in."""
    local = timezone.localtime(moment)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _binary_cursor():
    """On PostgreSQL, a psycopg cursor on Django's connection (so inside its transaction) that binds
    parameters on the server and sends `%b` ones in binary: Django's own cursor quotes every value
    into the SQL text on the client, which for thousands of values costs more than the insert."""
    import psycopg

    connection.ensure_connection()
    return psycopg.Cursor(connection.connection)


def _insert_samples(rows: list[tuple], source: str) -> None:
    """A bulk insert of (resource pk, metric, time's database value, value) rows, distinct on
    (resource, metric, time), that leaves rows already stored as they are — what
    `bulk_create(ignore_conflicts=True)` does, without building a model instance and compiling SQL
    per row, which cost most of a push request's time.

    On PostgreSQL the batch is first COPYed into the table inside a savepoint: COPY writes rows in
    bulk (a WAL record per page, not per row) and is the fastest way in, but it cannot skip a
    conflict. When any row is stored already (a re-sent or overlapping batch) the unique index
    refuses the COPY, the savepoint is rolled back and the batch goes through
    `_insert_samples_ignoring_stored` instead, which stores exactly the missing rows. On SQLite
    (in-process, no round trips) the parametrized INSERT … ON CONFLICT DO NOTHING run for all rows
    (executemany)."""
    if connection.vendor == "postgresql":
        import psycopg

        try:
            with transaction.atomic(), _binary_cursor() as cursor:
                table = connection.ops.quote_name(Sample._meta.db_table)
                with cursor.copy(f"COPY {table} (resource_id, metric, at, value, source) FROM STDIN") as copy:
                    # The text format written whole, not row by row through write_row: no field can
                    # hold a tab, newline or backslash (see _insert_samples_ignoring_stored).
                    copy.write(
                        "".join([f"{pk}\t{metric}\t{at}\t{value!r}\t{source}\n" for pk, metric, at, value in rows])
                    )
            return
        except psycopg.errors.UniqueViolation:
            pass
        _insert_samples_ignoring_stored(rows, source)
        return
    q = connection.ops.quote_name
    columns = ", ".join(q(c) for c in ("resource_id", "metric", "at", "value", "source"))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {q(Sample._meta.db_table)} ({columns}) VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            [(*row, source) for row in rows],
        )


def _insert_samples_ignoring_stored(rows: list[tuple], source: str) -> None:
    """PostgreSQL: one INSERT … SELECT FROM unnest(arrays) … ON CONFLICT DO NOTHING for the whole
    batch, each column sent as one array literal built by `str.join`: psycopg dumps a Python list
    element by element in Python (a third of the request), while the literal is assembled in C and
    parsed by the server. Every element is safe in a literal unquoted: pks are ints, metrics are
    checked names (and the source a SampleSource value), times are ISO texts in UTC (see
    _judge_time), values are finite floats whose repr PostgreSQL reads back exactly."""
    q = connection.ops.quote_name
    columns = ", ".join(q(c) for c in ("resource_id", "metric", "at", "value", "source"))
    pks, metrics, times, values = zip(*rows, strict=True)
    literals = ["{" + ",".join(column) + "}" for column in (map(str, pks), metrics, times, map(repr, values))]
    with _binary_cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {q(Sample._meta.db_table)} ({columns}) SELECT pk, metric, at, value, %s "
            "FROM unnest(%s::bigint[], %s::varchar[], %s::timestamptz[], %s::float8[]) "
            "AS batch (pk, metric, at, value) ON CONFLICT DO NOTHING",
            [source, *literals],
        )


def samples_ingest(
    *, actor: Actor, source: SampleSource | str, samples: Iterable[Mapping[str, Any]], now: datetime | None = None
) -> IngestResult:
    """Check and store a batch of samples ({"resource": ledger code, "metric", "time", "value"}).

    Each sample is refused on its own, with a reason (RejectReason), when it is malformed, names an
    unknown metric or a resource the actor does not serve, falls outside the time the resource was
    in service, lies in the future (beyond the clock-skew policy) or before the raw sample window,
    or carries a value outside its metric's range; a repeat of a (resource, metric, time) within the
    batch is refused as a duplicate. The others are stored; one already stored is left as it is
    (idempotent). Only the provider (and the platform's own collectors) may push: a department
    gets PermissionDenied."""
    require_role(actor, SAMPLE_PUSHERS)
    source = SampleSource(source)
    samples = list(samples)
    if len(samples) > MAX_BATCH:
        raise ValidationError(
            _("A batch holds at most %(max)s samples; this one has %(count)s.")
            % {"max": MAX_BATCH, "count": len(samples)}
        )
    now = now or timezone.now()
    oldest = now - timedelta(days=int(policy_value(Policy.MONITORING_RAW_RETENTION_DAYS)))
    latest = now + timedelta(minutes=int(policy_value(Policy.MONITORING_CLOCK_SKEW_MINUTES)))

    # The checks allocate a few tuples per sample, all short-lived and acyclic; with the collector
    # running, its generational passes over them cost as much as the checks themselves.
    with _collector_paused():
        rejections: list[Rejection] = []
        parsed: list[tuple[int, str, str, _Time, float]] = []
        # A batch repeats a few timestamps many times: each distinct one is parsed, judged against the
        # window and adapted for the database once.
        times: dict[Any, _Time | None] = {}
        for index, sample in enumerate(samples):
            if type(sample) is not dict and not isinstance(sample, Mapping):
                rejections.append(Rejection(index, RejectReason.INVALID, _("A sample is an object.")))
                continue
            code = sample.get("resource")
            metric = sample.get("metric")
            code = code.strip() if isinstance(code, str) else ""
            metric = metric if isinstance(metric, str) else ""
            if not code or len(code) > 40:
                reason = (RejectReason.INVALID, _("The resource number is missing or too long."))
            elif metric not in _METRICS:
                reason = (
                    RejectReason.UNKNOWN_METRIC,
                    _("Unknown metric; use one of: %(m)s.") % {"m": ", ".join(Metric.values)},
                )
            else:
                raw_time = sample.get("time")
                try:
                    moment = times[raw_time]
                except KeyError:
                    moment = times[raw_time] = _judge_time(raw_time, oldest, latest)
                except TypeError:  # an unhashable "time" (a list, an object)
                    moment = None
                value = sample.get("value")
                # The common case first: a finite JSON number with a fraction.
                if type(value) is not float or not math.isfinite(value):
                    value = _parse_value(value)
                if moment is None:
                    reason = (RejectReason.INVALID, _("The time is missing or not an ISO 8601 date and time."))
                elif value is None:
                    reason = (RejectReason.INVALID, _("The value is missing or not a number."))
                elif not (bounds := METRIC_RANGES[metric])[0] <= value <= bounds[1]:
                    reason = (
                        RejectReason.OUT_OF_RANGE,
                        _("%(value)s is outside %(low)s–%(high)s for %(metric)s.")
                        % {
                            "value": f"{value:g}",
                            "low": f"{bounds[0]:g}",
                            "high": f"{bounds[1]:g}",
                            "metric": Metric(metric).label,
                        },
                    )
                elif moment.verdict is not None:
                    reason = moment.verdict
                else:
                    parsed.append((index, code, metric, moment, value))
                    continue
            rejections.append(Rejection(index, reason[0], reason[1], resource=code[:40], metric=metric[:20]))

        resources = _resources_by_code(actor, {p[1] for p in parsed})
        seen: set[tuple[int, str, int]] = set()
        rows: list[tuple] = []
        kept_times: set[_Time] = set()
        source_value = source.value
        for index, code, metric, moment, value in parsed:
            resource = resources.get(code)
            if resource is None:
                rejections.append(
                    Rejection(index, RejectReason.UNKNOWN_RESOURCE, _("No such resource in the ledger."), code, metric)
                )
                continue
            at = moment.us
            pk, since, until = resource
            if since is None or at < since or (until is not None and at >= until):
                rejections.append(
                    Rejection(
                        index,
                        RejectReason.NOT_IN_SERVICE,
                        _("The resource was not in service at that time."),
                        code,
                        metric,
                    )
                )
                continue
            key = (pk, metric, at)
            if key in seen:
                rejections.append(
                    Rejection(
                        index,
                        RejectReason.DUPLICATE,
                        _("The same resource, metric and time came earlier."),
                        code,
                        metric,
                    )
                )
                continue
            seen.add(key)
            rows.append((pk, metric, moment.db_value, value))
            kept_times.add(moment)

    rejections.sort(key=lambda r: r.index)
    with transaction.atomic():
        if rows:
            _insert_samples(rows, source_value)
            PendingRollup.objects.bulk_create(
                [PendingRollup(period=p, start=s) for p, s in _buckets({t.at for t in kept_times})],
                ignore_conflicts=True,
            )
        batch = IngestBatch.objects.create(
            received_at=now,
            source=source,
            actor_name=actor_name(actor),
            received=len(samples),
            accepted=len(rows),
            rejected=len(rejections),
            rejections=[r.as_dict() for r in rejections[:KEPT_REJECTIONS]],
        )
    return IngestResult(received=len(samples), accepted=len(rows), rejections=rejections, batch=batch)


# --- Rollups ---------------------------------------------------------------------------------------


def bucket_end(period: str, start: datetime) -> datetime:
    if period == Period.HOUR:
        return start + _HOUR
    # A local day ends at the next local midnight.
    following = timezone.localtime(start).date() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(following, time()))


def _rollup_sql() -> str:
    q = connection.ops.quote_name
    rollup, sample = q(Rollup._meta.db_table), q(Sample._meta.db_table)
    cols = ", ".join(q(c) for c in ("resource_id", "metric", "period", "start", "avg", "max", "p95", "count"))
    # The 95th percentile by nearest rank: the value at rank ceil(0.95·n) of the bucket's values in
    # ascending order, i.e. (95·n + 99) / 100 in integer arithmetic (what percentile_disc(0.95)
    # gives on PostgreSQL), portable to SQLite.
    return f"""
        INSERT INTO {rollup} ({cols})
        SELECT resource_id, metric, %s, %s, AVG(value), MAX(value),
               MAX(CASE WHEN rn = (95 * n + 99) / 100 THEN value END), COUNT(*)
        FROM (
            SELECT resource_id, metric, value,
                   ROW_NUMBER() OVER (PARTITION BY resource_id, metric ORDER BY value) AS rn,
                   COUNT(*) OVER (PARTITION BY resource_id, metric) AS n
            FROM {sample}
            WHERE {q("at")} >= %s AND {q("at")} < %s
        ) ranked
        WHERE 1 = 1
        GROUP BY resource_id, metric
        ON CONFLICT ({q("resource_id")}, {q("metric")}, {q("period")}, {q("start")}) DO UPDATE SET
            {q("avg")} = excluded.{q("avg")}, {q("max")} = excluded.{q("max")},
            {q("p95")} = excluded.{q("p95")}, {q("count")} = excluded.{q("count")}
    """


def rollup_bucket(*, period: str, start: datetime) -> int:
    """Roll up one hour or day for every resource and metric with samples in it: one statement,
    an upsert, so running it again gives the same rows. The number of rows written."""
    period = Period(period)
    end = bucket_end(period, start)
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(_rollup_sql(), [period.value, adapt(start), adapt(start), adapt(end)])
        return max(cursor.rowcount, 0)


@dataclass
class RollupRun:
    period: str
    buckets: list[datetime] = field(default_factory=list)
    rows: int = 0


def rollups_run(*, actor: Actor, period: Period | str, now: datetime | None = None) -> RollupRun:
    """Roll up every hour (or day) that received samples and has ended. Safe to run again and side
    by side with ingest: a bucket is claimed (its pending mark removed) before it is read, so
    samples arriving meanwhile mark it again for the next run. Rollups of a bucket whose raw samples
    are gone (past retention) are never touched."""
    require_role(actor, frozenset())  # the platform's job (SYSTEM); no person runs it by hand
    period = Period(period)
    now = now or timezone.now()
    run = RollupRun(period=period.value)
    with transaction.atomic():
        pending = list(
            PendingRollup.objects.select_for_update().filter(period=period).order_by("start").values_list("pk", "start")
        )
        ended = [(pk, start) for pk, start in pending if bucket_end(period, start) <= now]
        PendingRollup.objects.filter(pk__in=[pk for pk, _s in ended]).delete()
    for _pk, start in ended:
        with transaction.atomic():
            run.rows += rollup_bucket(period=period, start=start)
        run.buckets.append(start)
    if run.buckets:
        rollups_done.send(sender=Rollup, period=period.value, starts=list(run.buckets))
    return run


def rollups_rebuild(*, actor: Actor, since: datetime, until: datetime) -> int:
    """Mark every hour and day in [since, until) that still has raw samples for rolling up again
    (after a correction or a change of the rollup rules); the next runs do the work. The number of
    buckets marked."""
    require_role(actor, frozenset())
    hours = set()
    hour = since.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    while hour < until:
        hours.add(hour)
        hour += _HOUR
    marks = _buckets(hours)
    PendingRollup.objects.bulk_create([PendingRollup(period=p, start=s) for p, s in marks], ignore_conflicts=True)
    return len(marks)


# --- Retention -------------------------------------------------------------------------------------


def samples_purge(*, actor: Actor, now: datetime | None = None) -> int:
    """Remove raw samples (and batch logs, collection runs) older than the retention policy,
    set-based; rollups stay. One audit event when anything was removed. The number of samples removed."""
    require_role(actor, frozenset())
    now = now or timezone.now()
    days = int(policy_value(Policy.MONITORING_RAW_RETENTION_DAYS))
    cutoff = now - timedelta(days=days)
    # On PostgreSQL whole weeks past the cutoff are dropped first, each in its own short transaction
    # (govcloud/monitoring/partitions.py); then the rows before the cutoff that are left go.
    dropped, removed = drop_weeks_before(cutoff)
    with transaction.atomic():
        # No cascades and no signals on these models: one DELETE statement each.
        deleted, _detail = Sample.objects.filter(at__lt=cutoff).delete()
        removed += deleted
        PendingRollup.objects.filter(start__lt=cutoff - timedelta(days=1)).delete()
        IngestBatch.objects.filter(received_at__lt=cutoff).delete()
        CollectionRun.objects.filter(started_at__lt=cutoff).delete()
        if removed:
            audit_record(
                actor=actor,
                action="monitoring.samples_purge",
                object_type="monitoring.sample",
                object_repr=_("Raw utilization samples"),
                message=_("Removed %(count)s raw samples older than %(days)s days (before %(cutoff)s).")
                % {"count": removed, "days": days, "cutoff": timezone.localtime(cutoff).strftime("%Y-%m-%d %H:%M")}
                + (" " + _("Partitions dropped: %(names)s.") % {"names": ", ".join(dropped)} if dropped else ""),
            )
    return removed
