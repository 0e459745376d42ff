"""Receivers of other apps' signals (connected in IncidentsConfig.ready): an alert of monitoring
whose rule asks for it opens an automatic incident (one open incident per alert); the alert
clearing writes a line on that incident's timeline — a person confirms the recovery."""

from __future__ import annotations

from django.db import transaction

from govcloud.audit.services import audit_record
from govcloud.core.actors import SYSTEM
from govcloud.incidents.models import OPEN_STATES, Channel, EntryKind, Incident
from govcloud.incidents.services.common import entry
from govcloud.incidents.services.incidents import incident_open_automatic


def open_for_alert(sender, *, source_key, title, symptom, resource=None, occurred_at=None, **kwargs) -> Incident:
    return incident_open_automatic(
        actor=SYSTEM,
        source=Channel.MONITORING,
        source_key=source_key,
        title=title,
        symptom=symptom,
        resource=resource,
        occurred_at=occurred_at,
    )


def note_alert_closed(sender, *, source_key, body, **kwargs) -> Incident | None:
    with transaction.atomic():
        incident = (
            Incident.objects.select_for_update(of=("self",))
            .filter(source_key=source_key, state__in=OPEN_STATES)
            .order_by("pk")
            .first()
        )
        if incident is None:
            return None
        entry(incident, EntryKind.MESSAGE, SYSTEM, body)
        audit_record(actor=SYSTEM, action="incident.message", target=incident, message=body[:500])
    return incident
