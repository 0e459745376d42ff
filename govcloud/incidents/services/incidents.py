"""Opening incidents and moving them (Art. 12, 13).

Three ways in: a department reports (web form, API), provider staff log a phone call (the time of
the call starts the clock), monitoring and reconciliation open one automatically. Every move checks
the role and the scope, locks the incident, and writes one audit event and one timeline entry.
"Response" is a human act: an engineer claims the incident with a first message to the reporter;
it is within the limit when it comes at or before the incident's response deadline.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govcloud.audit.services import audit_record, created, diff, snapshot
from govcloud.core.actors import Actor, actor_roles
from govcloud.core.errors import StateConflict
from govcloud.core.permissions import require_role
from govcloud.core.roles import Role
from govcloud.core.scoping import Action
from govcloud.incidents.models import (
    DESK,
    OPEN_STATES,
    REPORTERS,
    Channel,
    EntryKind,
    Incident,
    IncidentAction,
    IncidentSeverity,
    IncidentState,
)
from govcloud.incidents.services.attachments import attachments_saved, check_uploads
from govcloud.incidents.services.common import (
    STATE_FIELDS,
    actor_user,
    duty_engineers,
    entry,
    link,
    locked,
    require_move,
    tell_center,
    tell_department,
    text,
)
from govcloud.incidents.severities import severities_seed
from govcloud.ledger.models import Resource
from govcloud.notifications.models import Severity
from govcloud.notifications.services import notify, notify_roles
from govcloud.organizations.models import Organization, OrganizationKind
from govcloud.systems.models import InformationSystem

# How far back a logged phone call may be dated (a call logged after the shift is still the call).
MAX_CALL_AGE = timedelta(hours=24)
MAX_MESSAGE = 5000


def _severity(value) -> IncidentSeverity:
    if isinstance(value, IncidentSeverity):
        return value
    found = IncidentSeverity.objects.filter(pk=value).first() if str(value or "").isdigit() else None
    found = found or IncidentSeverity.objects.filter(code=value).first()
    if found is None:
        raise ValidationError({"severity": _("Choose one of the severities.")})
    return found


def _system(actor: Actor, system, organization: Organization | None) -> InformationSystem | None:
    if system in (None, ""):
        return None
    pk = getattr(system, "pk", system)
    found = InformationSystem.objects.restrict(actor).filter(pk=pk, is_active=True).first()
    if found is None or (organization is not None and not found.organization.path.startswith(organization.path)):
        raise ValidationError({"system": _("Choose one of the department's registered systems.")})
    return found


def _resources(actor: Actor, resources: Iterable, organization: Organization | None) -> list[Resource]:
    """The affected resources, from the department's own ledger only."""
    ids = {getattr(r, "pk", r) for r in resources or ()}
    if not ids:
        return []
    found = Resource.objects.restrict(actor).filter(pk__in=ids)
    if organization is not None:
        found = found.filter(organization__path__startswith=organization.path)
    found = list(found)
    if len(found) != len(ids):
        raise ValidationError({"resources": _("Choose resources from the department's own ledger.")})
    return found


def _open(
    *,
    actor: Actor,
    organization: Organization | None,
    channel: Channel,
    title: str,
    symptom: str,
    severity,
    reported_at: datetime,
    system=None,
    resources: Iterable = (),
    contact_name: str = "",
    contact_phone: str = "",
    caller: str = "",
    source_key: str = "",
    audit_action: str = "incident.report",
    attachments: list | None = None,
) -> Incident:
    severity = _severity(severity)
    title = text(title, "title", 200)
    symptom = text(symptom, "symptom")
    chosen_system = _system(actor, system, organization)
    chosen = _resources(actor, resources, organization)
    incident = Incident.objects.create(
        organization=organization,
        system=chosen_system,
        title=title,
        symptom=symptom,
        severity=severity,
        contact_name=text(contact_name, "contact_name", 60, required=False),
        contact_phone=text(contact_phone, "contact_phone", 40, required=False),
        channel=channel,
        reporter=actor_user(actor),
        caller=text(caller, "caller", 100, required=False),
        source_key=source_key,
        reported_at=reported_at,
        response_due_at=reported_at + severity.response_limit,
        recovery_due_at=reported_at + severity.recovery_target,
    )
    incident.number = f"GZ-{timezone.localtime(reported_at):%Y}-{incident.pk:05d}"
    incident.save(update_fields=["number"])
    incident.resources.set(chosen)
    reported = entry(incident, EntryKind.REPORTED, actor, symptom, at=reported_at)
    with attachments_saved(actor=actor, incident=incident, entry=reported, checked=attachments or []) as files:
        audit_record(
            actor=actor,
            action=audit_action,
            target=incident,
            changes=created(incident, ("number", "title", "severity", "channel", "reported_at", "caller")),
            message=", ".join([r.code for r in chosen] + [f.original_name for f in files]),
        )
        _announce(incident)
    return incident


