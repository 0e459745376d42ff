"""The maintenance app's API routes; govcloud/api.py calls register()."""

from govcloud.maintenance.api import views


def register(router) -> None:
    router.register("maintenance-windows", views.MaintenanceWindowViewSet, basename="maintenance-window")
