"""Thin task wrappers over the reconciliation services (actor: the platform itself)."""

from django_tasks import task

from govcloud.core.actors import SYSTEM
from govcloud.reconciliation import services
from govcloud.reconciliation.models import Discrepancy


@task()
def reconciliation_run_task(driver_name: str = "") -> list[int]:
    """Compare every automatic driver's cloud (or the one named) with the ledger; the run ids."""
    runs = services.reconciliation_run(actor=SYSTEM, driver_name=driver_name or None)
    return [run.pk for run in runs]


@task()
def discrepancy_delete_task(discrepancy_id: int) -> str:
    """Delete a shadow resource whose deletion its owner confirmed; the discrepancy's state after."""
    discrepancy = Discrepancy.objects.filter(pk=discrepancy_id).first()
    if discrepancy is None:
        return "gone"
    return services.discrepancy_delete(actor=SYSTEM, discrepancy=discrepancy).state
