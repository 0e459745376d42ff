"""The top navigation, per role: one list, so a newcomer sees every page a role reaches."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from govcloud.core.roles import CENTER_ROLES, DEPARTMENT_ROLES, Role

EVERYONE = frozenset(Role)


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    icon: str
    roles: frozenset[Role]
    # URL prefix that marks the item active.
    section: str
    # Items of the same group share one drop-down menu (keeps the bar on one line).
    group: str | None = None


ADMINISTRATION = "administration"
COSTS = "costs"
OPERATIONS = "operations"
RESOURCES = "resources"
# The drop-down menus: key → (label, icon). Top-level items and menus together must fit a 1280 px
# office screen for the role with the most of them (tests/browser/test_layout.py).
GROUPS: dict[str, tuple[str | Promise, str]] = {
    RESOURCES: (_("Resources"), "hdd-stack"),
    COSTS: (_("Costs"), "cash-coin"),
    OPERATIONS: (_("Operations"), "activity"),
    ADMINISTRATION: (_("Administration"), "gear"),
}


# Who sees an item: the audiences most items share, named once.
_CENTER_AND_PROVIDER = CENTER_ROLES | {Role.PROVIDER_OPERATOR}
_CENTER_AND_DEPARTMENTS = CENTER_ROLES | DEPARTMENT_ROLES
_OPERATIONS = _CENTER_AND_DEPARTMENTS | {Role.PROVIDER_OPERATOR}
_OPERATIONS_AND_FINANCE = _OPERATIONS | {Role.FINANCE_VIEWER}
_SPENDING = _CENTER_AND_DEPARTMENTS | {Role.FINANCE_VIEWER, Role.LEADING_GROUP}
_USER_ADMINS = CENTER_ROLES | {
    Role.SYSTEM_ADMIN,
    Role.SECURITY_ADMIN,
    Role.AUDIT_ADMIN,
    Role.DEPARTMENT_HEAD,
    Role.DEPARTMENT_SECURITY_OFFICER,
}

# In the order of the bar: label, URL name, icon, roles, section (URL prefix), group.
# fmt: off
_ENTRIES: list[tuple[str | Promise, str, str, frozenset[Role], str, str | None]] = [
    (_("Home"), "web:home", "house", EVERYONE, "/", None),
    (_("Organizations"), "organizations:organization_list", "diagram-3", EVERYONE - {Role.EXPERT}, "/organizations/",
     ADMINISTRATION),
    (_("Users"), "organizations:user_list", "people", _USER_ADMINS, "/users/", ADMINISTRATION),
    (_("Information systems"), "systems:system_list", "hdd-network",
     _CENTER_AND_DEPARTMENTS | {Role.PROVIDER_OPERATOR, Role.LEADING_GROUP, Role.EXPERT}, "/systems/", None),
    (_("Security"), "security:overview", "shield-check", _OPERATIONS, "/security/", None),
    (_("Security notices"), "security:notice_list", "megaphone", _CENTER_AND_DEPARTMENTS, "/security/notices/",
     OPERATIONS),
    (_("Incidents"), "incidents:incident_list", "life-preserver", _OPERATIONS, "/incidents/", OPERATIONS),
    (_("Service desk board"), "incidents:board", "display", _CENTER_AND_PROVIDER, "/incidents/board/", OPERATIONS),
    (_("Utilization"), "monitoring:utilization", "speedometer2", _OPERATIONS_AND_FINANCE, "/monitoring/", OPERATIONS),
    (_("Import utilization table"), "monitoring:import_list", "file-earmark-arrow-up", _CENTER_AND_PROVIDER,
     "/monitoring/imports/", OPERATIONS),
    (_("Utilization alerts"), "monitoring:alert_list", "bell", _OPERATIONS_AND_FINANCE, "/monitoring/alerts/",
     OPERATIONS),
    (_("Reports"), "reports:utilization_list", "file-earmark-bar-graph", _OPERATIONS_AND_FINANCE, "/reports/",
     OPERATIONS),
    (_("Rightsizing advice"), "waste:advice_list", "sliders", _OPERATIONS_AND_FINANCE, "/waste/advice/", OPERATIONS),
    (_("Due soon"), "waste:expiry_list", "hourglass-split", _OPERATIONS_AND_FINANCE, "/waste/expiry/", OPERATIONS),
    (_("Security events"), "security:security_event_stats", "shield-exclamation", _OPERATIONS,
     "/security/security-events/", OPERATIONS),
    (_("Provider assessment"), "assessment:assessment_list", "clipboard-data",
     _CENTER_AND_PROVIDER | {Role.LEADING_GROUP}, "/assessment/", OPERATIONS),
    (_("Supervision of departments"), "assessment:supervision", "binoculars", CENTER_ROLES | {Role.LEADING_GROUP},
     "/assessment/supervision/", OPERATIONS),
    (_("Satisfaction survey"), "assessment:survey_list", "ui-checks", DEPARTMENT_ROLES, "/assessment/surveys/",
     OPERATIONS),
    (_("Maintenance windows"), "maintenance:window_upcoming", "calendar-week", _OPERATIONS, "/maintenance/",
     OPERATIONS),
    (_("Applications"), "applications:application_list", "file-earmark-text",
     _CENTER_AND_DEPARTMENTS | {Role.LEADING_GROUP}, "/applications/", None),
    (_("Work orders"), "delivery:work_order_list", "tools", _CENTER_AND_PROVIDER, "/work-orders/", None),
    (_("Resource ledger"), "ledger:resource_list", "hdd-stack", _OPERATIONS_AND_FINANCE, "/ledger/", RESOURCES),
    # Departments reach their confirmations from the notification that asks for them.
    (_("Reconciliation"), "reconciliation:discrepancy_list", "arrow-left-right", _CENTER_AND_PROVIDER,
     "/reconciliation/", RESOURCES),
    (_("Statements"), "billing:statement_list", "receipt", _SPENDING, "/billing/", COSTS),
    (_("Finance overview"), "budgets:finance", "graph-up", CENTER_ROLES | {Role.FINANCE_VIEWER, Role.LEADING_GROUP},
     "/budgets/finance/", COSTS),
    (_("Budgets"), "budgets:budget_list", "piggy-bank", _SPENDING, "/budgets/", COSTS),
    (_("Catalog and prices"), "catalog:item_list", "card-list", _OPERATIONS_AND_FINANCE, "/catalog/", RESOURCES),
    (_("Working-day calendar"), "workdays:calendar", "calendar3", EVERYONE, "/workdays/", ADMINISTRATION),
    (_("Audit trail"), "audit:event_list", "journal-check",
     frozenset({Role.AUDIT_ADMIN, Role.DEPARTMENT_SECURITY_OFFICER}), "/audit/", None),
    (_("Account security"), "organizations:lockout_list", "shield-lock", frozenset({Role.SECURITY_ADMIN}),
     "/security/", ADMINISTRATION),
    (_("Sign-on link requests"), "identity:link_request_list", "person-badge", frozenset({Role.SYSTEM_ADMIN}),
     "/identity/", ADMINISTRATION),
    (_("Policies"), "policies:policy_list", "sliders", CENTER_ROLES | {Role.SECURITY_ADMIN, Role.SYSTEM_ADMIN},
     "/policies/", ADMINISTRATION),
    (_("Notification channels"), "notifications:channels", "broadcast",
     CENTER_ROLES | {Role.DEPARTMENT_HEAD, Role.PROVIDER_OPERATOR}, "/notifications/channels/", ADMINISTRATION),
]
# fmt: on

NAVIGATION: list[NavItem] = [
    NavItem(label, url_name, icon, frozenset(roles), section, group)
    for label, url_name, icon, roles, section, group in _ENTRIES
]

# Used by home pages to pick the panels to show.
ROLE_PANELS: list[tuple[frozenset[Role], str]] = [
    (CENTER_ROLES, "web/home/center.html"),
    (DEPARTMENT_ROLES, "web/home/department.html"),
    (frozenset({Role.PROVIDER_OPERATOR}), "web/home/provider.html"),
    (frozenset({Role.FINANCE_VIEWER}), "web/home/finance.html"),
    (frozenset({Role.EXPERT, Role.LEADING_GROUP}), "web/home/review.html"),
    (frozenset({Role.SYSTEM_ADMIN}), "web/home/system_admin.html"),
    (frozenset({Role.SECURITY_ADMIN}), "web/home/security_admin.html"),
    (frozenset({Role.AUDIT_ADMIN}), "web/home/audit_admin.html"),
]


def items_for(roles: frozenset[Role]) -> list[NavItem]:
    return [item for item in NAVIGATION if item.roles & roles]
