"""A task whose worker was killed runs again within two minutes once a live worker is there.

Neither task backend did this by itself: django-tasks-db leaves the task RUNNING for ever, and RQ
notices an abandoned job only after its heartbeat lapses (90 s) *and* its ten-minute maintenance
pass, then marks it failed without running it again. Only the provisioning sweep caught up, 15–25
minutes later, and only for work orders.

- Database workers (`manage.py db_worker`, which this app replaces with `HeartbeatWorker`): each
  worker process writes a `WorkerHeartbeat` every TASK_WORKER_HEARTBEAT_SECONDS from a thread of its
  own, and every TASK_WORKER_RECOVERY_SECONDS checks for RUNNING tasks whose worker has not beaten
  for TASK_WORKER_DEAD_SECONDS: those are put back in the queue (`db_tasks_recover`).
- Redis workers (`manage.py rqworker`, `RQWorker` through settings.RQ["WORKER_CLASS"]): RQ's own
  heartbeats, with the same three settings as its job-monitoring interval, abandoned-job grace and
  maintenance interval; its maintenance moves an abandoned job to the failed registry, and
  `rq_tasks_recover` puts it back in the queue under the same id.

A Redis job that failed because the database went away under it (PostgreSQL restarting or failing
over, a dropped connection: Django's OperationalError or InterfaceError) is put back in the queue
the same way, at most TASK_WORKER_LOST_RETRIES times: its transaction was rolled back, and without
this a work order would wait for the provisioning sweep and an e-mail for its retry pass
(scripts/faults.py restarts PostgreSQL under load to check it).

So the bound is TASK_WORKER_HEARTBEAT_SECONDS + TASK_WORKER_DEAD_SECONDS +
TASK_WORKER_RECOVERY_SECONDS (10 + 60 + 30 s by default). A task runs again at most
TASK_WORKER_LOST_RETRIES times (a task that kills its worker each time must not loop for ever), then
stays failed. Tasks must be idempotent — they are: a work order's run, run again under the same task
id, carries on with its own claim (delivery.provisioning).
"""

from __future__ import annotations

import logging
import os
import re
import socket
import threading
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone
from rq import Worker as BaseRQWorker

logger = logging.getLogger(__name__)

# rq's exception texts for a job whose worker was lost: it stopped beating while running the job
# (rq.exceptions.AbandonedJobError), or it died after taking the job from the queue and before
# starting it (rq.intermediate_queue: the job waits a minute in the intermediate queue, then fails).
# The second was left failed: a worker killed at that instant left its work order open for good
# (seen by scripts/faults.py, about one run in three).
ABANDONED = ("AbandonedJobError", "Job was stuck in intermediate queue.")
# How many of a queue's most recent failures each recovery pass looks at.
RECENT_FAILURES = 200
# The last line of the traceback of a job that lost the database (not a bug in the task).
DATABASE_LOST = re.compile(r"^django\.db\.utils\.(OperationalError|InterfaceError)\b", re.MULTILINE)


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def heartbeat_seconds() -> float:
    return _setting("TASK_WORKER_HEARTBEAT_SECONDS", 10)


def dead_seconds() -> float:
    return _setting("TASK_WORKER_DEAD_SECONDS", 60)


def recovery_seconds() -> float:
    return _setting("TASK_WORKER_RECOVERY_SECONDS", 30)


def lost_retries() -> int:
    return int(getattr(settings, "TASK_WORKER_LOST_RETRIES", 3))


def recovery_bound_seconds() -> float:
    """The longest a killed worker's task waits before a live worker runs it again."""
    return heartbeat_seconds() + dead_seconds() + recovery_seconds()


class WorkerLost(Exception):
    """The worker running the task stopped (killed, lost its machine) too many times."""


# --- Database workers (django-tasks-db) ------------------------------------------------------------


def worker_beat(*, worker_id: str, backend_name: str = "default") -> None:
    from govcloud.core.models import WorkerHeartbeat

    now = timezone.now()
    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(last_seen_at=now)
    if not updated:
        WorkerHeartbeat.objects.update_or_create(
            worker_id=worker_id,
            defaults={
                "backend_name": backend_name,
                "hostname": socket.gethostname()[:200],
                "pid": os.getpid(),
                "started_at": now,
                "last_seen_at": now,
            },
        )


def worker_gone(*, worker_id: str) -> None:
    from govcloud.core.models import WorkerHeartbeat

    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def db_tasks_recover(*, now: datetime | None = None) -> dict[str, int]:
    """Put back in the queue the RUNNING tasks whose worker has not beaten for
    TASK_WORKER_DEAD_SECONDS (or fail them after TASK_WORKER_LOST_RETRIES). Each change is a
    compare-and-set on (status, started_at), so two workers checking at once recover a task once."""
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from govcloud.core.models import WorkerHeartbeat

    now = now or timezone.now()
    cutoff = now - timedelta(seconds=dead_seconds())
    live = set(WorkerHeartbeat.objects.filter(last_seen_at__gt=cutoff).values_list("worker_id", flat=True))
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=cutoff).values_list(
        "pk", "started_at", "worker_ids", "task_path"
    )
    counts = {"requeued": 0, "failed": 0}
    for pk, started_at, worker_ids, task_path in running:
        if worker_ids and worker_ids[-1] in live:
            continue  # its worker is alive: a long task, not a lost one
        mine = DBTaskResult.objects.filter(pk=pk, status=TaskResultStatus.RUNNING, started_at=started_at)
        if len(worker_ids) > lost_retries():
            changed = mine.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
                traceback=f"WorkerLost: the worker stopped while running it, {len(worker_ids)} times.",
            )
            if changed:
                counts["failed"] += 1
                logger.error("task %s (%s) failed: its worker stopped %s times", pk, task_path, len(worker_ids))
        elif mine.update(status=TaskResultStatus.READY):
            counts["requeued"] += 1
            logger.warning("task %s (%s) requeued: its worker %s stopped", pk, task_path, worker_ids[-1:])
    WorkerHeartbeat.objects.filter(last_seen_at__lte=cutoff).delete()
    return counts


