from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "govcloud.monitoring"
    label = "monitoring"
    verbose_name = _("Utilization monitoring")

    def ready(self) -> None:
        from govcloud.core.roles import CENTER_ROLES, DEPARTMENT_ROLES, Role
        from govcloud.notifications.kinds import register_kind

        register_kind(
            "monitoring.alert",
            _("Utilization alert opened or cleared"),
            email_default=False,
            roles=DEPARTMENT_ROLES | CENTER_ROLES | {Role.PROVIDER_OPERATOR},
        )
