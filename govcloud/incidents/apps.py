from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "govcloud.incidents"
    label = "incidents"
    verbose_name = _("Service desk")

    def ready(self) -> None:
        from govcloud.core.roles import CENTER_ROLES, DEPARTMENT_ROLES, Role
        from govcloud.notifications.kinds import register_kind

        provider = {Role.PROVIDER_OPERATOR}
        register_kind("incidents.new", _("New incident for the duty engineer"), email_default=True, roles=provider)
        register_kind(
            "incidents.escalated",
            _("Incident not responded to in time"),
            email_default=True,
            roles=provider | CENTER_ROLES,
        )
        register_kind(
            "incidents.major",
            _("Major incident"),
            email_default=True,
            roles=CENTER_ROLES | {Role.DEPARTMENT_HEAD},
        )
        register_kind("incidents.update", _("Update on your incident"), email_default=False, roles=DEPARTMENT_ROLES)
        register_kind(
            "incidents.report_missing", _("Major incident report missing"), email_default=True, roles=CENTER_ROLES
        )

        from govcloud.core.signals import alert_closed, alert_opened
        from govcloud.incidents import receivers

        alert_opened.connect(receivers.open_for_alert, dispatch_uid="incidents.open_for_alert")
        alert_closed.connect(receivers.note_alert_closed, dispatch_uid="incidents.note_alert_closed")