def _announce(incident: Incident) -> None:
    """Tell the duty engineers at once; a major incident also goes to the center and the head."""
    params = {
        "number": incident.number,
        "severity": incident.severity.name,
        "title": incident.title,
        "org": incident.organization.name if incident.organization else _("the platform"),
    }
    notify(
        recipients=duty_engineers(backups=False),
        kind="incidents.new",
        title=_("New incident %(number)s [%(severity)s] %(org)s: %(title)s") % params,
        body=incident.symptom[:1000],
        link=link(incident),
        severity=Severity.DANGER if incident.severity.is_major else Severity.WARNING,
    )
    if incident.severity.is_major:
        _announce_major(incident)


def _announce_major(incident: Incident) -> None:
    params = {"number": incident.number, "severity": incident.severity.name, "title": incident.title}
    title = _("Major incident %(number)s [%(severity)s]: %(title)s — report due today") % params
    tell_center(incident, kind="incidents.major", title=title, body=incident.symptom[:1000])
    if incident.organization_id:
        notify_roles(
            roles={Role.DEPARTMENT_HEAD},
            organization=incident.organization,
            kind="incidents.major",
            title=title,
            body=incident.symptom[:1000],
            link=link(incident),
            severity=Severity.DANGER,
        )


def incident_report(
    *,
    actor: Actor,
    title: str,
    symptom: str,
    severity,
    system=None,
    resources: Iterable = (),
    contact_name: str = "",
    contact_phone: str = "",
    channel: str = Channel.WEB,
    attachments: Sequence = (),
) -> Incident:
    """A department reports a fault (web form or API) for its own organization, with up to five
    screenshots or documents (PDF, PNG, JPEG); the clock starts now."""
    require_role(actor, REPORTERS)
    checked = check_uploads(attachments)
    if channel not in (Channel.WEB, Channel.API):
        raise ValidationError({"channel": _("A department reports through the web form or the API.")})
    organization = getattr(actor, "organization", None)
    if organization is None:
        raise PermissionDenied(_("You belong to no department."))
    with transaction.atomic():
        return _open(
            actor=actor,
            organization=organization,
            channel=Channel(channel),
            title=title,
            symptom=symptom,
            severity=severity,
            reported_at=timezone.now(),
            system=system,
            resources=resources,
            contact_name=contact_name or getattr(actor, "full_name", ""),
            contact_phone=contact_phone,
            attachments=checked,
        )


