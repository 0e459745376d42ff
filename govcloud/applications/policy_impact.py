"""What a change of an Art. 8/10 limit does to the applications open now, for the policy page.

A limit is read when its clock starts (sign-off, acceptance, approval, delivery) and the due time is
stored on the application: an application whose clock runs keeps the due time it started with, and
only the ones whose clock has not started yet will count with the new value. The warning lead time
is read at every sweep, so a change reaches every open deadline at once. Registered with
core.policy from ApplicationsConfig.ready() (the policy page's app may not import this one).
"""

from __future__ import annotations

from django.db.models import Count, Q

from govcloud.applications.models import Application, ApplicationKind, ApplicationState, Environment
from govcloud.core.policy import Policy, PolicyImpact

S = ApplicationState
# Not signed off yet: every clock of the center is still to start.
_BEFORE_SIGNOFF = [S.DRAFT, S.AWAITING_SIGNOFF, S.RETURNED]
# Not approved yet: the provider's clock is still to start.
_BEFORE_APPROVAL = [*_BEFORE_SIGNOFF, S.SUBMITTED, S.ACCEPTED]
_DELIVERING = [S.IN_DELIVERY, S.TEST_FAILED]


def _delivery(env: str) -> dict[str, Count]:
    return {
        f"delivery_{env}_running": Count("pk", filter=Q(state__in=_DELIVERING, environment=env)),
        f"delivery_{env}_pending": Count("pk", filter=Q(state__in=_BEFORE_APPROVAL, environment=env)),
    }


def application_policy_impacts() -> dict[Policy, PolicyImpact]:
    """Counts over every application (a platform-wide fact shown to whoever may change the policy):
    one query."""
    undecided = Q(state__in=[S.SUBMITTED, S.ACCEPTED])
    c = Application.objects.aggregate(
        acceptance_running=Count("pk", filter=Q(state=S.SUBMITTED, acceptance_due_at__isnull=False)),
        before_signoff=Count("pk", filter=Q(state__in=_BEFORE_SIGNOFF)),
        decision_running=Count("pk", filter=undecided & Q(decision_due_at__isnull=False)),
        decision_pending=Count(
            "pk", filter=Q(state__in=_BEFORE_SIGNOFF) | (undecided & Q(decision_due_at__isnull=True))
        ),
        **_delivery(Environment.PRODUCTION),
        **_delivery(Environment.TEST),
        test_running=Count("pk", filter=Q(state=S.DELIVERED)),
        test_pending=Count(
            "pk",
            filter=Q(state__in=[*_BEFORE_APPROVAL, *_DELIVERING]) & ~Q(kind=ApplicationKind.TERMINATION),
        ),
        open_deadlines=Count(
            "pk",
            filter=Q(state=S.SUBMITTED, acceptance_due_at__isnull=False)
            | (undecided & Q(decision_due_at__isnull=False))
            | Q(state__in=_DELIVERING)
            | Q(state=S.DELIVERED),
        ),
    )
    decision = PolicyImpact(running=c["decision_running"], pending=c["decision_pending"])
    return {
        Policy.ACCEPTANCE_WORKING_DAYS: PolicyImpact(running=c["acceptance_running"], pending=c["before_signoff"]),
        Policy.APPROVAL_WORKING_DAYS: decision,
        Policy.DECISION_FROM_ACCEPTANCE: decision,
        Policy.DELIVERY_WORKING_DAYS: PolicyImpact(
            running=c["delivery_production_running"], pending=c["delivery_production_pending"]
        ),
        Policy.DELIVERY_WORKING_DAYS_TEST: PolicyImpact(
            running=c["delivery_test_running"], pending=c["delivery_test_pending"]
        ),
        Policy.TEST_PERIOD_DAYS: PolicyImpact(running=c["test_running"], pending=c["test_pending"]),
        Policy.DEADLINE_WARNING_HOURS: PolicyImpact(immediate=c["open_deadlines"]),
    }
