"""Writes of the reports app: the center's resource pools, the provider's monthly operations report
and optimization/expansion advice (write, attach, submit; the center acknowledges or returns), and
the deadline sweep that warns before and after a report's due time. The utilization tables and the
analysis report are built in utilization.py and analysis.py.

Every write checks the role, locks the row two people could change at once, writes one audit event
and, for a provider report, one timeline entry.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from govcloud.audit.services import audit_record
from govcloud.core.actors import SYSTEM, Actor, actor_name, is_system
from govcloud.core.errors import StateConflict
from govcloud.core.permissions import require_role
from govcloud.core.policy import Policy, policy_value
from govcloud.core.roles import CENTER_ROLES, Role
from govcloud.core.scoping import Action, get_scoped_or_404
from govcloud.core.uploads import check_upload, private_path, remove_private, store_private
from govcloud.notifications.models import Severity
from govcloud.notifications.services import notify_roles
from govcloud.reports import richtext
from govcloud.reports.models import (
    DELIVERED_STATES,
    POOL_EDITORS,
    PROVIDER,
    PROVIDER_REPORT_TRANSITIONS,
    EntryKind,
    PoolKind,
    ProviderReport,
    ProviderReportAction,
    ProviderReportAttachment,
    ProviderReportEntry,
    ProviderReportKind,
    ResourcePool,
)
from govcloud.workdays.selectors import deadline_from

DUE_POLICY = {
    ProviderReportKind.OPERATIONS: Policy.OPERATIONS_REPORT_DUE_WORKING_DAYS,
    ProviderReportKind.ADVICE: Policy.EXPANSION_ADVICE_DUE_WORKING_DAYS,
}
# How many past months the deadline sweep looks at for drafts and returned reports.
SWEEP_MONTHS = 3
MAX_POOL_CAPACITY = 10_000_000


# --- Resource pools -----------------------------------------------------------------------------------


def _pool_values(name: str, kind: str, capacity: int) -> tuple[str, str, int]:
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("This field is required.")
    if kind not in PoolKind.values:
        errors["kind"] = _("Choose compute, memory or storage.")
    if capacity is None or not 0 <= int(capacity) <= MAX_POOL_CAPACITY:
        errors["capacity"] = _("A whole number between 0 and %(max)d.") % {"max": MAX_POOL_CAPACITY}
    if errors:
        raise ValidationError(errors)
    return name[:100], kind, int(capacity)


def resource_pool_create(*, actor: Actor, name: str, kind: str, capacity: int, note: str = "") -> ResourcePool:
    require_role(actor, POOL_EDITORS)
    name, kind, capacity = _pool_values(name, kind, capacity)
    try:
        with transaction.atomic():
            pool = ResourcePool.objects.create(
                name=name, kind=kind, capacity=capacity, note=(note or "").strip()[:200], updated_by=actor_name(actor)
            )
            audit_record(
                actor=actor,
                action="resource_pool.create",
                target=pool,
                message=str(pool),
                changes={"after": {"kind": kind, "capacity": capacity}},
            )
    except IntegrityError as exc:
        raise ValidationError({"name": _("A pool with this name exists.")}) from exc
    return pool


def resource_pool_update(
    *, actor: Actor, pool: ResourcePool, name: str, kind: str, capacity: int, note: str = ""
) -> ResourcePool:
    require_role(actor, POOL_EDITORS)
    name, kind, capacity = _pool_values(name, kind, capacity)
    try:
        with transaction.atomic():
            pool = ResourcePool.objects.select_for_update().get(pk=pool.pk)
            before = {"name": pool.name, "kind": pool.kind, "capacity": pool.capacity, "note": pool.note}
            pool.name, pool.kind, pool.capacity, pool.note = name, kind, capacity, (note or "").strip()[:200]
            pool.updated_by = actor_name(actor)
            pool.save()
            audit_record(
                actor=actor,
                action="resource_pool.update",
                target=pool,
                message=str(pool),
                changes={"before": before, "after": {k: getattr(pool, k) for k in before}},
            )
    except IntegrityError as exc:
        raise ValidationError({"name": _("A pool with this name exists.")}) from exc
    return pool


# --- Provider reports -----------------------------------------------------------------------------------


def month_end(month: date) -> datetime:
    """The last day of `month` at noon, local time: the day the due working days count from."""
    following = (month.replace(day=1) + timedelta(days=32)).replace(day=1)
    last = following - timedelta(days=1)
    return timezone.make_aware(datetime(last.year, last.month, last.day, 12))


def due_at(kind: str, month: date) -> datetime:
    """N working days (a policy per kind) after the month's end, at the close of office hours."""
    return deadline_from(month_end(month), int(policy_value(DUE_POLICY[kind]))).due