def incident_log_call(
    *,
    actor: Actor,
    organization,
    caller: str,
    called_at: datetime,
    title: str,
    symptom: str,
    severity,
    system=None,
    resources: Iterable = (),
    contact_phone: str = "",
) -> Incident:
    """Provider staff (or the center) log a phone call (Art. 12: the 7×24 phone line). The clock
    started when the department called, not when the call was typed in."""
    require_role(actor, DESK)
    caller = text(caller, "caller", 100)
    now = timezone.now()
    if called_at is None or called_at > now + timedelta(minutes=1):
        raise ValidationError({"called_at": _("The call cannot be in the future.")})
    if called_at < now - MAX_CALL_AGE:
        raise ValidationError({"called_at": _("Log a call within 24 hours of it.")})
    pk = getattr(organization, "pk", organization)
    org = Organization.objects.filter(
        pk=pk, is_active=True, kind__in=(OrganizationKind.DEPARTMENT, OrganizationKind.FINANCE)
    ).first()
    if org is None:
        raise ValidationError({"organization": _("Choose the calling department.")})
    with transaction.atomic():
        return _open(
            actor=actor,
            organization=org,
            channel=Channel.PHONE,
            title=title,
            symptom=symptom,
            severity=severity,
            reported_at=min(called_at, now),
            system=system,
            resources=resources,
            contact_name=caller,
            contact_phone=contact_phone,
            caller=caller,
            audit_action="incident.log_call",
        )


def incident_open_automatic(
    *,
    actor: Actor,
    source: str,
    source_key: str,
    title: str,
    symptom: str,
    resource: Resource | None = None,
    organization: Organization | None = None,
    severity=None,
    occurred_at: datetime | None = None,
) -> Incident:
    """Monitoring or reconciliation opens an incident. One open incident per source: a second
    finding about the same thing adds a line to the open one's timeline instead."""
    require_role(actor, DESK)
    channel = Channel(source)
    if channel not in (Channel.MONITORING, Channel.RECONCILIATION):
        raise ValidationError({"source": _("Automatic incidents come from monitoring or reconciliation.")})
    source_key = text(source_key, "source_key", 80)
    with transaction.atomic():
        existing = (
            Incident.objects.select_for_update(of=("self",))
            .filter(source_key=source_key, state__in=OPEN_STATES)
            .order_by("pk")
            .first()
        )
        if existing is not None:
            entry(existing, EntryKind.MESSAGE, actor, symptom)
            return existing
        if resource is not None and organization is None:
            organization = resource.organization
        if severity is None:
            # The least severe level; the center may have none left only in an emptied database.
            if not IncidentSeverity.objects.exists():
                severities_seed()
            severity = IncidentSeverity.objects.order_by("rank").first()
        incident = _open(
            actor=actor,
            organization=organization,
            channel=channel,
            title=title,
            symptom=symptom,
            severity=severity,
            reported_at=min(occurred_at or timezone.now(), timezone.now()),
            source_key=source_key,
            audit_action="incident.open_automatic",
        )
        if resource is not None:
            incident.resources.add(resource)
        return incident


# --- Moves -----------------------------------------------------------------------------------------


def _finish(actor: Actor, incident: Incident, action: str, before: dict, kind: EntryKind, body: str = "") -> None:
    incident.save()
    entry(incident, kind, actor, body)
    audit_record(
        actor=actor,
        action=f"incident.{action}",
        target=incident,
        changes=diff(before, snapshot(incident, STATE_FIELDS)),
        message=body[:500],
    )


def incident_claim(*, actor: Actor, incident: Incident, message: str) -> Incident:
    """An engineer takes the incident and answers the reporter: that is the response (Art. 12),
    recorded with its time. Of two engineers claiming at once, one gets it; the other is refused."""
    message = text(message, "message", MAX_MESSAGE)
    with transaction.atomic():
        incident = locked(actor, incident)
        target = require_move(actor, incident, IncidentAction.CLAIM)
        before = snapshot(incident, STATE_FIELDS)
        now = timezone.now()
        incident.state = target
        incident.responder = actor_user(actor)
        incident.responded_at = now
        incident.responded_in_time = now <= incident.response_due_at
        _finish(actor, incident, IncidentAction.CLAIM, before, EntryKind.CLAIMED, message)
        tell_department(
            incident,
            _("%(number)s answered by %(name)s: %(message)s")
            % {"number": incident.number, "name": getattr(actor, "full_name", ""), "message": message[:120]},
            message,
        )
    return incident


