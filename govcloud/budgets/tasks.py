"""Background tasks of the budgets app (thin wrappers; the schedule runs the sweep daily)."""

from django_tasks import task

from govcloud.budgets.services import budget_alerts_sweep
from govcloud.core.actors import SYSTEM


@task()
def budget_alerts_sweep_task() -> int:
    return budget_alerts_sweep(actor=SYSTEM)