def _entry(report: ProviderReport, kind: str, actor: Actor, text: str = "") -> ProviderReportEntry:
    return ProviderReportEntry.objects.create(report=report, kind=kind, actor_name=actor_name(actor), text=text)


def _link(report: ProviderReport) -> str:
    return reverse("reports:provider_report_detail", args=[report.pk])


def _text(value: str, field: str, limit: int | None = None) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: _("This field is required.")})
    return value[:limit] if limit else value


def _body(value: str) -> str:
    """The report's text as stored: HTML through the allow-list (richtext.sanitize), plain text as
    paragraphs. Refused when nothing readable is left (an empty editor sends <p><br></p>)."""
    body = richtext.sanitize(value)
    if richtext.is_blank(body):
        raise ValidationError({"body": _("Write the report's content; it is empty.")})
    return body


def _locked(actor: Actor, report: ProviderReport | int) -> ProviderReport:
    queryset = ProviderReport.objects.select_for_update()
    return get_scoped_or_404(queryset, actor, Action.CHANGE, pk=getattr(report, "pk", report))


def provider_report_create(*, actor: Actor, kind: str, month: date, title: str, body: str) -> ProviderReport:
    """The provider starts the month's report (a draft). One per kind and month."""
    require_role(actor, PROVIDER)
    errors = {}
    if kind not in ProviderReportKind.values:
        errors["kind"] = _("Choose an operations report or advice.")
    month = month.replace(day=1) if month else None
    if month is None or month > timezone.localdate():
        errors["month"] = _("Choose a month that has started.")
    if errors:
        raise ValidationError(errors)
    title, body = _text(title, "title", 200), _body(body)
    try:
        with transaction.atomic():
            report = ProviderReport.objects.create(
                kind=kind,
                month=month,
                title=title,
                body=body,
                due_at=due_at(kind, month),
                author=None if is_system(actor) else actor,
            )
            _entry(report, EntryKind.CREATED, actor)
            audit_record(actor=actor, action="provider_report.create", target=report, message=str(report))
    except IntegrityError as exc:
        raise ValidationError({"month": _("This month's report of this kind exists already.")}) from exc
    return report


def provider_report_update(*, actor: Actor, report: ProviderReport, title: str, body: str) -> ProviderReport:
    require_role(actor, PROVIDER)
    title, body = _text(title, "title", 200), _body(body)
    with transaction.atomic():
        report = _locked(actor, report)
        if not report.is_editable:
            raise StateConflict(
                _("The report cannot be changed while it is “%(state)s”.") % {"state": report.get_state_display()}
            )
        before = {"title": report.title, "body_length": len(report.body)}
        report.title, report.body = title, body
        report.save(update_fields=["title", "body"])
        _entry(report, EntryKind.UPDATED, actor)
        audit_record(
            actor=actor,
            action="provider_report.update",
            target=report,
            message=str(report),
            changes={"before": before, "after": {"title": title, "body_length": len(body)}},
        )
    return report


