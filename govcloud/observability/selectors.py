"""What the metrics endpoint reads at scrape time: task queues and overdue applications.

The platform reads as the actor SYSTEM: the metrics are counts over the whole city, never rows, and
the endpoint is closed to the public (views.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db.models import Case, Count, F, Min, Q, When
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from govcloud.applications.selectors import overdue_counts
from govcloud.core.actors import SYSTEM

DB_BACKEND = "django_tasks_db.DatabaseBackend"
RQ_BACKEND = "django_tasks_rq.RQBackend"


@dataclass(frozen=True)
class QueueState:
    backend: str
    name: str
    waiting: int = 0
    oldest_age_seconds: float = 0.0
    running: int = 0
    failed: int = 0


def _age(oldest: datetime | None, now: datetime) -> float:
    if oldest is None:
        return 0.0
    if timezone.is_naive(oldest):  # RQ keeps UTC times without a zone
        oldest = oldest.replace(tzinfo=UTC)
    return max((now - oldest).total_seconds(), 0.0)


def _db_queues(now: datetime) -> list[QueueState]:
    """The django-tasks-db table, in one query: a task is waiting once it may run (its run_after
    passed, or it has none), and its age counts from that moment."""
    date_max = get_date_max()
    due = Q(status=TaskResultStatus.READY) & (Q(run_after=date_max) | Q(run_after__lte=now))
    rows = (
        DBTaskResult.objects.order_by()
        .values("queue_name")
        .annotate(
            waiting=Count("pk", filter=due),
            oldest=Min(Case(When(run_after=date_max, then=F("enqueued_at")), default=F("run_after")), filter=due),
            running=Count("pk", filter=Q(status=TaskResultStatus.RUNNING)),
            failed=Count("pk", filter=Q(status=TaskResultStatus.FAILED)),
        )
    )
    found = {
        row["queue_name"]: QueueState(
            backend="db",
            name=row["queue_name"],
            waiting=row["waiting"],
            oldest_age_seconds=_age(row["oldest"], now),
            running=row["running"],
            failed=row["failed"],
        )
        for row in rows
    }
    # The default queue is always reported, so an alert rule sees 0 rather than no series.
    found.setdefault("default", QueueState(backend="db", name="default"))
    return [found[name] for name in sorted(found)]


def _rq_queues(now: datetime) -> list[QueueState]:
    import django_rq
    from rq.job import Job

    states = []
    for name in sorted(settings.TASKS["default"].get("QUEUES", ["default"])):
        queue = django_rq.get_queue(name)
        oldest = None
        # RQ keeps a queue in order: its head is the oldest job waiting.
        head = queue.get_job_ids(0, 1)
        if head:
            job = Job.fetch(head[0], connection=queue.connection)
            oldest = job.enqueued_at
        states.append(
            QueueState(
                backend="rq",
                name=name,
                waiting=queue.count,
                oldest_age_seconds=_age(oldest, now),
                running=queue.started_job_registry.count,
                failed=queue.failed_job_registry.count,
            )
        )
    return states


def task_queues(*, now: datetime | None = None) -> list[QueueState]:
    """The configured task backend's queues. An inline backend (`immediate`, the tests) has none."""
    now = now or timezone.now()
    backend = settings.TASKS["default"]["BACKEND"]
    if backend == DB_BACKEND:
        return _db_queues(now)
    if backend == RQ_BACKEND:
        return _rq_queues(now)
    return []


def overdue_applications(*, now: datetime | None = None) -> dict[str, int]:
    return overdue_counts(user=SYSTEM, now=now)
