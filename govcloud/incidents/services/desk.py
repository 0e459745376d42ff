"""The service desk around the incidents: severities, the duty roster, escalation of unanswered
incidents, the major-incident report and its end-of-day warning, follow-up items."""

from __future__ import annotations

import logging
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from govcloud.audit.services import audit_record, created, diff, snapshot
from govcloud.core.actors import SYSTEM, Actor
from govcloud.core.permissions import require_role
from govcloud.core.policy import Policy, policy_value
from govcloud.core.roles import Role
from govcloud.incidents.models import (
    DESK,
    PROVIDER,
    SEVERITY_EDITORS,
    DutyShift,
    DutyTeam,
    EntryKind,
    FollowUpItem,
    Incident,
    IncidentSeverity,
    IncidentState,
    MajorIncidentReport,
)
from govcloud.incidents.services.common import (
    actor_user,
    duty_engineers,
    end_of_day,
    entry,
    link,
    locked,
    tell_center,
    text,
)
from govcloud.notifications.models import Severity
from govcloud.notifications.services import notify

logger = logging.getLogger(__name__)

SEVERITY_FIELDS = ("name", "definition", "is_major", "response_minutes", "recovery_hours")


def incident_severity_update(
    *,
    actor: Actor,
    severity: IncidentSeverity,
    name: str,
    definition: str,
    is_major: bool,
    recovery_hours: int,
    response_minutes: int | None = None,
) -> IncidentSeverity:
    """The center defines a severity and its targets. Open incidents keep the deadlines they had."""
    require_role(actor, SEVERITY_EDITORS)
    if not 1 <= int(recovery_hours) <= 24 * 30:
        raise ValidationError({"recovery_hours": _("Give between 1 and 720 hours.")})
    if response_minutes not in (None, "") and not 1 <= int(response_minutes) <= 120:
        raise ValidationError({"response_minutes": _("Give between 1 and 120 minutes, or leave it empty.")})
    with transaction.atomic():
        severity = IncidentSeverity.objects.select_for_update().get(pk=severity.pk)
        before = snapshot(severity, SEVERITY_FIELDS)
        severity.name = text(name, "name", 40)
        severity.definition = text(definition, "definition", required=False)
        severity.is_major = bool(is_major)
        severity.recovery_hours = int(recovery_hours)
        severity.response_minutes = int(response_minutes) if response_minutes not in (None, "") else None
        severity.save()
        audit_record(
            actor=actor,
            action="incident_severity.update",
            target=severity,
            changes=diff(before, snapshot(severity, SEVERITY_FIELDS)),
        )
    return severity


# --- Duty roster -----------------------------------------------------------------------------------


def duty_team_create(*, actor: Actor, name: str) -> DutyTeam:
    require_role(actor, DESK)
    name = text(name, "name", 100)
    with transaction.atomic():
        if DutyTeam.objects.filter(name=name).exists():
            raise ValidationError({"name": _("A team with this name exists.")})
        team = DutyTeam.objects.create(name=name)
        audit_record(actor=actor, action="duty_team.create", target=team, changes=created(team, ("name",)))
    return team


def _engineer(user, field: str, required: bool = True):
    if user in (None, ""):
        if required:
            raise ValidationError({field: _("This field is required.")})
        return None
    pk = getattr(user, "pk", user)
    found = get_user_model().objects.filter(pk=pk, is_active=True, role_assignments__role__in=list(PROVIDER)).first()
    if found is None:
        raise ValidationError({field: _("Choose an active provider engineer.")})
    return found


def duty_shift_add(
    *, actor: Actor, team: DutyTeam, starts_at: datetime, ends_at: datetime, primary, backup=None
) -> DutyShift:
    """Put engineers on duty: the primary answers new incidents, the backup is called when the
    primary does not."""
    require_role(actor, DESK)
    if not starts_at or not ends_at or ends_at <= starts_at:
        raise ValidationError({"ends_at": _("A shift ends after it starts.")})
    primary = _engineer(primary, "primary")
    backup = _engineer(backup, "backup", required=False)
    if backup is not None and backup.pk == primary.pk:
        raise ValidationError({"backup": _("The backup is another engineer than the primary.")})
    with transaction.atomic():
        team = DutyTeam.objects.select_for_update().get(pk=team.pk)
        overlapping = DutyShift.objects.filter(team=team, starts_at__lt=ends_at, ends_at__gt=starts_at)
        if overlapping.exists():
            raise ValidationError({"starts_at": _("The team already has a shift in this time.")})
        shift = DutyShift.objects.create(
            team=team, starts_at=starts_at, ends_at=ends_at, primary=primary, backup=backup
        )
        audit_record(
            actor=actor,
            action="duty_shift.add",
            target=shift,
            changes=created(shift, ("team", "starts_at", "ends_at", "primary", "backup")),
        )
    return shift


