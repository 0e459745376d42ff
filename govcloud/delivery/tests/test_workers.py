"""The scale-out path: provisioning tasks run by two real worker processes at once — the database
worker (`manage.py db_worker`) and Redis workers (`manage.py rqworker`, django-tasks-rq) — with every
task enqueued twice, and nothing is created twice. Each worker process has its own libvirt test
hypervisor, so the proof is the database: one completion and one resource per order.

And a worker killed (kill -9) in the middle of an order's cloud call: the task runs again in a live
worker within seconds (the intervals compressed, see govcloud.core.workers) and the order is
completed exactly once."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from govcloud.applications import services
from govcloud.applications.models import ApplicationState
from govcloud.applications.tests.helpers import advance, host_row, new_application
from govcloud.audit.models import AuditEvent
from govcloud.core.tests.workerprocs import (
    kill_hard,
    output,
    rq_worker_ready,
    start,
    stop,
    wait_for,
    worker_env,
)
from govcloud.delivery.models import CloudRef, WorkOrder, WorkOrderState
from govcloud.delivery.tasks import work_order_execute_task
from govcloud.delivery.tests.cloud import LIBVIRT_HOSTS
from govcloud.ledger.models import Resource

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[3]
ORDERS = 3


def _enqueue_orders(wf, settings) -> list[WorkOrder]:
    settings.DELIVERY_DRIVERS = LIBVIRT_HOSTS
    apps = [advance(wf, new_application(wf, rows=[host_row(1)]), ApplicationState.ACCEPTED) for _ in range(ORDERS)]
    for app in apps:
        services.application_approve(actor=wf.admin, application=app)  # commits: enqueues the task
    orders = list(WorkOrder.objects.filter(application__in=apps))
    for order in orders:  # and a duplicate of every task
        work_order_execute_task.enqueue(order.pk)
    return orders


def _run_workers(command: list[str], **env) -> None:
    environ = worker_env(fast=False, GOVCLOUD_DELIVERY_DRIVERS='{"*": {"host": "libvirt"}}', **env)
    workers = [
        subprocess.Popen(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=environ,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for _ in range(2)
    ]
    for worker in workers:
        output, _ = worker.communicate(timeout=120)
        assert worker.returncode == 0, output.decode()[-3000:]


def _assert_exactly_once(orders) -> None:
    for order in orders:
        order.refresh_from_db()
        assert order.state == WorkOrderState.COMPLETED and order.attempts == 1, (order.state, order.failure_reason)
        assert Resource.objects.filter(origin_application_id=order.application_id).count() == 1
        assert CloudRef.objects.filter(work_order=order).count() == 1
        order.application.refresh_from_db()
        assert order.application.state == ApplicationState.DELIVERED
    assert AuditEvent.objects.filter(action="work_order.complete").count() == ORDERS
    assert Resource.objects.values("code").distinct().count() == Resource.objects.count() == ORDERS


def test_two_database_workers_provision_each_order_exactly_once(wf, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    orders = _enqueue_orders(wf, settings)
    _run_workers(["db_worker", "--batch", "--no-startup-delay", "--interval", "0.1"], TASKS_BACKEND="db")
    _assert_exactly_once(orders)


@pytest.mark.redis
def test_two_redis_workers_provision_each_order_exactly_once(wf, settings):
    import django_rq

    url = os.environ["REDIS_URL"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": url, "DEFAULT_TIMEOUT": 60}}
    queue = django_rq.get_queue("default")
    queue.connection.flushdb()
    try:
        orders = _enqueue_orders(wf, settings)
        assert queue.count == ORDERS * 2
        _run_workers(
            ["rqworker", "--job-class", "django_tasks_rq.Job", "--burst", "default"], TASKS_BACKEND="rq", REDIS_URL=url
        )
        _assert_exactly_once(orders)
    finally:
        queue.connection.flushdb()


HOLD_APP = "govcloud.delivery.tests.holdcloud.HoldCloudConfig"
DRIVERS_ENV = {"GOVCLOUD_DELIVERY_DRIVERS": '{"*": {"host": "libvirt"}}'}


def _kill_in_the_middle(wf, settings, tmp_path, command: list[str], **env) -> tuple[WorkOrder, float]:
    """Approve one host; worker A takes the order's task and hangs in the cloud call; worker B is
    started, A is killed; returns the order once B completed it, and the seconds since the kill."""
    settings.DELIVERY_DRIVERS = LIBVIRT_HOSTS
    app = advance(wf, new_application(wf, rows=[host_row(1)]), ApplicationState.ACCEPTED)
    services.application_approve(actor=wf.admin, application=app)  # commits: enqueues the task
    order = WorkOrder.objects.get(application=app)
    killed_one = start(
        [*command, "worker-a"], GOVCLOUD_TEST_APPS=HOLD_APP, GOVCLOUD_TEST_HOLD_DIR=str(tmp_path), **DRIVERS_ENV, **env
    )
    live_one = None
    try:
        wait_for((tmp_path / "calling").exists, timeout=60, what="worker A in the cloud call", workers=[killed_one])
        order.refresh_from_db()
        # The claim was committed before the cloud was called, and names the task's run.
        assert order.state == WorkOrderState.CLAIMED and order.platform_run
        assert CloudRef.objects.get(work_order=order).ref == (tmp_path / "calling").read_text()
        live_one = start([*command, "worker-b"], **DRIVERS_ENV, **env)
        if command[0] == "rqworker":
            wait_for(lambda: rq_worker_ready("worker-b"), timeout=60, what="worker B", workers=[live_one])
        else:
            wait_for(lambda: "Starting worker" in output(live_one), timeout=60, what="worker B", workers=[live_one])
        kill_hard(killed_one)
        killed_at = time.monotonic()
        wait_for(
            lambda: WorkOrder.objects.filter(pk=order.pk, state=WorkOrderState.COMPLETED).exists(),
            timeout=90,
            what="the order to be completed",
            workers=[live_one],
        )
        elapsed = time.monotonic() - killed_at
    finally:
        stop(killed_one)
        if live_one is not None:
            stop(live_one)
    order.refresh_from_db()
    assert order.attempts == 1, output(live_one)
    assert Resource.objects.filter(origin_application_id=order.application_id).count() == 1
    assert CloudRef.objects.filter(work_order=order).count() == 1
    assert AuditEvent.objects.filter(action="work_order.claim", object_id=str(order.pk)).count() == 1
    assert AuditEvent.objects.filter(action="work_order.complete", object_id=str(order.pk)).count() == 1
    order.application.refresh_from_db()
    assert order.application.state == ApplicationState.DELIVERED
    return order, elapsed


def test_a_database_worker_killed_mid_call_the_order_is_completed_once_by_a_live_worker(wf, settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    command = ["db_worker", "--no-startup-delay", "--interval", "0.1", "--worker-id"]
    order, elapsed = _kill_in_the_middle(wf, settings, tmp_path, command, TASKS_BACKEND="db")
    assert elapsed < 30


@pytest.mark.redis
def test_a_redis_worker_killed_mid_call_the_order_is_completed_once_by_a_live_worker(wf, settings, tmp_path):
    import django_rq

    url = os.environ["REDIS_URL"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": url, "DEFAULT_TIMEOUT": 600}}
    queue = django_rq.get_queue("default")
    queue.connection.flushdb()
    command = ["rqworker", "--job-class", "django_tasks_rq.Job", "default", "--name"]
    try:
        order, elapsed = _kill_in_the_middle(wf, settings, tmp_path, command, TASKS_BACKEND="rq", REDIS_URL=url)
    finally:
        queue.connection.flushdb()
    assert elapsed < 30