def incident_message(*, actor: Actor, incident: Incident, body: str, attachments: Sequence = ()) -> Incident:
    """A message between the department and the provider, on the timeline, with up to five files.
    It is not a response by itself: an engineer responds by claiming."""
    body = text(body, "body", MAX_MESSAGE)
    checked = check_uploads(attachments)
    roles = actor_roles(actor)
    with transaction.atomic():
        incident = locked(actor, incident)
        if incident.state == IncidentState.MERGED:
            raise StateConflict(_("This incident was merged; write on the incident it was merged into."))
        if not roles & (DESK | REPORTERS):
            raise PermissionDenied(_("Only the department and the service desk write on an incident."))
        written = entry(incident, EntryKind.MESSAGE, actor, body)
        with attachments_saved(actor=actor, incident=incident, entry=written, checked=checked) as files:
            names = "".join(f" [{f.original_name}]" for f in files)
            audit_record(actor=actor, action="incident.message", target=incident, message=body[:500] + names)
            if roles & REPORTERS:
                recipients = [incident.responder] if incident.responder_id else duty_engineers(backups=False)
                notify(
                    recipients=recipients,
                    kind="incidents.update",
                    title=_("Message on %(number)s from the department") % {"number": incident.number},
                    body=body[:1000],
                    link=link(incident),
                )
            else:
                tell_department(
                    incident, _("Message on %(number)s from the service desk") % {"number": incident.number}, body
                )
    return incident


def incident_start(*, actor: Actor, incident: Incident, note: str = "") -> Incident:
    note = text(note, "note", MAX_MESSAGE, required=False)
    with transaction.atomic():
        incident = locked(actor, incident)
        target = require_move(actor, incident, IncidentAction.START)
        before = snapshot(incident, STATE_FIELDS)
        incident.state = target
        _finish(actor, incident, IncidentAction.START, before, EntryKind.STARTED, note)
    return incident


def incident_recover(
    *, actor: Actor, incident: Incident, resolution: str, workaround: str = "", root_cause: str = ""
) -> Incident:
    """Service is back: the recovery time counts against the severity's target; the department
    is asked to confirm."""
    resolution = text(resolution, "resolution", MAX_MESSAGE)
    with transaction.atomic():
        incident = locked(actor, incident)
        target = require_move(actor, incident, IncidentAction.RECOVER)
        before = snapshot(incident, STATE_FIELDS)
        now = timezone.now()
        incident.state = target
        incident.recovered_at = now
        incident.recovered_in_time = now <= incident.recovery_due_at
        incident.resolution = resolution
        if workaround:
            incident.workaround = text(workaround, "workaround", MAX_MESSAGE)
        if root_cause:
            incident.root_cause = text(root_cause, "root_cause", MAX_MESSAGE)
        _finish(actor, incident, IncidentAction.RECOVER, before, EntryKind.RECOVERED, resolution)
        tell_department(
            incident,
            _("%(number)s recovered — please confirm or reopen") % {"number": incident.number},
            resolution,
            Severity.WARNING,
        )
    return incident


def incident_confirm(*, actor: Actor, incident: Incident, comment: str = "") -> Incident:
    """The department confirms the recovery: the incident closes."""
    comment = text(comment, "comment", MAX_MESSAGE, required=False)
    with transaction.atomic():
        incident = locked(actor, incident, Action.CHANGE)
        target = require_move(actor, incident, IncidentAction.CONFIRM)
        before = snapshot(incident, STATE_FIELDS)
        incident.state = target
        incident.closed_at = timezone.now()
        _finish(actor, incident, IncidentAction.CONFIRM, before, EntryKind.CONFIRMED, comment)
    return incident


def incident_reopen(*, actor: Actor, incident: Incident, reason: str) -> Incident:
    """The department says the fault is not gone: back in progress, the recovery clock runs on."""
    reason = text(reason, "reason", MAX_MESSAGE)
    with transaction.atomic():
        incident = locked(actor, incident, Action.CHANGE)
        target = require_move(actor, incident, IncidentAction.REOPEN)
        before = snapshot(incident, STATE_FIELDS)
        incident.state = target
        incident.recovered_at = None
        incident.recovered_in_time = None
        _finish(actor, incident, IncidentAction.REOPEN, before, EntryKind.REOPENED, reason)
        recipients = [incident.responder] if incident.responder_id else duty_engineers(backups=False)
        notify(
            recipients=recipients,
            kind="incidents.update",
            title=_("%(number)s reopened by the department") % {"number": incident.number},
            body=reason,
            link=link(incident),
            severity=Severity.WARNING,
        )
    return incident


