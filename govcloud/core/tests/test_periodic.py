"""Periodic jobs run exactly once per scheduled time, however many schedulers there are."""

from __future__ import annotations

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from govcloud.core import periodic
from govcloud.core.models import PeriodicRun
from govcloud.core.periodic import PeriodicJob

SH = ZoneInfo("Asia/Shanghai")
CALLS: list[str] = []


def _noop():
    CALLS.append("ran")


class _FakeResult:
    id = "fake-result"


class _FakeTask:
    def enqueue(self):
        _noop()
        return _FakeResult()


fake_task = _FakeTask()
JOB = PeriodicJob(name="test.daily", cron="30 2 * * *", task="govcloud.core.tests.test_periodic.fake_task")


@pytest.fixture(autouse=True)
def _reset():
    CALLS.clear()


def test_latest_slot_is_the_last_time_not_in_the_future():
    assert JOB.latest_slot(datetime(2026, 11, 26, 2, 29, tzinfo=SH)) == datetime(2026, 11, 25, 2, 30, tzinfo=SH)
    assert JOB.latest_slot(datetime(2026, 11, 26, 2, 30, tzinfo=SH)) == datetime(2026, 11, 26, 2, 30, tzinfo=SH)


@pytest.mark.django_db
def test_a_slot_runs_once_across_passes():
    now = datetime(2026, 11, 26, 3, 0, tzinfo=SH)
    assert periodic.tick([JOB], now) == ["test.daily"]
    assert periodic.tick([JOB], now) == []
    assert periodic.tick([JOB], datetime(2026, 11, 26, 23, 0, tzinfo=SH)) == []
    assert periodic.tick([JOB], datetime(2026, 11, 27, 2, 30, tzinfo=SH)) == ["test.daily"]
    assert CALLS == ["ran", "ran"]
    assert PeriodicRun.objects.filter(name="test.daily", task_result_id="fake-result").count() == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_schedulers_enqueue_each_slot_once():
    now = datetime(2026, 11, 26, 3, 0, tzinfo=SH)
    barrier = threading.Barrier(4)

    def scheduler():
        try:
            barrier.wait()
            periodic.tick([JOB], now)
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert CALLS == ["ran"]
    assert PeriodicRun.objects.count() == 1


@pytest.mark.django_db
def test_a_lost_enqueue_is_recovered_once():
    now = datetime(2026, 11, 26, 3, 0, tzinfo=SH)
    PeriodicRun.objects.create(name="test.daily", scheduled_for=datetime(2026, 11, 26, 2, 30, tzinfo=SH))
    PeriodicRun.objects.update(enqueued_at=datetime(2026, 11, 26, 2, 30, tzinfo=SH))
    periodic.tick([JOB], now)
    periodic.tick([JOB], now)
    assert CALLS == ["ran"]


def test_every_declared_job_names_a_real_task():
    from django.utils.module_loading import import_string

    jobs = periodic.periodic_jobs()  # settings.PERIODIC_JOBS: govcloud/schedule.py's list
    names = [job.name for job in jobs]
    assert len(names) == len(set(names)) and "delivery.provision_sweep" in names
    for job in jobs:
        assert hasattr(import_string(job.task), "enqueue"), job.task
        job.latest_slot(datetime(2026, 11, 26, tzinfo=SH))


@pytest.mark.django_db
def test_the_scheduler_outlives_a_database_restart(monkeypatch):
    """A PostgreSQL restart stopped the scheduler (scripts/faults.py saw it restarted every time):
    the pass is skipped and the next one enqueues what is due."""
    from django.core.management import call_command
    from django.db import OperationalError

    def lost(jobs):
        raise OperationalError("the database system is shutting down")

    monkeypatch.setattr(periodic, "tick", lost)
    call_command("scheduler", "--once")  # no exception: the loop goes on
