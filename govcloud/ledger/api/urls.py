"""The ledger app's API routes; govcloud/api.py calls register()."""

from govcloud.ledger.api.views import QuotaViewSet, ResourceViewSet


def register(router) -> None:
    router.register("resources", ResourceViewSet, basename="resource")
    router.register("quotas", QuotaViewSet, basename="quota")
