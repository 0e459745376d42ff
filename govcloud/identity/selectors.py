"""Reads of identities and link requests: the system administrator's, scoped (others see nothing)."""

from __future__ import annotations

from django.db.models import QuerySet

from govcloud.core.scoping import Action, get_scoped_or_404
from govcloud.identity.models import IdentityLink, IdentityLinkRequest, LinkRequestStatus


def link_requests_for(*, user, status: str = LinkRequestStatus.PENDING) -> QuerySet[IdentityLinkRequest]:
    qs = IdentityLinkRequest.objects.restrict(user).select_related("user", "decided_by")
    return qs.filter(status=status) if status else qs


def link_request_get(*, user, pk: int, action: str = Action.VIEW) -> IdentityLinkRequest:
    return get_scoped_or_404(IdentityLinkRequest.objects.select_related("user", "decided_by"), user, action, pk=pk)


def links_for(*, user) -> QuerySet[IdentityLink]:
    return IdentityLink.objects.restrict(user).select_related("user", "user__organization").order_by("-created_at")
