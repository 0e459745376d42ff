"""The notification kinds the maintenance services send (registered from MaintenanceConfig.ready())."""

from django.utils.translation import gettext_lazy as _

from govcloud.core.roles import CENTER_ROLES, DEPARTMENT_ROLES
from govcloud.maintenance.models import PLANNERS
from govcloud.notifications.kinds import register_kind

SUBMITTED = "maintenance.submitted"
APPROVED = "maintenance.approved"
RETURNED = "maintenance.returned"
NOTICE = "maintenance.notice"
REMINDER = "maintenance.reminder"
CANCELLED = "maintenance.cancelled"

for _code, _label, _email, _roles in [
    (SUBMITTED, _("Maintenance window to approve"), None, CENTER_ROLES),
    (APPROVED, _("Maintenance window approved"), None, PLANNERS),
    (RETURNED, _("Maintenance window returned"), True, PLANNERS),
    # Art. 12: the departments are told in advance and reminded the day before, by e-mail too.
    (NOTICE, _("Maintenance notice"), True, DEPARTMENT_ROLES),
    (REMINDER, _("Maintenance tomorrow"), True, DEPARTMENT_ROLES),
    (CANCELLED, _("Maintenance cancelled"), True, DEPARTMENT_ROLES | PLANNERS),
]:
    register_kind(_code, _label, email_default=_email, roles=_roles)