def provider_report_attach(*, actor: Actor, report: ProviderReport, upload) -> ProviderReportAttachment:
    require_role(actor, PROVIDER)
    file_type = check_upload(upload)
    stored = store_private(upload, folder="reports", file_type=file_type)
    try:
        with transaction.atomic():
            report = _locked(actor, report)
            if not report.is_editable:
                raise StateConflict(
                    _("The report cannot be changed while it is “%(state)s”.") % {"state": report.get_state_display()}
                )
            attachment = ProviderReportAttachment.objects.create(
                report=report,
                relative_path=stored.relative_path,
                original_name=stored.original_name,
                content_type=stored.file_type.content_type,
                size=stored.size,
                sm3=stored.sm3,
                uploaded_by=actor_name(actor),
            )
            _entry(report, EntryKind.ATTACHED, actor, stored.original_name)
            audit_record(
                actor=actor,
                action="provider_report.attach",
                target=report,
                message=stored.original_name,
                changes={"sm3": stored.sm3, "size": stored.size},
            )
    except BaseException:
        remove_private(stored.relative_path)
        raise
    return attachment


def provider_report_attachment_open(*, actor: Actor, attachment: ProviderReportAttachment):
    """The stored file of an attachment the actor may see (the caller found it through the scope),
    its download written to the audit trail (who read the provider's report files, and when)."""
    audit_record(
        actor=actor, action="provider_report.download", target=attachment.report, message=attachment.original_name
    )
    return private_path(attachment.relative_path)


def _require_move(actor: Actor, report: ProviderReport, action: str) -> str:
    move = PROVIDER_REPORT_TRANSITIONS.get((report.state, action))
    if move is None:
        raise StateConflict(
            _("You cannot %(action)s this report while it is “%(state)s”.")
            % {"action": str(ProviderReportAction(action).label).lower(), "state": report.get_state_display()}
        )
    target, roles = move
    require_role(actor, roles)
    return target


def provider_report_submit(*, actor: Actor, report: ProviderReport) -> ProviderReport:
    with transaction.atomic():
        report = _locked(actor, report)
        report.state = _require_move(actor, report, ProviderReportAction.SUBMIT)
        report.submitted_at = timezone.now()
        report.return_reason = ""
        report.save(update_fields=["state", "submitted_at", "return_reason"])
        late = _(" (after its due time)") if report.was_late else ""
        _entry(report, EntryKind.SUBMITTED, actor, late.strip())
        audit_record(actor=actor, action="provider_report.submit", target=report, message=f"{report}{late}")
        notify_roles(
            roles=CENTER_ROLES,
            kind="reports.provider_report_submitted",
            title=_("To acknowledge: %(report)s") % {"report": report},
            body=report.title,
            link=_link(report),
            severity=Severity.INFO,
        )
    return report


def provider_report_acknowledge(*, actor: Actor, report: ProviderReport, comment: str = "") -> ProviderReport:
    with transaction.atomic():
        report = _locked(actor, report)
        report.state = _require_move(actor, report, ProviderReportAction.ACKNOWLEDGE)
        report.decided_at = timezone.now()
        report.save(update_fields=["state", "decided_at"])
        _entry(report, EntryKind.ACKNOWLEDGED, actor, (comment or "").strip())
        audit_record(actor=actor, action="provider_report.acknowledge", target=report, message=str(report))
        notify_roles(
            roles=PROVIDER,
            kind="reports.provider_report_decided",
            title=_("Acknowledged: %(report)s") % {"report": report},
            link=_link(report),
            severity=Severity.INFO,
        )
    return report


def provider_report_return(*, actor: Actor, report: ProviderReport, reason: str) -> ProviderReport:
    reason = _text(reason, "reason", 2000)
    with transaction.atomic():
        report = _locked(actor, report)
        report.state = _require_move(actor, report, ProviderReportAction.RETURN)
        report.decided_at = timezone.now()
        report.return_reason = reason
        report.save(update_fields=["state", "decided_at", "return_reason"])
        _entry(report, EntryKind.RETURNED, actor, reason)
        audit_record(actor=actor, action="provider_report.return", target=report, message=f"{report}: {reason}")
        notify_roles(
            roles=PROVIDER,
            kind="reports.provider_report_decided",
            title=_("Returned: %(report)s") % {"report": report},
            body=reason,
            link=_link(report),
            severity=Severity.WARNING,
        )
    return report