def duty_shift_delete(*, actor: Actor, shift: DutyShift) -> None:
    require_role(actor, DESK)
    with transaction.atomic():
        audit_record(actor=actor, action="duty_shift.delete", target=shift, message=str(shift))
        shift.delete()


# --- Escalation ------------------------------------------------------------------------------------


def _claim(pk: int, field: str, now: datetime) -> bool:
    """Set `field` if nobody has and the incident still waits: one conditional UPDATE, so two
    sweeps at once escalate once."""
    return bool(
        Incident.objects.filter(pk=pk, state=IncidentState.REPORTED, **{f"{field}__isnull": True}).update(
            **{field: now}
        )
    )


def _threshold(incident: Incident, percent: int) -> datetime:
    return incident.reported_at + (incident.response_due_at - incident.reported_at) * percent / 100


def incidents_escalate(*, actor: Actor = SYSTEM, now: datetime | None = None) -> dict[str, int]:
    """Runs every minute. An incident nobody has answered goes to the backup engineers on duty
    after a share of its response limit (Policy.INCIDENT_BACKUP_ESCALATION_PERCENT), and to the
    center after a larger share (…CENTER…) — both before the limit passes, once each."""
    require_role(actor, {Role.CENTER_ADMIN})
    now = now or timezone.now()
    backup_pct = int(policy_value(Policy.INCIDENT_BACKUP_ESCALATION_PERCENT))
    center_pct = int(policy_value(Policy.INCIDENT_CENTER_ESCALATION_PERCENT))
    sent = {"backup": 0, "center": 0}
    waiting = (
        Incident.objects.filter(state=IncidentState.REPORTED, reported_at__lte=now)
        .filter(Q(backup_notified_at__isnull=True) | Q(center_notified_at__isnull=True))
        .select_related("severity", "organization")
        .order_by("response_due_at", "pk")
    )
    for incident in waiting:
        for field, percent, key in (
            ("backup_notified_at", backup_pct, "backup"),
            ("center_notified_at", center_pct, "center"),
        ):
            if getattr(incident, field) is not None or now < _threshold(incident, percent):
                continue
            try:
                with transaction.atomic():
                    if _claim(incident.pk, field, now):
                        _escalate(actor, incident, key, now)
                        sent[key] += 1
            except Exception:  # one bad incident must not stop the sweep
                logger.exception("incident escalation failed for %s", incident.pk)
    return sent


def _escalate(actor: Actor, incident: Incident, to: str, now: datetime) -> None:
    left = max(int((incident.response_due_at - now).total_seconds()), 0)
    params = {
        "number": incident.number,
        "title": incident.title,
        "minutes": left // 60,
        "seconds": left % 60,
        "org": incident.organization.name if incident.organization else _("the platform"),
    }
    title = _("Unanswered incident %(number)s (%(org)s): %(minutes)d min %(seconds)02d s left — %(title)s") % params
    if to == "backup":
        notify(
            recipients=duty_engineers(backups=True, now=now),
            kind="incidents.escalated",
            title=title,
            body=incident.symptom[:1000],
            link=link(incident),
            severity=Severity.DANGER,
            dedupe_key=f"incidents.backup:{incident.pk}",
        )
        note = _("Not answered yet: the backup engineers were called.")
    else:
        tell_center(
            incident,
            kind="incidents.escalated",
            title=title,
            body=incident.symptom[:1000],
            dedupe_key=f"incidents.center:{incident.pk}",
        )
        note = _("Not answered yet: the center was told.")
    entry(incident, EntryKind.ESCALATED, actor, note, at=now)
    audit_record(actor=actor, action=f"incident.escalate_{to}", target=incident, message=title)


# --- Major-incident reports ------------------------------------------------------------------------

