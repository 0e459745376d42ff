"""The registry of notification kinds: a readable label for each `kind` code the services send, the
area it belongs to, who usually receives it, and whether e-mail is on by default.

Apps add their kinds with `register_kind` (from their AppConfig.ready()). A kind nobody registered
still works everywhere: it is labelled by its code, and its e-mail default follows the
notification's severity — on for warnings and alerts (escalations must reach people who are not
looking at the platform), off for information.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from govcloud.core.roles import CENTER_ROLES, DEPARTMENT_ROLES, Role
from govcloud.notifications.models import Severity

# Severities that e-mail by default when a kind does not say otherwise.
EMAIL_BY_DEFAULT_SEVERITIES = frozenset({Severity.WARNING, Severity.DANGER})

# The area of a kind, from its code's prefix ("security.port_requested" → "security").
GROUPS: dict[str, str | Promise] = {
    "applications": _("Applications"),
    "delivery": _("Delivery"),
    "ledger": _("Resource ledger"),
    "maintenance": _("Maintenance windows"),
    "reconciliation": _("Reconciliation"),
    "billing": _("Billing"),
    "budgets": _("Budgets"),
    "catalog": _("Catalog and prices"),
    "price_list": _("Catalog and prices"),
    "systems": _("Information systems"),
    "security": _("Security"),
    "guide": _("Service guide"),
    "incidents": _("Service desk"),
    "reports": _("Reports"),
}
OTHER_GROUP = _("Other")


@dataclass(frozen=True)
class NotificationKind:
    code: str
    label: str | Promise
    # True/False: e-mail on/off unless the user chooses; None: by the notification's severity.
    email_default: bool | None = None
    # Who usually receives it: the settings page lists the kind for these roles even before the
    # first notification of that kind arrives.
    roles: frozenset[Role] = frozenset()

    @property
    def group(self) -> str:
        return self.code.split(".", 1)[0]

    @property
    def group_label(self) -> str | Promise:
        return GROUPS.get(self.group, OTHER_GROUP)


KINDS: dict[str, NotificationKind] = {}


def register_kind(
    code: str, label: str | Promise, *, email_default: bool | None = None, roles: Iterable[Role] = ()
) -> NotificationKind:
    """Add (or replace) a kind. Idempotent, so an app may call it from ready()."""
    kind = NotificationKind(code=code, label=label, email_default=email_default, roles=frozenset(roles))
    KINDS[code] = kind
    return kind


def kind_for(code: str) -> NotificationKind:
    """The registered kind, or a stand-in labelled by its code."""
    return KINDS.get(code) or NotificationKind(code=code, label=code)


def email_default(code: str, severity: str) -> bool:
    """Whether a notification of this kind and severity is e-mailed to someone who never chose."""
    kind = KINDS.get(code)
    if kind is not None and kind.email_default is not None:
        return kind.email_default
    return severity in EMAIL_BY_DEFAULT_SEVERITIES


def wants_email(code: str, severity: str, choice: bool | None) -> bool:
    """The user's explicit choice wins; otherwise the default."""
    return email_default(code, severity) if choice is None else choice


_DEPARTMENT = DEPARTMENT_ROLES
_FILERS = DEPARTMENT_ROLES
_GRANTORS = frozenset({Role.DEPARTMENT_HEAD, Role.DEPARTMENT_SECURITY_OFFICER})
_PROVIDER = frozenset({Role.PROVIDER_OPERATOR})
_CENTER_ADMIN = frozenset({Role.CENTER_ADMIN})