def incident_rate(*, actor: Actor, incident: Incident, rating: int, comment: str = "") -> Incident:
    """The reporting department rates the handling (1–5) once the incident is closed (Art. 20:
    satisfaction)."""
    require_role(actor, REPORTERS)
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise ValidationError({"rating": _("Rate from 1 to 5.")})
    comment = text(comment, "comment", 2000, required=False)
    with transaction.atomic():
        incident = locked(actor, incident, Action.CHANGE)
        if incident.state != IncidentState.CLOSED:
            raise StateConflict(_("An incident is rated once it is closed."))
        if incident.rated_at is not None:
            raise StateConflict(_("This incident has been rated already."))
        before = snapshot(incident, STATE_FIELDS)
        incident.rating, incident.rating_comment, incident.rated_at = rating, comment, timezone.now()
        _finish(actor, incident, "rate", before, EntryKind.RATED, f"{rating}/5 {comment}".strip())
    return incident


def incident_merge(*, actor: Actor, incident: Incident, into: Incident, comment: str = "") -> Incident:
    """A duplicate report goes into the incident that is being worked; its department follows there."""
    comment = text(comment, "comment", 2000, required=False)
    with transaction.atomic():
        incident = locked(actor, incident)
        main = locked(actor, into)
        if main.pk == incident.pk:
            raise ValidationError({"into": _("An incident cannot be merged into itself.")})
        if main.state not in OPEN_STATES | {IncidentState.RECOVERED}:
            raise ValidationError({"into": _("Merge into an incident that is still being handled.")})
        target = require_move(actor, incident, IncidentAction.MERGE)
        before = snapshot(incident, STATE_FIELDS)
        incident.state, incident.merged_into = target, main
        _finish(actor, incident, IncidentAction.MERGE, before, EntryKind.MERGED, f"{main.number} {comment}".strip())
        entry(main, EntryKind.DUPLICATE, actor, f"{incident.number} {incident.title}")
        tell_department(
            incident,
            _("%(number)s is followed as %(main)s") % {"number": incident.number, "main": main.number},
            comment,
        )
    return incident


def incident_update(
    *,
    actor: Actor,
    incident: Incident,
    severity=None,
    workaround: str | None = None,
    root_cause: str | None = None,
) -> Incident:
    """The service desk sets the severity it finds (the recovery target follows; the response
    deadline stays once answered), the workaround and the root cause. Raising an incident to a
    major severity tells the center and the department head at once."""
    require_role(actor, DESK)
    with transaction.atomic():
        incident = locked(actor, incident)
        if incident.state in (IncidentState.CLOSED, IncidentState.MERGED):
            raise StateConflict(_("A closed incident does not change."))
        before = snapshot(incident, STATE_FIELDS)
        was_major = incident.severity.is_major
        if severity not in (None, ""):
            chosen = _severity(severity)
            incident.severity = chosen
            incident.recovery_due_at = incident.reported_at + chosen.recovery_target
            if incident.responded_at is None:
                incident.response_due_at = incident.reported_at + chosen.response_limit
        if workaround is not None:
            incident.workaround = text(workaround, "workaround", MAX_MESSAGE, required=False)
        if root_cause is not None:
            incident.root_cause = text(root_cause, "root_cause", MAX_MESSAGE, required=False)
        changes = diff(before, snapshot(incident, STATE_FIELDS))
        if not changes:
            return incident
        summary = "; ".join(f"{field}: {new}" for field, (_old, new) in changes.items())
        _finish(actor, incident, "update", before, EntryKind.UPDATED, summary[:1000])
        if incident.severity.is_major and not was_major:
            _announce_major(incident)
    return incident
