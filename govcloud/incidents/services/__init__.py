"""Every write of the service desk (Art. 12, 13): keyword-only, typed, one transaction each — role
check, scope, row lock where two people could act at once, one audit event and one timeline entry."""

from govcloud.incidents.services.attachments import incident_attachment_open
from govcloud.incidents.services.desk import (
    duty_shift_add,
    duty_shift_delete,
    duty_team_create,
    follow_up_add,
    follow_up_done,
    incident_severity_update,
    incidents_escalate,
    major_report_submit,
    major_reports_warn,
)
from govcloud.incidents.services.incidents import (
    incident_claim,
    incident_confirm,
    incident_log_call,
    incident_merge,
    incident_message,
    incident_open_automatic,
    incident_rate,
    incident_recover,
    incident_reopen,
    incident_report,
    incident_start,
    incident_update,
)

__all__ = [
    "duty_shift_add",
    "duty_shift_delete",
    "duty_team_create",
    "follow_up_add",
    "follow_up_done",
    "incident_attachment_open",
    "incident_claim",
    "incident_confirm",
    "incident_log_call",
    "incident_merge",
    "incident_message",
    "incident_open_automatic",
    "incident_rate",
    "incident_recover",
    "incident_reopen",
    "incident_report",
    "incident_severity_update",
    "incident_start",
    "incident_update",
    "incidents_escalate",
    "major_report_submit",
    "major_reports_warn",
]
