"""The service desk's API routes; govcloud/api.py calls register()."""

from govcloud.incidents.api import views


def register(router) -> None:
    router.register("incidents", views.IncidentViewSet, basename="incident")
    router.register("incident-severities", views.IncidentSeverityViewSet, basename="incident-severity")
    router.register("duty-shifts", views.DutyShiftViewSet, basename="duty-shift")
