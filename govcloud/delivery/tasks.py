"""Thin task wrappers over the delivery services."""

from django_tasks import task

from govcloud.delivery.services import work_order_deadlines_sweep


@task()
def work_order_deadlines_task() -> dict[str, int]:
    """Warn the provider before a work order is due; escalate overdue orders to the center (Art. 10)."""
    return work_order_deadlines_sweep()


@task()
def work_order_execute_task(work_order_id: int) -> dict[str, str]:
    """Carry out an automatic work order (idempotent: a duplicate or retried task does nothing twice)."""
    from govcloud.delivery.provisioning import work_order_execute

    order = work_order_execute(work_order=work_order_id)
    return {"number": order.number, "state": order.state}


@task()
def work_orders_provision_sweep_task() -> dict[str, int]:
    """Enqueue automatic work orders whose task was lost or whose worker was killed mid-job."""
    from govcloud.delivery.provisioning import work_orders_provision_sweep

    return work_orders_provision_sweep()