def provider_report_move(*, actor: Actor, report: ProviderReport, action: str, reason: str = "") -> ProviderReport:
    """One entry point for the pages and the API: the action's service."""
    if action == ProviderReportAction.SUBMIT:
        return provider_report_submit(actor=actor, report=report)
    if action == ProviderReportAction.ACKNOWLEDGE:
        return provider_report_acknowledge(actor=actor, report=report, comment=reason)
    if action == ProviderReportAction.RETURN:
        return provider_report_return(actor=actor, report=report, reason=reason)
    raise ValidationError({"action": _("Unknown action.")})


# --- Deadlines ------------------------------------------------------------------------------------------


def months_to_check(today: date) -> list[date]:
    first = today.replace(day=1)
    months = []
    for _i in range(SWEEP_MONTHS):
        first = (first - timedelta(days=1)).replace(day=1)
        months.append(first)
    return months


def provider_reports_deadlines(*, actor: Actor = SYSTEM, now: datetime | None = None) -> dict[str, int]:
    """Warn the provider Policy.DEADLINE_WARNING_HOURS before a report of the last months is due
    (when it has not been submitted), and the provider and the center once it is overdue — each
    once per report (notifications' dedupe keys). Returns how many of each were sent."""
    require_role(actor, {Role.CENTER_ADMIN})
    now = now or timezone.now()
    warning = timedelta(hours=int(policy_value(Policy.DEADLINE_WARNING_HOURS)))
    months = months_to_check(timezone.localtime(now).date())
    reports = {(r.kind, r.month): r for r in ProviderReport.objects.filter(month__in=months)}
    sent = {"due": 0, "overdue": 0}
    for month in months:
        for kind in ProviderReportKind:
            report = reports.get((kind.value, month))
            if report is not None and report.state in DELIVERED_STATES:
                continue
            # A report never started is asked for only for the month just ended: the platform does
            # not chase months from before it was in use; drafts and returned ones are chased.
            if report is None and month != months[0]:
                continue
            due = report.due_at if report is not None else due_at(kind, month)
            what = _("%(kind)s for %(month)s") % {"kind": kind.label, "month": f"{month:%Y-%m}"}
            link = _link(report) if report is not None else reverse("reports:provider_report_list")
            key = f"{kind.value}:{month:%Y-%m}"
            with transaction.atomic():
                if now > due:
                    n = notify_roles(
                        roles=PROVIDER | {Role.CENTER_ADMIN},
                        kind="reports.provider_report_overdue",
                        title=_("Overdue: %(what)s was due on %(due)s")
                        % {"what": what, "due": timezone.localtime(due).strftime("%Y-%m-%d %H:%M")},
                        body=_("Art. 12: the provider reports on operations and advises on optimization every month."),
                        link=link,
                        severity=Severity.WARNING,
                        dedupe_key=f"reports.provider_report_overdue:{key}",
                    )
                    bucket = "overdue"
                elif now > due - warning:
                    n = notify_roles(
                        roles=PROVIDER,
                        kind="reports.provider_report_due",
                        title=_("Due on %(due)s: %(what)s")
                        % {"what": what, "due": timezone.localtime(due).strftime("%Y-%m-%d %H:%M")},
                        link=link,
                        severity=Severity.WARNING,
                        dedupe_key=f"reports.provider_report_due:{key}",
                    )
                    bucket = "due"
                else:
                    continue
                if n:
                    sent[bucket] += 1
                    if report is not None and bucket == "overdue":
                        _entry(report, EntryKind.WARNED, actor)
                    audit_record(
                        actor=actor,
                        action=f"provider_report.{bucket}_warning",
                        object_type="reports.providerreport",
                        object_id=report.pk if report is not None else "",
                        object_repr=what,
                        message=_("Due on %(due)s; %(n)d people warned.")
                        % {"due": timezone.localtime(due).strftime("%Y-%m-%d %H:%M"), "n": n},
                    )
    return sent
