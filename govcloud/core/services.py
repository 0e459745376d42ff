"""Writes of the core app: background jobs and their progress."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govcloud.core.actors import Actor, is_system
from govcloud.core.models import Job, JobStatus

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
