"""No row lock and no transaction is held while a cloud answers (issue 12): a 40-second driver call
used to run under the work order's row lock, so an operator opening or claiming the order waited
the 40 seconds. The platform's run now claims (and commits), calls out, then records the outcome;
two concurrent runs still claim the order exactly once, and an operator who takes the order over
during the call gets it at once and is told what the cloud now has."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections, transaction

from govcloud.applications.models import ApplicationState
from govcloud.applications.tests.helpers import advance, host_row, new_application
from govcloud.audit.models import AuditEvent
from govcloud.core.actors import SYSTEM
from govcloud.core.remote import RemoteCallInTransaction, open_transactions, outside_transaction
from govcloud.delivery import drivers, provisioning, services
from govcloud.delivery.drivers.base import CloudInstance, HostSpec
from govcloud.delivery.models import NoteKind, WorkOrder, WorkOrderState
from govcloud.delivery.tests.cloud import LIBVIRT_HOSTS
from govcloud.ledger.models import Resource

pytestmark = pytest.mark.django_db(transaction=True)
WAIT = 10  # seconds a thread may take before the test calls it blocked


class SlowCloud:
    """A cloud whose `create` runs `during(ref)` (the test's probe) and then waits to be released:
    the stand-in for a driver call that takes 40 seconds."""

    name = "libvirt"

    def __init__(self, during=None) -> None:
        self.during = during
        self.created: list[str] = []
        self.release = threading.Event()
        self.calling = threading.Event()
        self.seen_transactions: list[list[str]] = []

    def create(self, ref: str, spec: HostSpec) -> CloudInstance:
        self.seen_transactions.append(open_transactions())
        self.created.append(ref)
        self.calling.set()
        if self.during is not None:
            self.during(ref)
        assert self.release.wait(WAIT), "the test never released the cloud call"
        return CloudInstance(
            ref=ref,
            provider_id=f"uuid-{ref}",
            kind="host",
            running=True,
            spec={"vcpu": spec.vcpu, "memory_gb": spec.memory_gb},
            addresses=[{"network": "extranet", "address": "10.1.2.3"}],
        )


@pytest.fixture
def slow_cloud(settings, monkeypatch):
    settings.DELIVERY_DRIVERS = LIBVIRT_HOSTS
    # Approvals record their tasks without running them: each test runs the platform itself.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    cloud = SlowCloud()
    monkeypatch.setitem(drivers._cloud_drivers, "libvirt", outside_transaction(cloud, "slow cloud"))
    return cloud


def _order(wf) -> WorkOrder:
    app = advance(wf, new_application(wf, rows=[host_row(1)]), ApplicationState.IN_DELIVERY)
    order = WorkOrder.objects.get(application=app)
    assert order.state == WorkOrderState.OPEN and order.driver == "libvirt"
    return order


def _in_thread(fn, *args, **kwargs) -> tuple[threading.Thread, dict]:
    """Run fn in a thread of its own (its own database connection); the outcome lands in the dict."""
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["value"] = fn(*args, **kwargs)
        except BaseException as exc:  # reported to the test, which asserts on it
            outcome["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def test_no_transaction_is_open_and_the_row_is_free_while_the_cloud_answers(wf, slow_cloud):
    order = _order(wf)
    probes: dict = {}

    def probe(ref: str) -> None:
        probes["in_atomic_block"] = connection.in_atomic_block
        # Another connection locks the order's row at once (PostgreSQL: NOWAIT fails if it is held)…
        if connection.vendor == "postgresql":

            def lock_nowait() -> None:
                with transaction.atomic():
                    WorkOrder.objects.select_for_update(nowait=True).get(pk=order.pk)

            thread, outcome = _in_thread(lock_nowait)
            thread.join(WAIT)
            probes["nowait"] = "error" not in outcome and not thread.is_alive()
        # …and an operator takes the order over without waiting for the cloud.
        started = time.monotonic()
        thread, outcome = _in_thread(services.work_order_claim, actor=wf.provider, work_order=order)
        thread.join(WAIT)
        probes["claim_seconds"] = time.monotonic() - started
        probes["claim"] = outcome

    slow_cloud.during = probe
    runner, result = _in_thread(provisioning.work_order_execute, work_order=order.pk)
    assert slow_cloud.calling.wait(WAIT)
    slow_cloud.release.set()
    runner.join(WAIT)
    assert not runner.is_alive() and "error" not in result, result

    assert slow_cloud.seen_transactions == [[]]
    assert probes["in_atomic_block"] is False
    if connection.vendor == "postgresql":
        assert probes["nowait"] is True
    assert "error" not in probes["claim"] and probes["claim_seconds"] < WAIT, probes
    # The operator's take-over stands; the platform completed nothing and said what the cloud has.
    order.refresh_from_db()
    assert order.state == WorkOrderState.CLAIMED and order.claimed_by == wf.provider
    assert not Resource.objects.filter(origin_application_id=order.application_id).exists()
    last = order.notes.order_by("-pk").first()
    assert last.kind == NoteKind.NOTE and slow_cloud.created[0] in last.text


def test_two_concurrent_runs_claim_the_order_exactly_once(wf, slow_cloud):
    order = _order(wf)
    first, first_result = _in_thread(provisioning.work_order_execute, work_order=order.pk, run_id="task-1")
    assert slow_cloud.calling.wait(WAIT)  # the first run holds the claim and is in the cloud
    second, second_result = _in_thread(provisioning.work_order_execute, work_order=order.pk, run_id="task-2")
    second.join(WAIT)
    assert not second.is_alive(), "the second run waited for the first one's cloud call"
    assert second_result["value"].state == WorkOrderState.CLAIMED  # it left the live claim alone
    slow_cloud.release.set()
    first.join(WAIT)
    assert first_result["value"].state == WorkOrderState.COMPLETED, first_result

    assert len(slow_cloud.created) == 1
    assert AuditEvent.objects.filter(action="work_order.claim", object_id=str(order.pk)).count() == 1
    assert AuditEvent.objects.filter(action="work_order.complete").count() == 1
    assert Resource.objects.filter(origin_application_id=order.application_id).count() == 1
    # The same task run again after its worker died (same run id) finds the order done.
    slow_cloud.release.set()
    assert provisioning.work_order_execute(work_order=order.pk, run_id="task-1").state == WorkOrderState.COMPLETED
    assert len(slow_cloud.created) == 1


def test_the_same_task_run_again_carries_on_with_its_claim(wf, slow_cloud):
    """A worker killed mid-call leaves the order claimed by its task; the task, run again (same id),
    carries on at once; a duplicate task (another id) does not, until the claim is stale."""
    order = _order(wf)
    with transaction.atomic():
        locked = WorkOrder.objects.select_for_update().get(pk=order.pk)
        assert provisioning._claim(locked, SYSTEM, "task-killed")
    slow_cloud.release.set()
    assert provisioning.work_order_execute(work_order=order.pk, run_id="duplicate").state == WorkOrderState.CLAIMED
    assert slow_cloud.created == []
    done = provisioning.work_order_execute(work_order=order.pk, run_id="task-killed")
    assert done.state == WorkOrderState.COMPLETED and len(slow_cloud.created) == 1


def test_a_cloud_driver_refuses_to_run_inside_a_transaction(slow_cloud):
    cloud = drivers.get_cloud_driver("libvirt")
    slow_cloud.release.set()
    with pytest.raises(RemoteCallInTransaction), transaction.atomic():
        cloud.create("TZ-VM-000001", HostSpec(vcpu=1, memory_gb=1, system_disk_gb=10))
    assert slow_cloud.created == []
    assert cloud.create("TZ-VM-000001", HostSpec(vcpu=1, memory_gb=1, system_disk_gb=10)).ref == "TZ-VM-000001"
