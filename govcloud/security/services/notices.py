"""Security notices and their rectification (Art. 16, 17).

The center issues a notice to departments with a deadline in working days (govcloud/workdays, at the
close of office hours); each department's record moves along RECTIFICATION_TRANSITIONS — every move
checks the role and the scope, locks the record, and writes one audit event and a timeline entry;
the people who must act next are notified in-app and by e-mail. The sweep warns the department
before the deadline and escalates an overdue record to the center and the department head, once
each.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from contextlib import ExitStack
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from govcloud.audit.services import audit_record, created, diff, snapshot
from govcloud.core.actors import SYSTEM, Actor, actor_name
from govcloud.core.permissions import require_role
from govcloud.core.policy import Policy, policy_value
from govcloud.core.roles import Role
from govcloud.core.scoping import Action, get_scoped_or_404
from govcloud.notifications.models import Severity
from govcloud.notifications.services import notify_roles
from govcloud.organizations.models import Organization, OrganizationLevel
from govcloud.security.models import (
    AWAITING_DEPARTMENT,
    NOTICE_ISSUERS,
    NOTICE_RESPONDERS,
    RECTIFICATION_TRANSITIONS,
    TENANT_KINDS,
    NoticeEvent,
    NoticeEventKind,
    NoticeKind,
    NoticeRectification,
    NoticeSeverity,
    RectificationAction,
    RectificationReport,
    RectificationStatus,
    ReportDecision,
    SecurityNotice,
)
from govcloud.security.models.notices import MAX_EVIDENCE_FILES, MAX_WORKING_DAYS
from govcloud.security.services.attachments import attachment_saved, check_upload
from govcloud.security.services.common import actor_user, require_transition
from govcloud.systems.models import InformationSystem
from govcloud.workdays.calendar import SHANGHAI
from govcloud.workdays.selectors import deadline_from, work_calendar

logger = logging.getLogger(__name__)

NOTICE_FIELDS = ("number", "kind", "severity", "title", "description", "required_measures", "working_days", "due_at")
RECORD_STATE_FIELDS = ("status", "read_at", "submitted_at", "decided_at", "decision_comment")

_EVENT_FOR_ACTION = {
    RectificationAction.READ: NoticeEventKind.READ,
    RectificationAction.SUBMIT: NoticeEventKind.SUBMITTED,
    RectificationAction.ACCEPT: NoticeEventKind.ACCEPTED,
    RectificationAction.RETURN: NoticeEventKind.RETURNED,
    RectificationAction.CANCEL: NoticeEventKind.CANCELLED,
}


def _text(value: str, field: str, limit: int | None = None) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: _("This field is required.")})
    return value[:limit] if limit else value


def _choice(choices, value, field: str) -> str:
    if value not in choices.values:
        raise ValidationError({field: _("Choose one of the options.")})
    return choices(value)


def _working_days(value: int | None) -> int:
    if value in (None, ""):
        return int(policy_value(Policy.SECURITY_NOTICE_RECTIFICATION_WORKING_DAYS))
    try:
        days = int(value)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= MAX_WORKING_DAYS:
        raise ValidationError(
            {"working_days": _("Give between 1 and %(max)d working days.") % {"max": MAX_WORKING_DAYS}}
        )
    return days


def link(record: NoticeRectification) -> str:
    return reverse("security:rectification_detail", args=[record.pk])


def _event(record: NoticeRectification, kind: NoticeEventKind, actor: Actor, comment: str = "") -> None:
    NoticeEvent.objects.create(
        rectification=record, kind=kind, actor=actor_user(actor), actor_name=actor_name(actor), comment=comment
    )


def _due_text(notice: SecurityNotice) -> str:
    return f"{timezone.localtime(notice.due_at):%Y-%m-%d %H:%M}"


# --- Issuing ---------------------------------------------------------------------------------------


def _check_systems(actor: Actor, systems: Iterable) -> list[InformationSystem]:
    ids = {getattr(s, "pk", s) for s in systems or ()}
    if not ids:
        return []
    found = list(
        InformationSystem.objects.restrict(actor)
        .filter(pk__in=ids, is_active=True, classified=False)
        .select_related("organization")
    )
    if len(found) != len(ids):
        raise ValidationError({"systems": _("Choose active systems from the registry.")})
    return found


def _check_organizations(organizations: Iterable, systems: list[InformationSystem]) -> list[Organization]:
    """The departments chosen plus the owners of the affected systems."""
    ids = {getattr(o, "pk", o) for o in organizations or ()}
    ids |= {s.organization_id for s in systems}
    if not ids:
        raise ValidationError({"organizations": _("Address the notice to at least one department.")})
    found = list(
        Organization.objects.filter(pk__in=ids, is_active=True, kind__in=TENANT_KINDS)
        .exclude(level=OrganizationLevel.CITY)
        .order_by("path")
    )
    if len(found) != len(ids):
        raise ValidationError({"organizations": _("A notice is addressed to active departments only.")})
    return found


def security_notice_issue(
    *,
    actor: Actor,
    kind: str,
    severity: str,
    title: str,
    description: str,
    required_measures: str,
    organizations: Iterable = (),
    systems: Iterable = (),
    working_days: int | None = None,
    attachment=None,
) -> SecurityNotice:
    """The center issues a notice: one rectification record per addressed department (those chosen
    and the owners of the affected systems), each told in-app and by e-mail. The deadline is
    `working_days` working days from now (the policy's number unless given), at the close of office
    hours."""
    require_role(actor, NOTICE_ISSUERS)
    kind = _choice(NoticeKind, kind, "kind")
    severity = _choice(NoticeSeverity, severity, "severity")
    title = _text(title, "title", 200)
    description = _text(description, "description")
    required_measures = _text(required_measures, "required_measures")
    days = _working_days(working_days)
    if attachment is not None:
        check_upload(attachment)
    with transaction.atomic(), attachment_saved(actor=actor, upload=attachment) as stored:
        chosen = _check_systems(actor, systems)
        addressed = _check_organizations(organizations, chosen)
        now = timezone.now()
        deadline = deadline_from(now, days)
        notice = SecurityNotice.objects.create(
            kind=kind,
            severity=severity,
            title=title,
            description=description,
            required_measures=required_measures,
            attachment=stored,
            working_days=days,
            issued_at=now,
            due_at=deadline.due,
            due_provisional=deadline.provisional,
            issued_by=actor_user(actor),
        )
        # The number shows the year and the row: unique without a counter to keep in step.
        notice.number = f"AQTB-{timezone.localtime(now):%Y}-{notice.pk:04d}"
        notice.save(update_fields=["number"])
        audit_record(
            actor=actor,
            action="security_notice.issue",
            target=notice,
            changes=created(notice, NOTICE_FIELDS),
            message=", ".join(o.name for o in addressed),
        )
        for organization in addressed:
            _address(actor, notice, organization, [s for s in chosen if s.organization_id == organization.pk])
    return notice


def _address(actor: Actor, notice: SecurityNotice, organization: Organization, systems: list) -> None:
    record = NoticeRectification.objects.create(notice=notice, organization=organization)
    record.systems.set(systems)
    names = ", ".join(s.name for s in systems)
    _event(record, NoticeEventKind.ISSUED, actor, names)
    # The department's own auditor sees that it was addressed (the event's subject is the record).
    audit_record(
        actor=actor,
        action="notice_rectification.issue",
        target=record,
        changes={"status": [None, RectificationStatus.ISSUED]},
        message=names,
    )
    params = {"number": notice.number, "title": notice.title, "due": _due_text(notice)}
    notify_roles(
        roles=NOTICE_RESPONDERS,
        organization=organization,
        kind="security.notice_issued",
        title=_("Security notice %(number)s: %(title)s — rectify by %(due)s") % params,
        body=notice.required_measures,
        link=link(record),
        severity=Severity.WARNING,
    )


# --- The record's moves ----------------------------------------------------------------------------


def _locked(actor: Actor, record: NoticeRectification) -> NoticeRectification:
    """The record, locked, if the actor sees it (a department its own, the center all) — else 404
    as for a missing one. RECTIFICATION_TRANSITIONS then decides whether the role may act."""
    queryset = NoticeRectification.objects.select_for_update(of=("self",)).select_related("notice", "organization")
    return get_scoped_or_404(queryset, actor, Action.VIEW, pk=record.pk)


def _move(actor: Actor, record: NoticeRectification, action: RectificationAction) -> str:
    return require_transition(
        RECTIFICATION_TRANSITIONS,
        record.status,
        action,
        actor,
        labels=(RectificationStatus, RectificationAction),
    )


def _finish(
    actor: Actor, record: NoticeRectification, action: RectificationAction, before: dict, comment: str, message=""
) -> None:
    record.save()
    _event(record, _EVENT_FOR_ACTION[action], actor, comment)
    audit_record(
        actor=actor,
        action=f"notice_rectification.{action}",
        target=record,
        changes=diff(before, snapshot(record, RECORD_STATE_FIELDS)),
        message=message or comment,
    )


def notice_rectification_read(*, actor: Actor, rectification: NoticeRectification) -> NoticeRectification:
    """A responsible person of the department has opened the notice: the record is read (a receipt
    with who and when). Reading an already read record changes nothing."""
    with transaction.atomic():
        record = _locked(actor, rectification)
        if record.status != RectificationStatus.ISSUED:
            return record
        before = snapshot(record, RECORD_STATE_FIELDS)
        record.status = _move(actor, record, RectificationAction.READ)
        record.read_at, record.read_by = timezone.now(), actor_user(actor)
        _finish(actor, record, RectificationAction.READ, before, "")
    return record


def notice_rectification_submit(
    *,
    actor: Actor,
    rectification: NoticeRectification,
    measures: str,
    result: str,
    evidence: Sequence = (),
) -> RectificationReport:
    """The department answers with its rectification report — the measures taken and the result —
    and up to MAX_EVIDENCE_FILES evidence files (PDF, PNG, JPEG). A returned record is answered the
    same way; every report stays."""
    measures = _text(measures, "measures")
    result = _text(result, "result")
    files = [f for f in evidence or () if f is not None]
    if len(files) > MAX_EVIDENCE_FILES:
        raise ValidationError({"evidence": _("At most %(n)d evidence files.") % {"n": MAX_EVIDENCE_FILES}})
    for upload in files:
        check_upload(upload, field="evidence")
    with transaction.atomic(), ExitStack() as stack:
        record = _locked(actor, rectification)
        target = _move(actor, record, RectificationAction.SUBMIT)
        # Stored only once the move is allowed; removed again if anything below fails.
        stored = [stack.enter_context(attachment_saved(actor=actor, upload=f, field="evidence")) for f in files]
        before = snapshot(record, RECORD_STATE_FIELDS)
        now = timezone.now()
        number = (record.reports.aggregate(n=Max("number"))["n"] or 0) + 1
        report = RectificationReport.objects.create(
            rectification=record,
            number=number,
            measures=measures,
            result=result,
            submitted_at=now,
            submitted_by=actor_user(actor),
            on_time=now <= record.notice.due_at,
        )
        report.evidence.set(stored)
        if record.read_at is None:
            record.read_at, record.read_by = now, actor_user(actor)
        record.status, record.submitted_at, record.decision_comment = target, now, ""
        late = "" if report.on_time else _(" (after the deadline)")
        summary = _("Report #%(n)d with %(files)d evidence files%(late)s") % {
            "n": number,
            "files": len(stored),
            "late": late,
        }
        _finish(actor, record, RectificationAction.SUBMIT, before, summary, message=f"{summary}: {measures[:200]}")
        notify_roles(
            roles=NOTICE_ISSUERS,
            kind="security.notice_report_submitted",
            title=_("Rectification report to review: %(org)s — %(number)s %(title)s")
            % {"org": record.organization.name, "number": record.notice.number, "title": record.notice.title},
            body=measures[:500],
            link=link(record),
        )
    return report


def notice_rectification_transition(
    *, actor: Actor, rectification: NoticeRectification, action: str, comment: str = ""
) -> NoticeRectification:
    """The center accepts the report (comment optional), returns it to the department (with the
    reason), or withdraws the notice for this department (with the reason)."""
    action = RectificationAction(action)
    if action == RectificationAction.SUBMIT:
        raise ValueError("use notice_rectification_submit")
    if action == RectificationAction.READ:
        return notice_rectification_read(actor=actor, rectification=rectification)
    comment = (comment or "").strip()
    with transaction.atomic():
        record = _locked(actor, rectification)
        target = _move(actor, record, action)
        if action == RectificationAction.RETURN and not comment:
            raise ValidationError({"comment": _("Say what is missing, so the department can complete its report.")})
        if action == RectificationAction.CANCEL and not comment:
            raise ValidationError({"comment": _("Say why the notice is withdrawn for this department.")})
        before = snapshot(record, RECORD_STATE_FIELDS)
        now = timezone.now()
        if action in (RectificationAction.ACCEPT, RectificationAction.RETURN):
            decision = ReportDecision.ACCEPTED if action == RectificationAction.ACCEPT else ReportDecision.RETURNED
            record.reports.filter(decision="").update(
                decision=decision, decided_at=now, decided_by=actor_user(actor), decision_comment=comment
            )
        record.status, record.decided_at, record.decision_comment = target, now, comment
        _finish(actor, record, action, before, comment)
        _notify_decision(record, action)
    return record


def _notify_decision(record: NoticeRectification, action: RectificationAction) -> None:
    params = {"number": record.notice.number, "title": record.notice.title}
    if action == RectificationAction.ACCEPT:
        kind, severity = "security.notice_accepted", Severity.INFO
        title = _("Rectification accepted: %(number)s %(title)s") % params
    elif action == RectificationAction.RETURN:
        kind, severity = "security.notice_returned", Severity.WARNING
        title = _("Rectification report returned: %(number)s %(title)s — rectify by %(due)s") % {
            **params,
            "due": _due_text(record.notice),
        }
    else:
        kind, severity = "security.notice_cancelled", Severity.INFO
        title = _("Security notice withdrawn: %(number)s %(title)s") % params
    notify_roles(
        roles=NOTICE_RESPONDERS,
        organization=record.organization,
        kind=kind,
        title=title,
        body=record.decision_comment,
        link=link(record),
        severity=severity,
    )


def notice_rectification_accept(*, actor: Actor, rectification: NoticeRectification, comment: str = ""):
    return notice_rectification_transition(
        actor=actor, rectification=rectification, action=RectificationAction.ACCEPT, comment=comment
    )


def notice_rectification_return(*, actor: Actor, rectification: NoticeRectification, comment: str):
    return notice_rectification_transition(
        actor=actor, rectification=rectification, action=RectificationAction.RETURN, comment=comment
    )


def notice_rectification_cancel(*, actor: Actor, rectification: NoticeRectification, comment: str):
    return notice_rectification_transition(
        actor=actor, rectification=rectification, action=RectificationAction.CANCEL, comment=comment
    )


# --- The deadline sweep ----------------------------------------------------------------------------


def _claim(record_pk: int, field: str, now: datetime) -> bool:
    """Set `field` if nobody has: one conditional UPDATE, so two sweeps at once send once."""
    return bool(NoticeRectification.objects.filter(pk=record_pk, **{f"{field}__isnull": True}).update(**{field: now}))


def _warning_horizon(now: datetime) -> datetime:
    """Deadlines before this moment are near: on or before the N-th working day from today
    (N = Policy.SECURITY_NOTICE_WARNING_WORKING_DAYS)."""
    today = timezone.localtime(now, SHANGHAI).date()
    last_day, _provisional = work_calendar().add_working_days(
        today, int(policy_value(Policy.SECURITY_NOTICE_WARNING_WORKING_DAYS))
    )
    return datetime.combine(last_day + timedelta(days=1), datetime.min.time(), tzinfo=SHANGHAI)


def security_notices_sweep(*, actor: Actor = SYSTEM, now: datetime | None = None) -> dict[str, int]:
    """Warn each department whose rectification is due within the warning window, and escalate each
    overdue record (no accepted or pending report) to the center administrators and the department
    head — once each per record, however often the sweep runs."""
    require_role(actor, {Role.CENTER_ADMIN})
    now = now or timezone.now()
    sent = {"warned": 0, "escalated": 0}
    open_records = NoticeRectification.objects.filter(status__in=AWAITING_DEPARTMENT).select_related(
        "notice", "organization"
    )
    warn = open_records.filter(
        warned_at__isnull=True, notice__due_at__gt=now, notice__due_at__lt=_warning_horizon(now)
    ).order_by("notice__due_at", "pk")
    for record in warn:
        try:
            with transaction.atomic():
                if _claim(record.pk, "warned_at", now):
                    _warn(actor, record)
                    sent["warned"] += 1
        except Exception:  # one bad record must not stop the sweep
            logger.exception("security notice warning failed for record %s", record.pk)
    overdue = open_records.filter(escalated_at__isnull=True, notice__due_at__lte=now).order_by("notice__due_at", "pk")
    for record in overdue:
        try:
            with transaction.atomic():
                if _claim(record.pk, "escalated_at", now):
                    _escalate(actor, record)
                    sent["escalated"] += 1
        except Exception:
            logger.exception("security notice escalation failed for record %s", record.pk)
    return sent


def _warn(actor: Actor, record: NoticeRectification) -> None:
    notice = record.notice
    params = {"number": notice.number, "title": notice.title, "due": _due_text(notice)}
    title = _("Rectification due %(due)s: security notice %(number)s %(title)s") % params
    notify_roles(
        roles=NOTICE_RESPONDERS,
        organization=record.organization,
        kind="security.notice_due",
        title=title,
        body=_("Submit the rectification report with its evidence before the deadline (Art. 17)."),
        link=link(record),
        severity=Severity.WARNING,
        dedupe_key=f"security.notice_due:{record.pk}",
    )
    _event(record, NoticeEventKind.WARNED, actor, params["due"])
    audit_record(actor=actor, action="notice_rectification.due_warning", target=record, message=title)


def _escalate(actor: Actor, record: NoticeRectification) -> None:
    notice = record.notice
    params = {
        "org": record.organization.name,
        "number": notice.number,
        "title": notice.title,
        "due": _due_text(notice),
    }
    title = _("Rectification overdue since %(due)s: %(org)s — security notice %(number)s %(title)s") % params
    common = {
        "kind": "security.notice_overdue",
        "title": title,
        "link": link(record),
        "severity": Severity.DANGER,
        "dedupe_key": f"security.notice_overdue:{record.pk}",
    }
    notify_roles(roles={Role.CENTER_ADMIN}, **common)
    notify_roles(roles={Role.DEPARTMENT_HEAD}, organization=record.organization, **common)
    _event(record, NoticeEventKind.ESCALATED, actor, params["due"])
    audit_record(actor=actor, action="notice_rectification.overdue", target=record, message=title)
