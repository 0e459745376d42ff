"""Security events the provider and the center record (Art. 17), counted per month for the monthly
report (see selectors/events.py)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govcloud.audit.services import audit_record, created, diff, snapshot
from govcloud.core.actors import Actor
from govcloud.core.permissions import require_role
from govcloud.core.scoping import Action
from govcloud.organizations.models import Organization, OrganizationLevel
from govcloud.security.models import EVENT_RECORDERS, TENANT_KINDS, SecurityEvent, SecurityEventKind
from govcloud.security.services.common import actor_user, locked
from govcloud.systems.models import InformationSystem

EVENT_FIELDS = ("kind", "occurred_at", "count", "organization", "source", "summary")
MAX_COUNT = 1_000_000_000
# A clock a little ahead of ours is not an event from the future.
CLOCK_SLACK = timedelta(minutes=5)


def _clean(
    *, kind: str, occurred_at: datetime, count: int, summary: str, source: str, organization, systems
) -> tuple[dict, list[InformationSystem]]:
    if kind not in SecurityEventKind.values:
        raise ValidationError({"kind": _("Choose one of the options.")})
    if not isinstance(occurred_at, datetime):
        raise ValidationError({"occurred_at": _("Give the time of the event.")})
    if timezone.is_naive(occurred_at):
        occurred_at = timezone.make_aware(occurred_at)
    if occurred_at > timezone.now() + CLOCK_SLACK:
        raise ValidationError({"occurred_at": _("A security event is recorded once it has happened.")})
    try:
        count = int(count)
    except (TypeError, ValueError):
        count = 0
    if not 1 <= count <= MAX_COUNT:
        raise ValidationError({"count": _("The count is a whole number of at least 1.")})
    summary = (summary or "").strip()
    if not summary:
        raise ValidationError({"summary": _("This field is required.")})
    system_ids = {getattr(s, "pk", s) for s in systems or ()}
    chosen = list(
        InformationSystem.objects.filter(pk__in=system_ids, is_active=True, classified=False).select_related(
            "organization"
        )
    )
    if len(chosen) != len(system_ids):
        raise ValidationError({"systems": _("Choose active systems from the registry.")})
    org_id = getattr(organization, "pk", organization)
    owners = {s.organization_id for s in chosen}
    if org_id is None and len(owners) > 1:
        raise ValidationError(
            {"systems": _("The systems belong to several departments: record one event per department.")}
        )
    if org_id is None and owners:
        org_id = owners.pop()
    org = None
    if org_id is not None:
        org = (
            Organization.objects.filter(pk=org_id, is_active=True, kind__in=TENANT_KINDS)
            .exclude(level=OrganizationLevel.CITY)
            .first()
        )
        if org is None:
            raise ValidationError({"organization": _("Choose an active department.")})
        if any(not s.organization.path.startswith(org.path) for s in chosen):
            raise ValidationError({"systems": _("Choose systems of the department the event concerned.")})
    fields = {
        "kind": SecurityEventKind(kind),
        "occurred_at": occurred_at,
        "count": count,
        "summary": summary,
        "source": (source or "").strip()[:100],
        "organization": org,
    }
    return fields, chosen


def security_event_record(
    *,
    actor: Actor,
    kind: str,
    occurred_at: datetime,
    summary: str,
    count: int = 1,
    organization: Organization | int | None = None,
    systems: Iterable = (),
    source: str = "",
) -> SecurityEvent:
    """Record an event: the department is the one given, else the owner of the systems given (one
    department per event), else none — an event of the platform as a whole."""
    require_role(actor, EVENT_RECORDERS)
    fields, chosen = _clean(
        kind=kind,
        occurred_at=occurred_at,
        count=count,
        summary=summary,
        source=source,
        organization=organization,
        systems=systems,
    )
    with transaction.atomic():
        event = SecurityEvent.objects.create(**fields, recorded_by=actor_user(actor))
        event.systems.set(chosen)
        audit_record(
            actor=actor,
            action="security_event.create",
            target=event,
            changes={**created(event, EVENT_FIELDS), "systems": [None, sorted(s.name for s in chosen)]},
        )
    return event


def security_event_update(*, actor: Actor, event: SecurityEvent, **fields) -> SecurityEvent:
    """Correct a recorded event (the statistics follow); the audit event keeps what it said before."""
    require_role(actor, EVENT_RECORDERS)
    unknown = set(fields) - {"kind", "occurred_at", "count", "summary", "source", "organization", "systems"}
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    with transaction.atomic():
        event = locked(SecurityEvent, actor, event.pk, Action.CHANGE)
        before = snapshot(event, EVENT_FIELDS)
        before_systems = sorted(event.systems.values_list("name", flat=True))
        current = {
            "kind": event.kind,
            "occurred_at": event.occurred_at,
            "count": event.count,
            "summary": event.summary,
            "source": event.source,
            # Changing the systems alone re-derives the department from them.
            "organization": None if "systems" in fields and "organization" not in fields else event.organization_id,
            "systems": event.systems.all() if "systems" not in fields else (),
        }
        clean, chosen = _clean(**{**current, **fields})
        for key, value in clean.items():
            setattr(event, key, value)
        event.save()
        event.systems.set(chosen)
        changes = diff(before, snapshot(event, EVENT_FIELDS))
        after_systems = sorted(s.name for s in chosen)
        if after_systems != before_systems:
            changes["systems"] = [before_systems, after_systems]
        if changes:
            audit_record(actor=actor, action="security_event.update", target=event, changes=changes)
    return event