# The kinds the platform sends today (see the notify() calls of each app).
for _code, _label, _email, _roles in [
    # Information systems (Art. 3, 11)
    ("systems.assessment_due", _("MLPS assessment coming due or overdue"), None, _DEPARTMENT | _CENTER_ADMIN),
    ("systems.rectification_overdue", _("Overdue rectification items"), True, _DEPARTMENT | _CENTER_ADMIN),
    (
        "systems.exemption",
        _("Migration exemption requests and reviews"),
        None,
        _DEPARTMENT | _CENTER_ADMIN | {Role.EXPERT, Role.LEADING_GROUP},
    ),
    # Prices (Art. 19: finance budgets by usage) and the provider's automatic delivery
    (
        "price_list.published",
        _("New price list published"),
        None,
        frozenset({Role.FINANCE_VIEWER, Role.DEPARTMENT_HEAD}) | CENTER_ROLES,
    ),
    ("delivery.failed", _("Automatic delivery failed"), True, _PROVIDER),
    # Security (Annex 1, Art. 12, 17, 18)
    ("security.bulletin_published", _("Monthly security bulletin published"), False, _GRANTORS | _CENTER_ADMIN),
    ("security.bulletin_missing", _("Monthly security bulletin missing"), True, _CENTER_ADMIN),
    ("security.grant_created", _("Access granted to you"), None, _PROVIDER),
    ("security.grant_revoked", _("Your access grant was revoked"), True, _PROVIDER),
    ("security.session_flagged", _("Access without a valid grant"), True, _GRANTORS | _CENTER_ADMIN),
    ("security.drill_overdue", _("Emergency drill overdue"), True, _CENTER_ADMIN | _PROVIDER),
    ("security.protection_plan_due", _("Protection plan due before a holiday or major event"), True, _PROVIDER),
    ("security.filing_submitted", _("Address filing submitted"), None, CENTER_ROLES),
    ("security.filing_complete", _("Address filing completed"), None, _FILERS),
    ("security.filing_reject", _("Address filing rejected"), None, _FILERS),
    ("security.filing_withdraw", _("Address filing withdrawn"), None, _FILERS),
    ("security.ports_closed", _("Ports to close after a withdrawn filing"), True, _PROVIDER),
    ("security.port_requested", _("Port opening requested"), None, CENTER_ROLES),
    ("security.port_approved", _("Port opening approved"), None, _FILERS),
    ("security.port_open", _("Port to open"), True, _PROVIDER),
    ("security.port_rejected", _("Port opening rejected"), None, _FILERS),
    ("security.port_closed", _("Port to close"), True, _PROVIDER),
    ("security.notice_issued", _("Security notice to rectify"), True, _GRANTORS),
    ("security.notice_report_submitted", _("Rectification report to review"), None, CENTER_ROLES),
    ("security.notice_accepted", _("Rectification accepted"), None, _GRANTORS),
    ("security.notice_returned", _("Rectification report returned"), True, _GRANTORS),
    ("security.notice_cancelled", _("Security notice withdrawn"), None, _GRANTORS),
    ("security.notice_due", _("Rectification deadline coming"), True, _GRANTORS),
    ("security.notice_overdue", _("Rectification overdue"), True, _CENTER_ADMIN | {Role.DEPARTMENT_HEAD}),
]:
    register_kind(_code, _label, email_default=_email, roles=_roles)


# --- SMS and mandatory channels (issue 18 §2) ------------------------------------------------------

# The urgent kinds: an incident about to breach its response limit (escalated to the backup engineer
# and the center), a major incident, an approval step overdue (escalated to the center admin). Only
# these may be made mandatory per channel by the center (ChannelMandate).
URGENT_KINDS: dict[str, str | Promise] = {
    "incidents.escalated": _("Incident about to breach its response limit"),
    "incidents.major": _("Major incident"),
    "applications.acceptance_overdue": _("Acceptance of an application overdue"),
    "applications.decision_overdue": _("Decision on an application overdue"),
}

# SMS is off by default; it is on for an urgent kind for the roles that must act on it at once (the
# duty engineers, the center's administrator, the department head of a major incident).
SMS_DEFAULT_ROLES: dict[str, frozenset[Role]] = {
    "incidents.new": frozenset({Role.PROVIDER_OPERATOR}),
    "incidents.escalated": frozenset({Role.PROVIDER_OPERATOR, Role.CENTER_ADMIN}),
    "incidents.major": frozenset({Role.CENTER_ADMIN, Role.DEPARTMENT_HEAD}),
    "applications.acceptance_overdue": frozenset({Role.CENTER_ADMIN}),
    "applications.decision_overdue": frozenset({Role.CENTER_ADMIN}),
}


def sms_default(code: str, roles: frozenset[Role]) -> bool:
    """Whether someone with `roles` who never chose gets this kind by SMS."""
    return bool(SMS_DEFAULT_ROLES.get(code, frozenset()) & roles)


def wants_sms(code: str, roles: frozenset[Role], choice: bool | None) -> bool:
    return sms_default(code, roles) if choice is None else choice
