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


NAVIGATION: list[NavItem] = [
    NavItem(_("Home"), "web:home", "house", EVERYONE, "/"),
    NavItem(
        _("Organizations"),
        "organizations:organization_list",
        "diagram-3",
        EVERYONE - {Role.EXPERT},
        "/organizations/",
        group=ADMINISTRATION,
    ),
    NavItem(
        _("Users"),
        "organizations:user_list",
        "people",
        CENTER_ROLES
        | {
            Role.SYSTEM_ADMIN,
            Role.SECURITY_ADMIN,
            Role.AUDIT_ADMIN,
            Role.DEPARTMENT_HEAD,
            Role.DEPARTMENT_SECURITY_OFFICER,
        },
        "/users/",
        group=ADMINISTRATION,
    ),
    NavItem(
        _("Information systems"),
        "systems:system_list",
        "hdd-network",
        CENTER_ROLES | DEPARTMENT_ROLES | {Role.PROVIDER_OPERATOR, Role.LEADING_GROUP, Role.EXPERT},
        "/systems/",
    ),
    NavItem(
        _("Security"),
        "security:overview",
        "shield-check",
        CENTER_ROLES | DEPARTMENT_ROLES | {Role.PROVIDER_OPERATOR},
        "/security/",
    ),
    NavItem(
        _("Security notices"),
        "security:notice_list",
        "megaphone",
        CENTER_ROLES | DEPARTMENT_ROLES,
        "/security/notices/",
        group=OPERATIONS,
    ),
    NavItem(
        _("Incidents"),
        "incidents:incident_list",
        "life-preserver",
        CENTER_ROLES | DEPARTMENT_ROLES | {Role.PROVIDER_OPERATOR},
        "/incidents/",
        group=OPERATIONS,
    ),
    NavItem(
        _("Service desk board"),
        "incidents:board",
        "display",
        CENTER_ROLES | {Role.PROVIDER_OPERATOR},
        "/incidents/board/",
        group=OPERATIONS,
    ),
    NavItem(
        _("Utilization"),
        "monitoring:utilization",
        "speedometer2",
        CENTER_ROLES | DEPARTMENT_ROLES | {Role.PROVIDER_OPERATOR, Role.FINANCE_VIEWER},
        "/monitoring/",
        group=OPERATIONS,
    ),
    NavItem(
        _("Import utilization table"),
        "monitoring:import_list",
        "file-earmark-arrow-up",
        CENTER_ROLES | {Role.PROVIDER_OPERATOR},
        "/monitoring/imports/",
        group=OPERATIONS,
    ),
    NavItem(
        _("Utilization alerts"),
        "monitoring:alert_list",
        "bell",
        CENTER_ROLES | DEPARTMENT_ROLES | {Role.PROVIDER_OPERATOR, Role.FINANCE_VIEWER},
        "/monitoring/alerts/",
        group=OPERATIONS,
    ),
    NavItem(
        _("Reports"),
        "reports:utilization_list",
        "file-earmark-bar-graph",
        CENTER_ROLES | DEPARTMENT_ROLES | {Role.PROVIDER_OPERATOR, Role.FINANCE_VIEWER},
        "/reports/",
        group=OPERATIONS,
    ),
    NavItem(
        _("Rightsizing advice"),
        "waste:advice_list",
        "sliders",
        CENTER_ROLES | DEPARTMENT_ROLES | {Role.PROVIDER_OPERATOR, Role.FINANCE_VIEWER},
        "/waste/advice/",
        group=OPERATIONS,
    ),
    NavItem(
        _("Due soon"),
        "waste:expiry_list",
        "hourglass-split",
        CENTER_ROLES | DEPARTMENT_ROLES | {Role.PROVIDER_OPERATOR, Role.FINANCE_VIEWER},
        "/waste/expiry/",
        group=OPERATIONS,
    ),
    NavItem(
        _("Security events"),
        "security:security_event_stats",
        "shield-exclamation",
        CENTER_ROLES | DEPARTMENT_ROLES | {Role.PROVIDER_OPERATOR},
        "/security/security-events/",
        group=OPERATIONS,
    ),
    NavItem(
        _("Provider assessment"),
        "assessment:assessment_list",
        "clipboard-data",
        CENTER_ROLES | {Role.PROVIDER_OPERATOR, Role.LEADING_GROUP},
        "/assessment/",
        group=OPERATIONS,
    ),
    NavItem(
        _("Supervision of departments"),
        "assessment:supervision",
        "binoculars",
        CENTER_ROLES | {Role.LEADING_GROUP},
        "/assessment/supervision/",
        group=OPERATIONS,
    ),
    NavItem(
        _("Satisfaction survey"),
        "assessment:survey_list",
        "ui-checks",
        DEPARTMENT_ROLES,
        "/assessment/surveys/",
        group=OPERATIONS,
    ),
    NavItem(
        _("Maintenance windows"),
        "maintenance:window_upcoming",
        "calendar-week",
        CENTER_ROLES | DEPARTMENT_ROLES | {Role.PROVIDER_OPERATOR},
        "/maintenance/",
        group=OPERATIONS,
    ),
    NavItem(
        _("Applications"),
        "applications:application_list",
        "file-earmark-text",
        CENTER_ROLES | DEPARTMENT_ROLES | {Role.LEADING_GROUP},
        "/applications/",
    ),
    NavItem(
        _("Work orders"),
        "delivery:work_order_list",
        "tools",
        CENTER_ROLES | {Role.PROVIDER_OPERATOR},
        "/work-orders/",
    ),
    NavItem(
        _("Resource ledger"),
        "ledger:resource_list",
        "hdd-stack",
        CENTER_ROLES | DEPARTMENT_ROLES | {Role.PROVIDER_OPERATOR, Role.FINANCE_VIEWER},
        "/ledger/",
        group=RESOURCES,
    ),
    NavItem(
        _("Reconciliation"),
        "reconciliation:discrepancy_list",
        "arrow-left-right",
        # Departments reach their confirmations from the notification that asks for them.
        CENTER_ROLES | {Role.PROVIDER_OPERATOR},
        "/reconciliation/",
        group=RESOURCES,
    ),
    NavItem(
        _("Statements"),
        "billing:statement_list",
        "receipt",
        CENTER_ROLES | DEPARTMENT_ROLES | {Role.FINANCE_VIEWER, Role.LEADING_GROUP},
        "/billing/",
        group=COSTS,
    ),
    NavItem(
        _("Finance overview"),
        "budgets:finance",
        "graph-up",
        CENTER_ROLES | {Role.FINANCE_VIEWER, Role.LEADING_GROUP},
        "/budgets/finance/",
        group=COSTS,
    ),
    NavItem(
        _("Budgets"),
        "budgets:budget_list",
        "piggy-bank",
        CENTER_ROLES | DEPARTMENT_ROLES | {Role.FINANCE_VIEWER, Role.LEADING_GROUP},
        "/budgets/",
        group=COSTS,
    ),
    NavItem(
        _("Catalog and prices"),
        "catalog:item_list",
        "card-list",
        CENTER_ROLES | DEPARTMENT_ROLES | {Role.PROVIDER_OPERATOR, Role.FINANCE_VIEWER},
        "/catalog/",
        group=RESOURCES,
    ),
    NavItem(_("Working-day calendar"), "workdays:calendar", "calendar3", EVERYONE, "/workdays/", ADMINISTRATION),
    NavItem(
        _("Audit trail"),
        "audit:event_list",
        "journal-check",
        frozenset({Role.AUDIT_ADMIN, Role.DEPARTMENT_SECURITY_OFFICER}),
        "/audit/",
    ),
    NavItem(
        _("Account security"),
        "organizations:lockout_list",
        "shield-lock",
        frozenset({Role.SECURITY_ADMIN}),
        "/security/",
        group=ADMINISTRATION,
    ),
    NavItem(
        _("Sign-on link requests"),
        "identity:link_request_list",
        "person-badge",
        frozenset({Role.SYSTEM_ADMIN}),
        "/identity/",
        group=ADMINISTRATION,
    ),
    NavItem(
        _("Policies"),
        "policies:policy_list",
        "sliders",
        CENTER_ROLES | {Role.SECURITY_ADMIN, Role.SYSTEM_ADMIN},
        "/policies/",
        group=ADMINISTRATION,
    ),
    NavItem(
        _("Notification channels"),
        "notifications:channels",
        "broadcast",
        CENTER_ROLES | {Role.DEPARTMENT_HEAD, Role.PROVIDER_OPERATOR},
        "/notifications/channels/",
        group=ADMINISTRATION,
    ),
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
