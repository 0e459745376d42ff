"""Reads about organizations and people; each takes the acting user and goes through the scope."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, QuerySet
from django.utils import timezone

from govcloud.core.permissions import require_role
from govcloud.core.policy import Policy, policy_value
from govcloud.core.roles import Role
from govcloud.core.scoping import Action, get_scoped_or_404
from govcloud.organizations.models import ApiToken, Organization, User


def organizations_for(*, user: User, action: str = Action.VIEW) -> QuerySet[Organization]:
    # Explicit order: Meta.ordering does not apply to a GROUP BY query.
    return (
        Organization.objects.restrict(user, action)
        .select_related("parent")
        .annotate(user_count=Count("users"))
        .order_by("path")
    )


def organization_get(*, user: User, pk, action: str = Action.VIEW) -> Organization:
    return get_scoped_or_404(Organization.objects.select_related("parent"), user, action, pk=pk)


def organization_children(*, user: User, organization: Organization) -> QuerySet[Organization]:
    return organizations_for(user=user).filter(parent=organization)


def users_for(*, user: User, action: str = Action.VIEW) -> QuerySet[User]:
    return User.objects.restrict(user, action).with_roles()


def user_get(*, user: User, pk, action: str = Action.VIEW) -> User:
    return get_scoped_or_404(User.objects.with_roles(), user, action, pk=pk)


def tokens_for(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.restrict(user).select_related("user")


def token_get(*, user: User, pk, action: str = Action.VIEW) -> ApiToken:
    return get_scoped_or_404(ApiToken.objects.select_related("user"), user, action, pk=pk)


def lockouts_for(*, user: User):
    """Current failed-login records and whether each is locked (security admin only)."""
    from axes.models import AccessAttempt

    require_role(user, {Role.SECURITY_ADMIN})
    window = timedelta(minutes=int(policy_value(Policy.LOCKOUT_MINUTES)))
    limit = int(policy_value(Policy.LOCKOUT_FAILURE_LIMIT))
    since = timezone.now() - window
    rows = list(AccessAttempt.objects.order_by("-attempt_time")[:500])
    for row in rows:
        row.is_locked = row.failures_since_start >= limit and row.attempt_time >= since
        row.locked_until = row.attempt_time + window if row.is_locked else None
    return rows
