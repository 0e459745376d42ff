from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MaintenanceConfig(AppConfig):
    name = "govcloud.maintenance"
    label = "maintenance"
    verbose_name = _("Maintenance windows")

    def ready(self) -> None:
        from govcloud.maintenance import kinds  # noqa: F401  (registers the notification kinds)
