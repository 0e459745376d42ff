"""Writes of the core app: background jobs and their progress; idempotency keys of creating requests."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from govcloud.core import idempotency
from govcloud.core.actors import Actor, is_system
from govcloud.core.models import IdempotencyKey, Job, JobStatus
from govcloud.core.policy import Policy, policy_value

logger = logging.getLogger(__name__)


def job_start(*, actor: Actor, kind: str, label: str, task: Any, params: dict | None = None) -> Job:
    """Record a job and enqueue `task(job_id)` once the surrounding transaction commits.

    The caller writes the audit event of the business action (an export, an import); the job row
    is bookkeeping for the progress bar.
    """
    job = Job.objects.create(
        kind=kind,
        label=label,
        owner=None if is_system(actor) else actor,
        params=params or {},
    )
    transaction.on_commit(lambda: task.enqueue(str(job.pk)))
    return job


class Progress:
    """Handed to the work function; writes progress outside any business transaction so the
    progress bar sees it while the job runs. Writes at most every 1 % to keep the load low."""

    def __init__(self, job_id) -> None:
        self.job_id = job_id
        self._last_percent = -1

    def __call__(self, done: int, total: int, message: str = "") -> None:
        percent = int(done * 100 / total) if total else 0
        if percent == self._last_percent and done != total:
            return
        self._last_percent = percent
        fields: dict[str, Any] = {"progress_done": done, "progress_total": total}
        if message:
            fields["message"] = message
        Job.objects.filter(pk=self.job_id).update(**fields)


def job_private_path(job: Job, filename: str) -> Path:
    folder = Path(settings.PRIVATE_MEDIA_ROOT) / "jobs" / str(job.pk)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / filename


def job_run(*, job_id: str, work: Callable[[Job, Progress], dict | None]) -> dict | None:
    """Run `work` for a job: marks it running, then succeeded with its result or failed with the
    reason. A job already finished is not run again (a retried or duplicated task is harmless)."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        if job.is_finished:
            logger.info("job %s already finished; duplicate delivery ignored", job_id)
            return job.result
        job.status = JobStatus.RUNNING
        job.started_at = timezone.now()
        job.save(update_fields=["status", "started_at"])
    try:
        result = work(job, Progress(job.pk)) or {}
    except ValidationError as exc:
        # Bad input is the user's to fix, not a crash: the job fails with the reasons, and the
        # work function's transaction has changed nothing.
        Job.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED, finished_at=timezone.now(), result={"errors": exc.messages}, message=""
        )
        return None
    except Exception as exc:
        logger.exception("job %s failed", job_id)
        Job.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED,
            finished_at=timezone.now(),
            message=_("Failed: %(error)s") % {"error": exc},
            result={"traceback": traceback.format_exc(limit=5)},
        )
        raise
    Job.objects.filter(pk=job_id).update(status=JobStatus.SUCCEEDED, finished_at=timezone.now(), result=result)
    return result


def job_attach_file(*, job: Job, path: Path, download_name: str) -> None:
    relative = path.relative_to(settings.PRIVATE_MEDIA_ROOT)
    Job.objects.filter(pk=job.pk).update(result_file=str(relative), result_filename=download_name)


def job_reap_stale(*, older_than_hours: int = 6) -> int:
    """Mark jobs stuck in 'running' (their worker died) as failed, so nobody waits forever."""
    cutoff = timezone.now() - timedelta(hours=older_than_hours)
    return Job.objects.filter(status=JobStatus.RUNNING, started_at__lt=cutoff).update(
        status=JobStatus.FAILED,
        finished_at=timezone.now(),
        message=_("The worker stopped while running this job; start it again."),
    )


# --- Idempotency keys (govcloud/core/idempotency.py) -----------------------------------------------

# How long a repeat waits for the first request with its key to finish before it is told 409.
IDEMPOTENCY_WAIT_SECONDS = 10
_LOCK_NOT_AVAILABLE = "55P03"


class _RolledBack(Exception):
    def __init__(self, response: HttpResponse) -> None:
        super().__init__(response.status_code)
        self.response = response


def _idempotency_cutoff(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(hours=int(policy_value(Policy.IDEMPOTENCY_KEY_HOURS)))


def _reserve(
    *, user: Actor, key: str, fingerprint: str, method: str, path: str
) -> tuple[IdempotencyKey | None, IdempotencyKey | None]:
    """Insert the key's row (the reservation), or find the earlier request's."""
    for _attempt in range(2):
        try:
            with transaction.atomic():
                postgres = connection.vendor == "postgresql"
                if postgres:
                    # A duplicate's insert waits on the first request's uncommitted row; not forever.
                    with connection.cursor() as cursor:
                        cursor.execute(f"SET LOCAL lock_timeout = '{int(IDEMPOTENCY_WAIT_SECONDS)}s'")
                record = IdempotencyKey.objects.create(
                    user=user, key=key, fingerprint=fingerprint, method=method, path=path
                )
                if postgres:
                    with connection.cursor() as cursor:
                        cursor.execute("SET LOCAL lock_timeout TO DEFAULT")
            return record, None
        except IntegrityError:
            existing = IdempotencyKey.objects.filter(user=user, key=key).first()
            if existing is None:
                continue  # purged in between: reserve again
            if existing.created_at < _idempotency_cutoff():
                existing.delete()  # expired, the purge has not run yet: a new request
                continue
            return None, existing
        except OperationalError as exc:
            if getattr(exc.__cause__, "sqlstate", None) == _LOCK_NOT_AVAILABLE:
                raise idempotency.IdempotencyRefused(409)
            raise
    raise idempotency.IdempotencyRefused(409)


def idempotency_key_execute(
    *, user: Actor, key: str, fingerprint: str, method: str, path: str, call: Callable[[], HttpResponse]
) -> HttpResponse:
    """Run a creating request once per (user, key); a repeat gets the first answer.

    The reservation row, the request's work (`call`, the view) and the stored answer commit in one
    transaction: either all of it happened or none of it. A concurrent duplicate's insert waits for
    the first transaction (PostgreSQL: on the unique row; SQLite: on the write lock), then finds the
    completed row and replays it. An error answer (4xx) is not kept — the row is removed, the rest
    of the work (a recorded denial) commits; a server error (5xx) rolls the whole request back.
    Raises idempotency.IdempotencyRefused (409 still running, 422 key reused for another request).
    """
    try:
        with transaction.atomic():
            record, existing = _reserve(user=user, key=key, fingerprint=fingerprint, method=method, path=path)
            if existing is not None:
                if existing.fingerprint != fingerprint:
                    raise idempotency.IdempotencyRefused(422)
                if not existing.status_code:
                    raise idempotency.IdempotencyRefused(409)
                return idempotency.replay(
                    idempotency.StoredResponse(
                        status_code=existing.status_code,
                        content_type=existing.content_type,
                        location=existing.location,
                        body=existing.body,
                    )
                )
            response = call()
            if response.status_code >= 500:
                raise _RolledBack(response)
            stored = idempotency.storable(response)
            if stored is None:
                record.delete()
            else:
                record.status_code = stored.status_code
                record.content_type = stored.content_type
                record.location = stored.location
                record.body = stored.body
                record.save(update_fields=["status_code", "content_type", "location", "body"])
            return response
    except _RolledBack as rolled_back:
        return rolled_back.response


def idempotency_keys_purge(*, now: datetime | None = None) -> int:
    """Remove idempotency keys older than Policy.IDEMPOTENCY_KEY_HOURS (hourly job)."""
    deleted, _by_model = IdempotencyKey.objects.filter(created_at__lt=_idempotency_cutoff(now)).delete()
    return deleted
