"""The notification kinds the workflow sends (labels, e-mail defaults and usual recipients, for the
notifications settings page). Registered from ApplicationsConfig.ready()."""

from django.utils.translation import gettext_lazy as _

from govcloud.applications.models import ApplicationState as S
from govcloud.core.roles import CENTER_ROLES, Role

_DEPARTMENT = frozenset({Role.DEPARTMENT_APPLICANT, Role.DEPARTMENT_HEAD})
_HEAD = frozenset({Role.DEPARTMENT_HEAD})
_ADMIN = frozenset({Role.CENTER_ADMIN})
_PROVIDER = frozenset({Role.PROVIDER_OPERATOR})


class Kind:
    SIGNOFF_REQUESTED = "applications.signoff_requested"
    SENT_BACK = "applications.sent_back"
    SUBMITTED = "applications.submitted"
    ACCEPTED = "applications.accepted"
    RETURNED = "applications.returned"
    APPROVED = "applications.approved"
    REJECTED = "applications.rejected"
    DELIVERED = "applications.delivered"
    TEST_FAILED = "applications.test_failed"
    IN_SERVICE = "applications.in_service"
    TERMINATED = "applications.terminated"
    WITHDRAWN = "applications.withdrawn"
    ACCEPTANCE_DUE = "applications.acceptance_due"
    ACCEPTANCE_OVERDUE = "applications.acceptance_overdue"
    DECISION_DUE = "applications.decision_due"
    DECISION_OVERDUE = "applications.decision_overdue"
    TEST_DUE = "applications.test_due"
    TEST_OVERDUE = "applications.test_overdue"
    WORK_ORDERS = "delivery.work_orders_created"


# The notifications that ask someone to act while an application is in a state; once it leaves that
# state the step has been taken and they are settled (read) for everyone (workflow.transition).
TO_DO_WHILE: dict[str, frozenset[str]] = {
    S.AWAITING_SIGNOFF: frozenset({Kind.SIGNOFF_REQUESTED}),
    S.DRAFT: frozenset({Kind.SENT_BACK}),
    S.SUBMITTED: frozenset(
        {Kind.SUBMITTED, Kind.ACCEPTANCE_DUE, Kind.ACCEPTANCE_OVERDUE, Kind.DECISION_DUE, Kind.DECISION_OVERDUE}
    ),
    S.ACCEPTED: frozenset({Kind.SUBMITTED, Kind.ACCEPTED, Kind.DECISION_DUE, Kind.DECISION_OVERDUE}),
    S.RETURNED: frozenset({Kind.RETURNED}),
    S.DELIVERED: frozenset({Kind.DELIVERED, Kind.TEST_DUE, Kind.TEST_OVERDUE}),
}


KINDS = [
    (Kind.SIGNOFF_REQUESTED, _("Application to sign off"), None, _HEAD),
    (Kind.SENT_BACK, _("Application sent back by the department head"), None, _DEPARTMENT),
    (Kind.SUBMITTED, _("Application awaiting acceptance"), None, CENTER_ROLES),
    (Kind.ACCEPTED, _("Application awaiting the decision"), None, _ADMIN),
    (Kind.RETURNED, _("Application returned for correction"), True, _DEPARTMENT),
    (Kind.APPROVED, _("Application approved"), True, _DEPARTMENT),
    (Kind.REJECTED, _("Application rejected"), True, _DEPARTMENT),
    (Kind.DELIVERED, _("Delivery ready for the acceptance test"), True, _DEPARTMENT),
    (Kind.TEST_FAILED, _("Acceptance test failed: work reopened"), True, _PROVIDER | _ADMIN),
    (Kind.IN_SERVICE, _("Resources in service"), None, _ADMIN | _PROVIDER),
    (Kind.TERMINATED, _("Resources terminated"), None, _DEPARTMENT | _ADMIN),
    (Kind.WITHDRAWN, _("Application withdrawn"), None, CENTER_ROLES),
    (Kind.ACCEPTANCE_DUE, _("Acceptance of an application coming due"), None, CENTER_ROLES),
    (Kind.ACCEPTANCE_OVERDUE, _("Acceptance of an application overdue"), True, _ADMIN),
    (Kind.DECISION_DUE, _("Decision on an application coming due"), None, CENTER_ROLES),
    (Kind.DECISION_OVERDUE, _("Decision on an application overdue"), True, _ADMIN),
    (Kind.TEST_DUE, _("Acceptance test coming due"), None, _DEPARTMENT),
    (Kind.TEST_OVERDUE, _("Acceptance test overdue"), True, _DEPARTMENT | _ADMIN),
    (Kind.WORK_ORDERS, _("New work orders"), None, _PROVIDER),
]


def register() -> None:
    from govcloud.notifications.kinds import register_kind

    for code, label, email, roles in KINDS:
        register_kind(code, label, email_default=email, roles=roles)
