"""Hand-built records for the indicator tests: rows written directly with known times."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from govcloud.incidents.models import Channel, Incident, IncidentSeverity, IncidentState
from govcloud.incidents.severities import severities_seed

JUNE = (date(2026, 6, 1), date(2026, 6, 30))


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def incident(
    org,
    *,
    reported: datetime,
    severity: str = "general",
    answered_after=None,
    recovered_after=None,
    closed_after=None,
    rating=None,
    state=None,
) -> Incident:
    severities_seed()
    sev = IncidentSeverity.objects.get(code=severity)
    responded = reported + answered_after if answered_after is not None else None
    recovered = reported + recovered_after if recovered_after is not None else None
    closed = reported + closed_after if closed_after is not None else None
    if state is None:
        state = (
            IncidentState.CLOSED
            if closed
            else IncidentState.RECOVERED
            if recovered
            else (IncidentState.RESPONDED if responded else IncidentState.REPORTED)
        )
    return Incident.objects.create(
        organization=org,
        title="故障",
        symptom="无法访问",
        severity=sev,
        channel=Channel.WEB,
        reported_at=reported,
        response_due_at=reported + timedelta(minutes=5),
        recovery_due_at=reported + timedelta(hours=sev.recovery_hours),
        responded_at=responded,
        recovered_at=recovered,
        closed_at=closed,
        rating=rating,
        state=state,
    )
