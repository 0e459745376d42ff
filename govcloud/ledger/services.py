"""Writes to the resource ledger. Called by delivery and the application workflow (and, later, by
reconciliation); every change appends a ResourceHistory entry — metering reads it — and writes one
audit event."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govcloud.audit.services import audit_record
from govcloud.core.actors import Actor, is_system
from govcloud.ledger.models import HistoryKind, Resource, ResourceHistory, ResourceState


def _actor_name(actor: Actor) -> str:
    return "system" if is_system(actor) else (actor.full_name or actor.get_username())


def _next_code(kind: str) -> str:
    prefix = {"host": "VM", "database": "DB", "storage": "ST", "load_balancer": "LB", "network_access": "NW"}[kind]
    # A sequence per kind, taken from the highest code in use (inside the caller's transaction).
    last = Resource.objects.filter(code__startswith=f"TZ-{prefix}-").order_by("-code").values_list("code", flat=True)
    number = int(last[0].rsplit("-", 1)[1]) + 1 if last else 1
    return f"TZ-{prefix}-{number:06d}"


def _history(resource, *, actor, kind, state_before, spec_before, application=None, at=None, note="") -> None:
    ResourceHistory.objects.create(
        resource=resource,
        at=at or timezone.now(),
        kind=kind,
        state_before=state_before,
        state_after=resource.state,
        spec_before=spec_before,
        spec_after=resource.spec,
        application=application,
        actor_name=_actor_name(actor),
        note=note,
    )


def resource_deliver(
    *,
    actor: Actor,
    application,
    catalog_item,
    spec: dict[str, Any],
    name: str = "",
    addresses: list | None = None,
    provider_ref: str = "",
    at: datetime | None = None,
) -> Resource:
    """A resource the provider delivered for the department's acceptance test (not billed yet)."""
    with transaction.atomic():
        resource = Resource.objects.create(
            code=_next_code(catalog_item.kind),
            name=name,
            organization=application.organization,
            system=application.system,
            catalog_item=catalog_item,
            kind=catalog_item.kind,
            spec=spec,
            addresses=addresses or [],
            provider_ref=provider_ref,
            state=ResourceState.TESTING,
            origin_application=application,
            delivered_at=at or timezone.now(),
        )
        _history(
            resource,
            actor=actor,
            kind=HistoryKind.DELIVERED,
            state_before="",
            spec_before={},
            application=application,
            at=at,
        )
        audit_record(actor=actor, action="resource.deliver", target=resource, changes={"spec": [None, spec]})
    return resource


def resource_activate(*, actor: Actor, resource: Resource, application=None, at: datetime | None = None) -> Resource:
    """Into service (开通): metering starts at this moment."""
    with transaction.atomic():
        resource = Resource.objects.select_for_update().get(pk=resource.pk)
        if resource.state != ResourceState.TESTING:
            raise ValidationError(_("Only a resource in testing can go into service."))
        resource.state = ResourceState.IN_SERVICE
        resource.in_service_at = at or timezone.now()
        resource.save(update_fields=["state", "in_service_at", "updated_at"])
        _history(
            resource,
            actor=actor,
            kind=HistoryKind.ACTIVATED,
            state_before=ResourceState.TESTING,
            spec_before=resource.spec,
            application=application,
            at=resource.in_service_at,
        )
        audit_record(actor=actor, action="resource.activate", target=resource)
    return resource


def resource_change(
    *,
    actor: Actor,
    resource: Resource,
    spec: dict[str, Any],
    application=None,
    at: datetime | None = None,
    note: str = "",
) -> Resource:
    """Apply a new spec (a resize, a larger disk, more bandwidth) from `at`."""
    with transaction.atomic():
        resource = Resource.objects.select_for_update().get(pk=resource.pk)
        if resource.state == ResourceState.TERMINATED:
            raise ValidationError(_("A terminated resource cannot be changed."))
        before = dict(resource.spec)
        resource.spec = spec
        resource.save(update_fields=["spec", "updated_at"])
        _history(
            resource,
            actor=actor,
            kind=HistoryKind.CHANGED,
            state_before=resource.state,
            spec_before=before,
            application=application,
            at=at,
            note=note,
        )
        audit_record(actor=actor, action="resource.change", target=resource, changes={"spec": [before, spec]})
    return resource


def resource_terminate(
    *, actor: Actor, resource: Resource, application=None, at: datetime | None = None, note: str = ""
) -> Resource:
    """End of service (终止): metering stops; the resource stays in the ledger with its end time."""
    with transaction.atomic():
        resource = Resource.objects.select_for_update().get(pk=resource.pk)
        if resource.state == ResourceState.TERMINATED:
            return resource
        before = resource.state
        resource.state = ResourceState.TERMINATED
        resource.terminated_at = at or timezone.now()
        resource.save(update_fields=["state", "terminated_at", "updated_at"])
        _history(
            resource,
            actor=actor,
            kind=HistoryKind.TERMINATED,
            state_before=before,
            spec_before=resource.spec,
            application=application,
            at=resource.terminated_at,
            note=note,
        )
        audit_record(actor=actor, action="resource.terminate", target=resource)
    return resource