class _Heartbeat(threading.Thread):
    """Beats for one database worker and, every TASK_WORKER_RECOVERY_SECONDS, recovers the tasks
    of dead ones. A thread of its own, so that it beats while the worker runs a long task."""

    def __init__(self, worker_id: str, backend_name: str) -> None:
        super().__init__(name=f"heartbeat-{worker_id[:8]}", daemon=True)
        self.worker_id = worker_id
        self.backend_name = backend_name
        self.stopping = threading.Event()
        self.last_recovery = 0.0

    def beat(self) -> None:
        try:
            worker_beat(worker_id=self.worker_id, backend_name=self.backend_name)
            clock = timezone.now().timestamp()
            if clock - self.last_recovery >= recovery_seconds():
                self.last_recovery = clock
                db_tasks_recover()
        except Exception:  # the database is busy or away: beat again next time
            logger.exception("worker %s: heartbeat failed", self.worker_id)
            connection.close()

    def run(self) -> None:
        try:
            while not self.stopping.wait(heartbeat_seconds()):
                self.beat()
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=heartbeat_seconds() + 5)
        try:
            worker_gone(worker_id=self.worker_id)
        except Exception:  # its row lapses and is removed by another worker
            logger.exception("worker %s: could not remove its heartbeat", self.worker_id)


def heartbeat_worker_class():
    """django-tasks-db's Worker, beating (imported here so that core's modules load without it)."""
    from django_tasks_db.management.commands.db_worker import Worker

    class HeartbeatWorker(Worker):
        def run(self) -> None:
            heartbeat = _Heartbeat(self.worker_id, self.backend_name)
            close_old_connections()
            heartbeat.beat()  # before the first task is claimed, and recover what dead workers left
            heartbeat.start()
            try:
                super().run()
            finally:
                heartbeat.stop()

    return HeartbeatWorker


# --- Redis workers (django-tasks-rq, rq) -----------------------------------------------------------


def _abandoned(job: Any) -> bool:
    result = job.latest_result()
    return result is not None and any(marker in (result.exc_string or "") for marker in ABANDONED)


def _lost_database(job: Any) -> bool:
    result = job.latest_result()
    return result is not None and bool(DATABASE_LOST.search(result.exc_string or ""))


def rq_tasks_recover(queue: Any) -> dict[str, int]:
    """Put back in the queue, under the same id, the jobs RQ's maintenance failed because their
    worker stopped beating, and those that failed because the database went away (each at most
    TASK_WORKER_LOST_RETRIES times). `requeue` removes the job from the failed registry first and
    refuses one already removed, so two workers recover it once."""
    from rq.exceptions import InvalidJobOperation, NoSuchJobError
    from rq.registry import FailedJobRegistry

    registry = FailedJobRegistry(queue=queue)
    counts = {"requeued": 0, "failed": 0}
    for job_id in registry.get_job_ids(0, RECENT_FAILURES - 1, desc=True, cleanup=False):
        try:
            job = queue.fetch_job(job_id)
            if job is None:
                continue
            if _abandoned(job):
                key, why = "govcloud_worker_lost", "its worker stopped"
            elif _lost_database(job):
                key, why = "govcloud_database_lost", "the database went away"
            else:
                continue
            lost = int(job.meta.get(key, 0))
            if lost >= lost_retries():
                counts["failed"] += 1
                continue
            job.meta[key] = lost + 1
            job.save_meta()
            registry.requeue(job)
        except (InvalidJobOperation, NoSuchJobError):
            continue  # another worker recovered it first, or it expired
        counts["requeued"] += 1
        logger.warning("job %s requeued: %s", job_id, why)
    return counts


class RQWorker(BaseRQWorker):
    """rq's Worker with the heartbeat, grace and maintenance intervals of the settings above, and
    abandoned jobs run again instead of left failed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("job_monitoring_interval", max(1, int(heartbeat_seconds())))
        kwargs.setdefault("maintenance_interval", max(1, int(recovery_seconds())))
        super().__init__(*args, **kwargs)

    @property
    def dequeue_timeout(self) -> int:
        # An idle worker waits for a job this long before its next maintenance pass (rq's default
        # is its worker TTL less 15 s, 405 s): no longer than the recovery interval.
        return max(1, min(super().dequeue_timeout, int(recovery_seconds())))

    def get_heartbeat_ttl(self, job: Any, working_time: float = 0.0) -> int:
        # rq adds a fixed 60 s of grace to the interval; the grace here is TASK_WORKER_DEAD_SECONDS.
        interval = self.job_monitoring_interval
        if job.timeout and job.timeout > 0:
            interval = min(job.timeout - working_time, interval)
        return max(1, int(interval + dead_seconds()))

    def clean_registries(self) -> None:
        super().clean_registries()  # moves abandoned jobs to the failed registry
        for queue in self.queues:
            try:
                rq_tasks_recover(queue)
            except Exception:  # Redis hiccup: the next maintenance pass tries again
                logger.exception("worker %s: recovering abandoned jobs of %s failed", self.name, queue.name)
