from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReconciliationConfig(AppConfig):
    name = "govcloud.reconciliation"
    label = "reconciliation"
    verbose_name = _("Reconciliation")

    def ready(self) -> None:
        from govcloud.core.roles import Role
        from govcloud.notifications.kinds import register_kind

        register_kind(
            "reconciliation.incident",
            _("Reconciliation incident"),
            email_default=True,
            roles={Role.PROVIDER_OPERATOR},
        )
        register_kind(
            "reconciliation.deletion_requested",
            _("Deletion of a cloud resource awaits your confirmation"),
            email_default=True,
            roles={Role.DEPARTMENT_HEAD, Role.CENTER_ADMIN},
        )
