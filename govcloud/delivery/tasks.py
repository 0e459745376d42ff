"""Thin task wrappers over the delivery services, and the receiver that enqueues an automatic work
order's task once the transaction that made it wait for the platform commits."""

import logging

from django.db import transaction
from django.dispatch import receiver
from django_tasks import TaskContext, task

from govcloud.delivery.provisioning import work_order_execute, work_orders_provision_sweep
from govcloud.delivery.services import work_order_deadlines_sweep
from govcloud.delivery.signals import work_order_waiting

logger = logging.getLogger(__name__)


@task()
def work_order_deadlines_task() -> dict[str, int]:
    """Warn the provider before a work order is due; escalate overdue orders to the center (Art. 10)."""
    return work_order_deadlines_sweep()


@task(takes_context=True)
def work_order_execute_task(context: TaskContext, work_order_id: int) -> dict[str, str]:
    """Carry out an automatic work order (idempotent: a duplicate or retried task does nothing twice).
    The task's id is the run's claim on the order: the same task, run again after its worker died,
    carries on where it stopped; a duplicate task leaves a live claim alone."""
    order = work_order_execute(work_order=work_order_id, run_id=str(context.task_result.id))
    return {"number": order.number, "state": order.state}


@task()
def work_orders_provision_sweep_task() -> dict[str, int]:
    """Enqueue automatic work orders whose task was lost or whose run stopped without finishing."""
    return work_orders_provision_sweep()


def work_order_enqueue_now(work_order_id: int) -> None:
    try:
        work_order_execute_task.enqueue(work_order_id)
    except Exception:  # the task system is down: the provisioning sweep enqueues it later
        logger.exception("could not enqueue work order %s", work_order_id)


@receiver(work_order_waiting, dispatch_uid="delivery.enqueue_waiting_work_order")
def enqueue_on_commit(sender, work_order_id: int, **kwargs) -> None:
    """Run the order in a task once the current transaction (the approval, the retry) commits."""
    transaction.on_commit(lambda: work_order_enqueue_now(work_order_id))
