"""Periodic jobs: declared once (`govcloud/schedule.py`), run exactly once per scheduled time.

`manage.py scheduler` (started by `make run` beside the worker) wakes every few seconds. For each
job it finds the latest scheduled time not in the future and inserts a `PeriodicRun` row for it;
the unique constraint on (name, time) lets exactly one of several schedulers win, and only the
winner enqueues the task. A run whose enqueue was lost (the scheduler died between the insert and
the enqueue) is picked up again by the next pass.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from croniter import croniter
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from govcloud.core.models import PeriodicRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    cron: str  # in the platform's time zone (Asia/Shanghai)
    task: str  # dotted path to a django-tasks Task taking no arguments
    description: str = ""

    def latest_slot(self, now: datetime) -> datetime:
        local = timezone.localtime(now)
        # croniter's get_prev is strictly before `now`; a slot exactly at `now` is due now.
        return croniter(self.cron, local + timedelta(microseconds=1)).get_prev(datetime)


def periodic_jobs() -> list[PeriodicJob]:
    """The project's periodic jobs: settings.PERIODIC_JOBS names the list (`govcloud/schedule.py`),
    the way ROOT_URLCONF names the routes — core, the floor, imports no module above it."""
    from django.conf import settings

    return list(import_string(settings.PERIODIC_JOBS))


def _enqueue(job: PeriodicJob, run: PeriodicRun) -> None:
    result = import_string(job.task).enqueue()
    PeriodicRun.objects.filter(pk=run.pk).update(task_result_id=str(result.id))


def tick(jobs: list[PeriodicJob], now: datetime | None = None) -> list[str]:
    """One scheduler pass. Returns the names of the jobs this pass enqueued."""
    now = now or timezone.now()
    enqueued = []
    for job in jobs:
        slot = job.latest_slot(now)
        try:
            with transaction.atomic():
                run = PeriodicRun.objects.create(name=job.name, scheduled_for=slot)
        except IntegrityError:
            continue  # another scheduler (or an earlier pass) has this slot
        _enqueue(job, run)
        enqueued.append(job.name)
        logger.info("periodic job %s enqueued for %s", job.name, slot)
    _recover_lost(jobs, now)
    return enqueued


def _recover_lost(jobs: list[PeriodicJob], now: datetime) -> None:
    by_name = {job.name: job for job in jobs}
    stale = PeriodicRun.objects.filter(task_result_id="", enqueued_at__lt=now - timedelta(minutes=1))
    for run in stale:
        job = by_name.get(run.name)
        # Claim the run with a compare-and-set so two schedulers never both re-enqueue it.
        if job and PeriodicRun.objects.filter(pk=run.pk, task_result_id="").update(task_result_id="claimed"):
            _enqueue(job, run)
