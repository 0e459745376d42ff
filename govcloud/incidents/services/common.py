"""What the incident services share: naming the actor, the timeline entry, the move check, links,
and who is told."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from govcloud.core.actors import Actor, actor_name, is_system
from govcloud.core.errors import StateConflict
from govcloud.core.permissions import require_role
from govcloud.core.roles import CENTER_ROLES, Role
from govcloud.core.scoping import Action, get_scoped_or_404
from govcloud.incidents.models import (
    INCIDENT_TRANSITIONS,
    PROVIDER,
    DutyShift,
    EntryKind,
    Incident,
    IncidentAction,
    IncidentEntry,
    IncidentState,
)
from govcloud.notifications.models import Severity
from govcloud.notifications.services import notify, notify_roles, users_with_roles

STATE_FIELDS = (
    "state",
    "severity",
    "responder",
    "responded_at",
    "responded_in_time",
    "recovered_at",
    "recovered_in_time",
    "closed_at",
    "workaround",
    "root_cause",
    "resolution",
    "rating",
    "rating_comment",
    "merged_into",
)


def actor_user(actor: Actor):
    return None if is_system(actor) else actor


def text(value, field: str, limit: int | None = None, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("This field is required.")})
    return value[:limit] if limit else value


def entry(incident: Incident, kind: EntryKind, actor: Actor, body: str = "", at: datetime | None = None):
    return IncidentEntry.objects.create(
        incident=incident,
        kind=kind,
        actor=actor_user(actor),
        actor_name=actor_name(actor),
        text=body,
        created_at=at or timezone.now(),
    )


def link(incident: Incident) -> str:
    return reverse("incidents:incident_detail", args=[incident.pk])


def locked(actor: Actor, incident: Incident, action: str = Action.VIEW) -> Incident:
    """The incident, locked for the transaction, if the actor sees it — else 404 as for a missing
    one. Two engineers claiming at once queue here; the second sees the first one's claim."""
    queryset = Incident.objects.select_for_update(of=("self",)).select_related("severity", "organization")
    return get_scoped_or_404(queryset, actor, action, pk=getattr(incident, "pk", incident))


def require_move(actor: Actor, incident: Incident, action: IncidentAction) -> str:
    entry_ = INCIDENT_TRANSITIONS.get((incident.state, action))
    if entry_ is None:
        # Someone else moved it first (another engineer's claim), or the page was stale: the API
        # answers 409.
        raise StateConflict(
            _("You cannot %(action)s this incident while it is “%(state)s”.")
            % {
                "action": str(IncidentAction(action).label).lower(),
                "state": IncidentState(incident.state).label,
            }
        )
    target, roles = entry_
    require_role(actor, roles)
    return target


def on_duty(now: datetime | None = None) -> list[DutyShift]:
    """The shifts running now, of active teams."""
    now = now or timezone.now()
    return list(
        DutyShift.objects.filter(team__is_active=True, starts_at__lte=now, ends_at__gt=now).select_related(
            "team", "primary", "backup"
        )
    )


def duty_engineers(*, backups: bool, now: datetime | None = None) -> list:
    """The primary (or backup) engineers on duty now; every provider operator when the roster
    names nobody, so an incident is never told to no one."""
    shifts = on_duty(now)
    people = [s.backup if backups else s.primary for s in shifts]
    people = [p for p in people if p is not None and p.is_active]
    if people:
        return people
    return list(users_with_roles(PROVIDER))


def tell_department(incident: Incident, title: str, body: str = "", severity=Severity.INFO) -> None:
    """The reporter and the department's people who follow its incidents."""
    recipients = []
    if incident.reporter_id and incident.reporter and incident.reporter.organization_id == incident.organization_id:
        recipients.append(incident.reporter)
    if incident.organization_id:
        recipients += list(users_with_roles({Role.DEPARTMENT_HEAD}, incident.organization))
    notify(
        recipients=recipients,
        kind="incidents.update",
        title=title,
        body=body[:1000],
        link=link(incident),
        severity=severity,
    )


def tell_center(incident: Incident, *, kind: str, title: str, body: str = "", dedupe_key: str = "") -> None:
    notify_roles(
        roles=CENTER_ROLES,
        kind=kind,
        title=title,
        body=body,
        link=link(incident),
        severity=Severity.DANGER,
        dedupe_key=dedupe_key,
    )


def end_of_day(moment: datetime) -> datetime:
    """The last moment of `moment`'s day, local time (Asia/Shanghai)."""
    local = timezone.localtime(moment)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return start + timedelta(days=1) - timedelta(microseconds=1)
