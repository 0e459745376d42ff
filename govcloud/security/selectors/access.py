"""Reads about access grants and sessions; each takes the acting user."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from govcloud.core.roles import Role
from govcloud.core.scoping import Action, get_scoped_or_404
from govcloud.ledger.models import Resource, ResourceState
from govcloud.security.models import AccessGrant, AccessSession, GrantEvent, GrantStatus
from govcloud.systems.models import InformationSystem


def grant_status_q(status: str, now: datetime | None = None) -> Q:
    """The filter for grants in `status` at `now` — the same rule as AccessGrant.status_at."""
    now = now or timezone.now()
    not_revoked = Q(revoked_at__isnull=True) | Q(revoked_at__gt=now)
    return {
        GrantStatus.REVOKED: Q(revoked_at__lte=now),
        GrantStatus.EXPIRED: not_revoked & Q(ends_at__lte=now),
        GrantStatus.SCHEDULED: not_revoked & Q(starts_at__gt=now),
        GrantStatus.ACTIVE: not_revoked & Q(starts_at__lte=now, ends_at__gt=now),
    }[GrantStatus(status)]


def grant_rows() -> QuerySet[AccessGrant]:
    return (
        AccessGrant.objects.select_related("system", "grantee", "granted_by", "revoked_by", "organization")
        .prefetch_related(Prefetch("resources", queryset=Resource.objects.select_related("system").order_by("code")))
        .annotate(
            session_count=Count("sessions", distinct=True),
            flagged_count=Count("sessions", filter=Q(sessions__flagged=True), distinct=True),
        )
        .order_by("-starts_at", "-id")
    )


def grants_for(*, user, action: str = Action.VIEW) -> QuerySet[AccessGrant]:
    return grant_rows().restrict(user, action)


def grant_get(*, user, pk, action: str = Action.VIEW) -> AccessGrant:
    return get_scoped_or_404(grant_rows(), user, action, pk=pk)


def grant_timeline(*, grant: AccessGrant) -> QuerySet[GrantEvent]:
    return GrantEvent.objects.filter(grant=grant).order_by("created_at", "id")


def grant_sessions(*, user, grant: AccessGrant) -> QuerySet[AccessSession]:
    return sessions_for(user=user).filter(grant=grant)


def session_rows() -> QuerySet[AccessSession]:
    return AccessSession.objects.select_related(
        "grant", "operator", "system", "organization", "reviewed_by", "resource"
    ).order_by("-started_at", "-id")


def sessions_for(*, user, action: str = Action.VIEW) -> QuerySet[AccessSession]:
    return session_rows().restrict(user, action)


def session_get(*, user, pk, action: str = Action.VIEW) -> AccessSession:
    return get_scoped_or_404(session_rows(), user, action, pk=pk)


def grantable_systems(*, user) -> QuerySet[InformationSystem]:
    """The systems a department head or security officer may authorize access to: their own."""
    return (
        InformationSystem.objects.restrict(user, Action.CHANGE)
        .filter(classified=False, is_active=True)
        .select_related("organization")
        .order_by("organization__path", "name")
    )


def provider_staff():
    """Named provider operators (the only people a department grants access to)."""
    return (
        get_user_model()
        .objects.filter(is_active=True, role_assignments__role=Role.PROVIDER_OPERATOR)
        .distinct()
        .order_by("full_name", "username")
    )


def session_systems(*, user) -> QuerySet[InformationSystem]:
    """The systems an operator may name when recording a session (every non-classified one)."""
    return (
        InformationSystem.objects.restrict(user)
        .filter(classified=False)
        .select_related("organization")
        .order_by("organization__path", "name")
    )


def grants_given_to(*, user) -> QuerySet[AccessGrant]:
    return (
        AccessGrant.objects.filter(grantee=user)
        .select_related("system", "organization")
        .prefetch_related("resources")
        .order_by("-starts_at")
    )


def grantable_resources(*, user) -> QuerySet[Resource]:
    """The ledger resources a department head or security officer may name in a grant: their own
    department's (and its units'), not terminated — the multiple choice of the grant form."""
    organization = getattr(user, "organization", None)
    if organization is None:
        return Resource.objects.none()
    return (
        Resource.objects.restrict(user, Action.CHANGE)
        .filter(organization__path__startswith=organization.path)
        .exclude(state=ResourceState.TERMINATED)
        .select_related("system", "catalog_item")
        .order_by("system__name", "code")
    )


def session_resources(*, user) -> QuerySet[Resource]:
    """The ledger resources an operator may name when recording a session (every one in service)."""
    return (
        Resource.objects.restrict(user)
        .exclude(state=ResourceState.TERMINATED)
        .select_related("organization", "system")
        .order_by("organization__path", "code")
    )
