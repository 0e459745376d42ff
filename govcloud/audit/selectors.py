"""Reads of the audit trail: the audit admin sees everything; a department security officer sees
what concerns their organization; nobody else sees any of it."""

from __future__ import annotations

from django.db.models import QuerySet

from govcloud.audit.models import AuditChainHead, AuditCheckpoint, AuditEvent
from govcloud.core.scoping import get_scoped_or_404


def events_for(*, user) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.restrict(user).order_by("-seq")


def event_get(*, user, pk) -> AuditEvent:
    return get_scoped_or_404(AuditEvent.objects.all(), user, pk=pk)


def chain_state() -> dict:
    head = AuditChainHead.objects.filter(pk=1).first()
    checkpoint = AuditCheckpoint.objects.order_by("-seq").first()
    return {"head": head, "checkpoint": checkpoint}
