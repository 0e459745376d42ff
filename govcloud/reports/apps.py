from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "govcloud.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from govcloud.core.roles import CENTER_ROLES, Role
        from govcloud.notifications.kinds import register_kind

        register_kind(
            "reports.provider_report_submitted",
            _("Operations report or advice to acknowledge"),
            email_default=None,
            roles=CENTER_ROLES,
        )
        register_kind(
            "reports.provider_report_decided",
            _("Operations report or advice acknowledged or returned"),
            email_default=None,
            roles=frozenset({Role.PROVIDER_OPERATOR}),
        )
        register_kind(
            "reports.provider_report_due",
            _("Operations report or advice coming due"),
            email_default=True,
            roles=frozenset({Role.PROVIDER_OPERATOR}),
        )
        register_kind(
            "reports.provider_report_overdue",
            _("Operations report or advice overdue"),
            email_default=True,
            roles=frozenset({Role.PROVIDER_OPERATOR, Role.CENTER_ADMIN}),
        )
