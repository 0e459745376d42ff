"""The billing app's API routes; govcloud/api.py calls register()."""

from govcloud.billing.api.views import StatementViewSet


def register(router) -> None:
    router.register("statements", StatementViewSet, basename="statement")