REPORT_FIELDS = ("timeline", "impact", "cause", "measures", "lessons")


def major_report_submit(
    *, actor: Actor, incident: Incident, timeline: str, impact: str, cause: str, measures: str, lessons: str
) -> MajorIncidentReport:
    """The provider (or the center) files the written report of a major incident, due the same
    day (Art. 12 (5)). Filing again replaces the text; the first filing time stays."""
    require_role(actor, DESK)
    values = {f: text(v, f) for f, v in zip(REPORT_FIELDS, (timeline, impact, cause, measures, lessons), strict=True)}
    with transaction.atomic():
        incident = locked(actor, incident)
        if not incident.severity.is_major:
            raise ValidationError(_("Only a major incident needs a written incident report."))
        now = timezone.now()
        report = MajorIncidentReport.objects.filter(incident=incident).first()
        if report is None:
            report = MajorIncidentReport(
                incident=incident,
                submitted_at=now,
                submitted_by=actor_user(actor),
                on_time=now <= end_of_day(incident.reported_at),
                **values,
            )
            before = {}
        else:
            before = snapshot(report, REPORT_FIELDS)
            for field, value in values.items():
                setattr(report, field, value)
        report.save()
        entry(incident, EntryKind.REPORT_FILED, actor, values["impact"][:300])
        audit_record(
            actor=actor,
            action="incident.report_file",
            target=incident,
            changes=diff(before, snapshot(report, REPORT_FIELDS)),
        )
    return report


def major_reports_warn(*, actor: Actor = SYSTEM, now: datetime | None = None) -> int:
    """Runs at the end of each day: warn the center of every major incident whose same-day report
    is missing — once per incident."""
    require_role(actor, {Role.CENTER_ADMIN})
    now = now or timezone.now()
    missing = Incident.objects.filter(
        severity__is_major=True,
        major_report__isnull=True,
        report_warned_at__isnull=True,
        reported_at__lte=end_of_day(now),
    ).exclude(state=IncidentState.MERGED)
    warned = 0
    for incident in missing.select_related("organization", "severity"):
        with transaction.atomic():
            if not Incident.objects.filter(pk=incident.pk, report_warned_at__isnull=True).update(report_warned_at=now):
                continue
            title = _("Major incident report missing: %(number)s %(title)s (reported %(at)s)") % {
                "number": incident.number,
                "title": incident.title,
                "at": f"{timezone.localtime(incident.reported_at):%Y-%m-%d %H:%M}",
            }
            tell_center(
                incident, kind="incidents.report_missing", title=title, dedupe_key=f"incidents.report:{incident.pk}"
            )
            entry(incident, EntryKind.ESCALATED, actor, _("The same-day incident report is missing."), at=now)
            audit_record(actor=actor, action="incident.report_missing", target=incident, message=title)
            warned += 1
    return warned


# --- Follow-up items -------------------------------------------------------------------------------


def follow_up_add(*, actor: Actor, incident: Incident, description: str, owner: str, due_on: date) -> FollowUpItem:
    require_role(actor, DESK)
    description = text(description, "description", 300)
    owner = text(owner, "owner", 100)
    if due_on is None:
        raise ValidationError({"due_on": _("This field is required.")})
    with transaction.atomic():
        incident = locked(actor, incident)
        item = FollowUpItem.objects.create(incident=incident, description=description, owner=owner, due_on=due_on)
        entry(incident, EntryKind.FOLLOW_UP, actor, f"{description} · {owner} · {due_on:%Y-%m-%d}")
        audit_record(
            actor=actor,
            action="incident.follow_up_add",
            target=incident,
            changes=created(item, ("description", "owner", "due_on")),
        )
    return item


def follow_up_done(*, actor: Actor, item: FollowUpItem) -> FollowUpItem:
    require_role(actor, DESK)
    with transaction.atomic():
        incident = locked(actor, item.incident_id)
        item = FollowUpItem.objects.select_for_update().get(pk=item.pk, incident=incident)
        if item.done_at is None:
            item.done_at = timezone.now()
            item.save(update_fields=["done_at"])
            entry(incident, EntryKind.FOLLOW_UP, actor, _("Done: %(item)s") % {"item": item.description})
            audit_record(actor=actor, action="incident.follow_up_done", target=incident, message=item.description)
    return item
