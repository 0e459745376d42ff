"""The waste-control app's API routes; govcloud/api.py calls register()."""

from govcloud.waste.api.views import ExpiryViewSet, RightsizingAdviceViewSet


def register(router) -> None:
    router.register("waste/rightsizing-advice", RightsizingAdviceViewSet, basename="rightsizing-advice")
    router.register("waste/expiries", ExpiryViewSet, basename="expiry")
