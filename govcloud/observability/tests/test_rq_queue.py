"""The Redis (RQ) task queue in the metrics: depth, the oldest job's age, failed jobs.

Run where REDIS_URL is set (the `redis` marker)."""

from __future__ import annotations

import os
import time

import django_rq
import pytest
from rq import SimpleWorker

from govcloud.observability import selectors

pytestmark = [pytest.mark.redis, pytest.mark.django_db]


def boom():
    raise RuntimeError("fails on purpose")


@pytest.fixture
def rq_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": os.environ["REDIS_URL"], "DEFAULT_TIMEOUT": 60}}
    queue = django_rq.get_queue("default")
    queue.connection.flushdb()
    yield queue
    queue.connection.flushdb()


def test_rq_depth_age_and_failures(rq_queue, django_capture_on_commit_callbacks):
    assert selectors.task_queues() == [selectors.QueueState(backend="rq", name="default")]

    def enqueue():
        # django-rq enqueues when the transaction commits (the test's never does).
        with django_capture_on_commit_callbacks(execute=True):
            rq_queue.enqueue(boom)

    enqueue()
    SimpleWorker([rq_queue], connection=rq_queue.connection).work(burst=True)
    enqueue()
    time.sleep(1.1)
    enqueue()
    (state,) = selectors.task_queues()
    assert (state.backend, state.name, state.waiting, state.failed, state.running) == ("rq", "default", 2, 1, 0)
    assert 1.0 <= state.oldest_age_seconds < 30
