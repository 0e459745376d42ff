"""Thin task wrappers over the delivery services."""

from django_tasks import task

from govcloud.delivery.services import work_order_deadlines_sweep


@task()
def work_order_deadlines_task() -> dict[str, int]:
    """Warn the provider before a work order is due; escalate overdue orders to the center (Art. 10)."""
    return work_order_deadlines_sweep()
