"""The delivery app's API routes; govcloud/api.py calls register()."""

from govcloud.delivery.api.views import WorkOrderViewSet


def register(router) -> None:
    router.register("work-orders", WorkOrderViewSet, basename="work-order")
