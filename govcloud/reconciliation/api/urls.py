"""The reconciliation app's API routes; govcloud/api.py calls register()."""

from govcloud.reconciliation.api.views import DiscrepancyViewSet, ReconciliationRunViewSet


def register(router) -> None:
    router.register("discrepancies", DiscrepancyViewSet, basename="discrepancy")
    router.register("reconciliation-runs", ReconciliationRunViewSet, basename="reconciliation-run")
