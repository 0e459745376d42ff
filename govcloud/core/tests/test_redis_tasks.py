"""Redis workers (django-tasks-rq) run the same tasks when settings alone select them.

Run by .ci/run's PostgreSQL and Redis suite (REDIS_URL set)."""

from __future__ import annotations

import os
from datetime import datetime
from zoneinfo import ZoneInfo

import django_rq
import pytest
from django_tasks_rq import Job as RQJob
from rq import SimpleWorker

from govcloud.core import periodic
from govcloud.core.models import Job, JobStatus, PeriodicRun
from govcloud.core.periodic import PeriodicJob
from govcloud.core.tasks import jobs_reap_stale_task
from govcloud.workdays.models import CalendarYear

pytestmark = [pytest.mark.redis, pytest.mark.django_db]


@pytest.fixture
def rq_backend(settings):
    url = os.environ["REDIS_URL"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": url, "DEFAULT_TIMEOUT": 60}}
    queue = django_rq.get_queue("default")
    queue.connection.flushdb()
    yield queue
    queue.connection.flushdb()


def run_worker(queue) -> None:
    # In-process worker with the job class the brief names (without it every job fails).
    SimpleWorker([queue], connection=queue.connection, job_class=RQJob).work(burst=True)


def test_a_task_enqueued_through_redis_runs_in_a_worker(rq_backend, time_machine):
    time_machine.move_to("2026-11-26 08:00:00+08:00", tick=False)
    stuck = Job.objects.create(kind="t", label="t", status=JobStatus.RUNNING)
    Job.objects.filter(pk=stuck.pk).update(started_at="2026-11-25 00:00:00+08:00")
    result = jobs_reap_stale_task.enqueue()
    assert rq_backend.count == 1
    run_worker(rq_backend)
    stuck.refresh_from_db()
    assert stuck.status == JobStatus.FAILED
    result.refresh()
    assert result.status == "SUCCESSFUL" and result.return_value == 1


def test_the_scheduler_enqueues_into_redis_exactly_once(rq_backend):
    job = PeriodicJob(name="test.seed", cron="15 3 * * *", task="govcloud.workdays.tasks.calendar_seed_task")
    now = datetime(2026, 11, 26, 4, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    periodic.tick([job], now)
    periodic.tick([job], now)
    assert rq_backend.count == 1
    run_worker(rq_backend)
    assert CalendarYear.objects.filter(year=2026).exists()
    assert PeriodicRun.objects.get().task_result_id
