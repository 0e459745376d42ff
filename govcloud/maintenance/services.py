"""Maintenance windows (Art. 12): every write.

The provider drafts a window and submits it; the center approves it or returns it with the reason;
every move checks the role and the scope, locks the window (two approvers at once → one decision,
the second sees the first one's result), and writes one audit event and one timeline entry. On
approval every affected department is notified in-app and by e-mail; the periodic sweep reminds
them the day before (once), and starts and completes windows by the clock.

Notice period (Art. 12, Policy.MAINTENANCE_NOTICE_DAYS, default 3 days): a planned window must be
submitted at least that long before it starts; a shorter one must be declared an emergency.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from govcloud.audit.services import audit_record, created, diff, snapshot
from govcloud.core.actors import SYSTEM, Actor, actor_name, is_system
from govcloud.core.errors import StateConflict
from govcloud.core.permissions import require_role
from govcloud.core.policy import Policy, policy_value
from govcloud.core.roles import DEPARTMENT_ROLES, Role
from govcloud.core.scoping import Action, get_scoped_or_404
from govcloud.ledger.models import Resource, ResourceState
from govcloud.maintenance import kinds
from govcloud.maintenance.models import (
    APPROVERS,
    EDITABLE,
    MAX_RESOURCES,
    PLANNERS,
    TENANT_KINDS,
    WINDOW_TRANSITIONS,
    AffectedDepartment,
    MaintenanceWindow,
    WindowAction,
    WindowEvent,
    WindowEventKind,
    WindowKind,
    WindowState,
    ancestor_paths,
)
from govcloud.notifications.models import Severity
from govcloud.notifications.services import notify, notify_roles
from govcloud.organizations.models import Organization, OrganizationLevel
from govcloud.workdays.calendar import SHANGHAI

logger = logging.getLogger(__name__)

WINDOW_FIELDS = ("number", "title", "kind", "start", "end", "impact", "platform_wide")
STATE_FIELDS = (
    "state",
    "submitted_at",
    "approved_at",
    "decision_comment",
    "started_at",
    "completed_at",
    "cancelled_at",
)
_EVENT_FOR_ACTION = {
    WindowAction.SUBMIT: WindowEventKind.SUBMITTED,
    WindowAction.APPROVE: WindowEventKind.APPROVED,
    WindowAction.RETURN: WindowEventKind.RETURNED,
    WindowAction.START: WindowEventKind.STARTED,
    WindowAction.COMPLETE: WindowEventKind.COMPLETED,
    WindowAction.CANCEL: WindowEventKind.CANCELLED,
}


# --- Helpers ---------------------------------------------------------------------------------------


def actor_user(actor: Actor):
    return None if is_system(actor) else actor


def link(window: MaintenanceWindow) -> str:
    return reverse("maintenance:window_detail", args=[window.pk])


def _event(window: MaintenanceWindow, kind: WindowEventKind, actor: Actor, comment: str = "") -> None:
    WindowEvent.objects.create(
        window=window, kind=kind, actor=actor_user(actor), actor_name=actor_name(actor), comment=comment
    )


def _local(moment: datetime) -> str:
    return f"{timezone.localtime(moment, SHANGHAI):%Y-%m-%d %H:%M}"


def _period(window: MaintenanceWindow) -> str:
    return f"{_local(window.start)} – {_local(window.end)}"


def _text(value: str, field: str, limit: int | None = None) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: _("This field is required.")})
    return value[:limit] if limit else value


def _kind(value) -> str:
    if value not in WindowKind.values:
        raise ValidationError({"kind": _("Choose one of the options.")})
    return WindowKind(value)


def _check_times(start: datetime, end: datetime, now: datetime) -> None:
    if start is None:
        raise ValidationError({"start": _("This field is required.")})
    if end is None:
        raise ValidationError({"end": _("This field is required.")})
    if end <= start:
        raise ValidationError({"end": _("The end must come after the start.")})
    if start <= now:
        raise ValidationError({"start": _("The start must be in the future.")})


def notice_days() -> int:
    return int(policy_value(Policy.MAINTENANCE_NOTICE_DAYS))


def _check_notice(kind: str, start: datetime, now: datetime) -> None:
    """Art. 12: a planned window gives the departments the policy's days of notice."""
    days = notice_days()
    if kind == WindowKind.PLANNED and start - now < timedelta(days=days):
        raise ValidationError(
            {
                "kind": _(
                    "A planned maintenance must be announced at least %(days)d days ahead: this one starts "
                    "%(start)s. Move the start to %(earliest)s or later, or declare it an emergency."
                )
                % {"days": days, "start": _local(start), "earliest": _local(now + timedelta(days=days))}
            }
        )


def _ids(values: Iterable) -> set:
    return {getattr(v, "pk", v) for v in values or ()}


def _check_resources(actor: Actor, resources: Iterable) -> list[Resource]:
    ids = _ids(resources)
    if not ids:
        return []
    if len(ids) > MAX_RESOURCES:
        raise ValidationError({"resources": _("At most %(n)d resources per window.") % {"n": MAX_RESOURCES}})
    found = list(
        Resource.objects.restrict(actor)
        .filter(pk__in=ids)
        .exclude(state=ResourceState.TERMINATED)
        .select_related("organization")
    )
    if len(found) != len(ids):
        raise ValidationError({"resources": _("Choose resources of the ledger that are not terminated.")})
    return found


def _check_departments(departments: Iterable) -> list[Organization]:
    ids = _ids(departments)
    if not ids:
        return []
    found = list(
        Organization.objects.filter(pk__in=ids, is_active=True, kind__in=TENANT_KINDS).exclude(
            level=OrganizationLevel.CITY
        )
    )
    if len(found) != len(ids):
        raise ValidationError({"departments": _("Choose active departments.")})
    return found


def _set_scope(window: MaintenanceWindow, resources: list[Resource], departments: list[Organization]) -> None:
    """The resources and the departments concerned: the resources' owners (only those resources)
    and the departments chosen as a whole (all of theirs)."""
    if not (resources or departments or window.platform_wide):
        raise ValidationError(
            {"resources": _("Name the affected resources or departments, or mark the window platform-wide.")}
        )
    window.resources.set(resources)
    whole = {o.pk for o in departments}
    owners = {r.organization_id for r in resources} | whole
    AffectedDepartment.objects.filter(window=window).delete()
    AffectedDepartment.objects.bulk_create(
        [AffectedDepartment(window=window, organization_id=pk, whole=pk in whole) for pk in sorted(owners)]
    )


def _scope_text(window: MaintenanceWindow) -> str:
    if window.platform_wide:
        return _("platform-wide")
    names = list(window.affected.select_related("organization").values_list("organization__name", flat=True))
    return ", ".join(names)


# --- Creating and changing -------------------------------------------------------------------------


def window_create(
    *,
    actor: Actor,
    title: str,
    start: datetime,
    end: datetime,
    impact: str,
    kind: str = WindowKind.PLANNED,
    resources: Iterable = (),
    departments: Iterable = (),
    platform_wide: bool = False,
) -> MaintenanceWindow:
    """The provider drafts a window: when, what it touches (resources, whole departments, or the
    platform), and what the departments will notice."""
    require_role(actor, PLANNERS)
    title = _text(title, "title", 200)
    impact = _text(impact, "impact")
    kind = _kind(kind)
    now = timezone.now()
    _check_times(start, end, now)
    with transaction.atomic():
        chosen = _check_resources(actor, resources)
        whole = _check_departments(departments)
        window = MaintenanceWindow.objects.create(
            title=title,
            kind=kind,
            start=start,
            end=end,
            impact=impact,
            platform_wide=bool(platform_wide),
            created_by=actor_user(actor),
        )
        window.number = f"WHCK-{timezone.localtime(now, SHANGHAI):%Y}-{window.pk:04d}"
        window.save(update_fields=["number"])
        _set_scope(window, chosen, whole)
        _event(window, WindowEventKind.CREATED, actor, _period(window))
        audit_record(
            actor=actor,
            action="maintenance_window.create",
            target=window,
            changes=created(window, WINDOW_FIELDS),
            message=_scope_text(window),
        )
    return window


def _locked(actor: Actor, window: MaintenanceWindow, action: str = Action.VIEW) -> MaintenanceWindow:
    """The window, locked, if the actor sees it — else 404 as for a missing one."""
    queryset = MaintenanceWindow.objects.select_for_update(of=("self",))
    return get_scoped_or_404(queryset, actor, action, pk=window.pk)


_UNSET = object()


def window_update(
    *,
    actor: Actor,
    window: MaintenanceWindow,
    title: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    impact: str | None = None,
    kind: str | None = None,
    resources=_UNSET,
    departments=_UNSET,
    platform_wide: bool | None = None,
) -> MaintenanceWindow:
    """The provider changes a draft or a returned window (what is not given stays)."""
    require_role(actor, PLANNERS)
    with transaction.atomic():
        window = _locked(actor, window, Action.CHANGE)
        if window.state not in EDITABLE:
            raise StateConflict(
                _("A window cannot be changed while it is “%(state)s”.") % {"state": window.get_state_display()}
            )
        before = snapshot(window, WINDOW_FIELDS)
        if title is not None:
            window.title = _text(title, "title", 200)
        if impact is not None:
            window.impact = _text(impact, "impact")
        if kind is not None:
            window.kind = _kind(kind)
        if start is not None:
            window.start = start
        if end is not None:
            window.end = end
        if platform_wide is not None:
            window.platform_wide = bool(platform_wide)
        _check_times(window.start, window.end, timezone.now())
        window.save()
        if resources is not _UNSET or departments is not _UNSET or platform_wide is not None:
            chosen = (
                list(window.resources.select_related("organization"))
                if resources is _UNSET
                else _check_resources(actor, resources)
            )
            whole = (
                list(Organization.objects.filter(pk__in=window.affected.filter(whole=True).values("organization_id")))
                if departments is _UNSET
                else _check_departments(departments)
            )
            _set_scope(window, chosen, whole)
        changes = diff(before, snapshot(window, WINDOW_FIELDS))
        labels = [str(MaintenanceWindow._meta.get_field(name).verbose_name) for name in changes]
        _event(window, WindowEventKind.UPDATED, actor, ", ".join(labels))
        audit_record(
            actor=actor,
            action="maintenance_window.update",
            target=window,
            changes=changes,
            message=_scope_text(window),
        )
    return window


# --- Moves -----------------------------------------------------------------------------------------


def _require_transition(actor: Actor, window: MaintenanceWindow, action: WindowAction) -> str:
    entry = WINDOW_TRANSITIONS.get((window.state, action))
    if entry is None:
        # The window has moved on since the user chose the step (another approver, the sweep): 409 in the API.
        raise StateConflict(
            _("You cannot %(action)s this window while it is “%(state)s”.")
            % {"action": str(action.label).lower(), "state": window.get_state_display()}
        )
    target, roles = entry
    require_role(actor, roles)
    return target


def _finish(actor: Actor, window: MaintenanceWindow, action: WindowAction, before: dict, comment: str) -> None:
    window.save()
    _event(window, _EVENT_FOR_ACTION[action], actor, comment)
    audit_record(
        actor=actor,
        action=f"maintenance_window.{action}",
        target=window,
        changes=diff(before, snapshot(window, STATE_FIELDS)),
        message=comment,
    )


def window_transition(
    *, actor: Actor, window: MaintenanceWindow, action: str, comment: str = "", now: datetime | None = None
) -> MaintenanceWindow:
    """One move of WINDOW_TRANSITIONS, checked, locked, audited and put on the timeline."""
    action = WindowAction(action)
    comment = (comment or "").strip()
    with transaction.atomic():
        window = _locked(actor, window)
        target = _require_transition(actor, window, action)
        now = now or timezone.now()
        before = snapshot(window, STATE_FIELDS)
        if action == WindowAction.SUBMIT:
            _check_times(window.start, window.end, now)
            _check_notice(window.kind, window.start, now)
            window.submitted_at = now
            window.decision_comment = ""
            comment = comment or _period(window)
        elif action == WindowAction.APPROVE:
            if window.start <= now:
                raise ValidationError(_("The window's start has passed: return it to the provider to plan it again."))
            window.approved_at, window.approved_by = now, actor_user(actor)
            window.decision_comment = comment
        elif action == WindowAction.RETURN:
            if not comment:
                raise ValidationError({"comment": _("Say what the provider should change.")})
            window.decision_comment = comment
        elif action == WindowAction.START:
            if window.start > now:
                raise ValidationError(_("The window has not reached its start yet."))
            window.started_at = now
        elif action == WindowAction.COMPLETE:
            window.completed_at = now
        elif action == WindowAction.CANCEL:
            if not comment:
                raise ValidationError({"comment": _("Say why the maintenance is cancelled.")})
            window.cancelled_at = now
        window.state = target
        _finish(actor, window, action, before, comment)
        _notify(actor, window, action)
    return window


def window_submit(*, actor: Actor, window: MaintenanceWindow) -> MaintenanceWindow:
    """The provider submits the window to the center (notice period checked)."""
    return window_transition(actor=actor, window=window, action=WindowAction.SUBMIT)


def window_approve(*, actor: Actor, window: MaintenanceWindow, comment: str = "") -> MaintenanceWindow:
    """The center approves: the affected departments are notified."""
    return window_transition(actor=actor, window=window, action=WindowAction.APPROVE, comment=comment)


def window_return(*, actor: Actor, window: MaintenanceWindow, comment: str) -> MaintenanceWindow:
    """The center returns the window to the provider with what to change."""
    return window_transition(actor=actor, window=window, action=WindowAction.RETURN, comment=comment)


def window_cancel(*, actor: Actor, window: MaintenanceWindow, comment: str) -> MaintenanceWindow:
    """The provider or the center cancels a window before it starts (with the reason)."""
    return window_transition(actor=actor, window=window, action=WindowAction.CANCEL, comment=comment)


def window_start(*, actor: Actor, window: MaintenanceWindow) -> MaintenanceWindow:
    return window_transition(actor=actor, window=window, action=WindowAction.START)


def window_complete(*, actor: Actor, window: MaintenanceWindow, comment: str = "") -> MaintenanceWindow:
    """The provider reports the maintenance done (early, or the sweep does it at the end)."""
    return window_transition(actor=actor, window=window, action=WindowAction.COMPLETE, comment=comment)


# --- Notifications ---------------------------------------------------------------------------------


def department_recipients(window: MaintenanceWindow):
    """The department users a window concerns: every department user for a platform-wide window,
    else those of the affected organizations and their units, and of the department a unit belongs
    to (the people who see the window, see models._concerns_my_department)."""
    users = get_user_model().objects.filter(is_active=True, role_assignments__role__in=list(DEPARTMENT_ROLES))
    if not window.platform_wide:
        paths = list(window.affected.values_list("organization__path", flat=True))
        if not paths:
            return users.none()
        above = {p for path in paths for p in ancestor_paths(path)} - set(paths)
        q = Q(organization__path__in=above, organization__level=OrganizationLevel.DEPARTMENT)
        for path in paths:
            q |= Q(organization__path__startswith=path)
        users = users.filter(q)
    return users.distinct()


def _notify_departments(window: MaintenanceWindow, kind: str, title: str, severity=Severity.WARNING) -> int:
    return notify(
        recipients=department_recipients(window),
        kind=kind,
        title=title,
        body=window.impact,
        link=link(window),
        severity=severity,
        dedupe_key=f"{kind}:{window.pk}",
    )


def _notify(actor: Actor, window: MaintenanceWindow, action: WindowAction) -> None:
    params = {"number": window.number, "title": window.title, "period": _period(window)}
    common = {"link": link(window), "body": window.decision_comment or window.impact}
    if action == WindowAction.SUBMIT:
        notify_roles(
            roles=APPROVERS,
            kind=kinds.SUBMITTED,
            title=_("Maintenance to approve: %(number)s %(title)s (%(period)s)") % params,
            severity=Severity.WARNING if window.is_emergency else Severity.INFO,
            **common,
        )
    elif action == WindowAction.APPROVE:
        notify_roles(
            roles=PLANNERS,
            kind=kinds.APPROVED,
            title=_("Maintenance approved: %(number)s %(title)s") % params,
            **common,
        )
        label = _("Emergency maintenance") if window.is_emergency else _("Planned maintenance")
        _notify_departments(window, kinds.NOTICE, _("%(label)s %(period)s: %(title)s") % {**params, "label": label})
    elif action == WindowAction.RETURN:
        notify_roles(
            roles=PLANNERS,
            kind=kinds.RETURNED,
            title=_("Maintenance returned by the center: %(number)s %(title)s") % params,
            severity=Severity.WARNING,
            **common,
        )
    elif action == WindowAction.CANCEL:
        title = _("Maintenance cancelled: %(number)s %(title)s (%(period)s)") % params
        if window.approved_at is not None:
            _notify_departments(window, kinds.CANCELLED, title, severity=Severity.INFO)
        if actor_user(actor) is None or Role.PROVIDER_OPERATOR not in actor.roles:
            notify_roles(roles=PLANNERS, kind=kinds.CANCELLED, title=title, **common)


# --- The periodic sweep ----------------------------------------------------------------------------


def _reminder_day(now: datetime) -> tuple[datetime, datetime]:
    """Tomorrow in Asia/Shanghai as [start, end) moments."""
    tomorrow = timezone.localtime(now, SHANGHAI).date() + timedelta(days=1)
    start = datetime.combine(tomorrow, datetime.min.time(), tzinfo=SHANGHAI)
    return start, start + timedelta(days=1)


def _remind(actor: Actor, window: MaintenanceWindow) -> int:
    params = {"number": window.number, "title": window.title, "period": _period(window)}
    sent = _notify_departments(window, kinds.REMINDER, _("Maintenance tomorrow %(period)s: %(title)s") % params)
    _event(window, WindowEventKind.REMINDED, actor, _period(window))
    audit_record(
        actor=actor,
        action="maintenance_window.remind",
        target=window,
        message=_("%(n)d people reminded") % {"n": sent},
    )
    return sent


def maintenance_sweep(*, actor: Actor = SYSTEM, now: datetime | None = None) -> dict[str, int]:
    """Remind the affected departments of tomorrow's approved windows (from the start of office
    hours, once per window however often it runs), start approved windows whose start has come,
    and complete running ones whose end has passed. One bad window does not stop the others."""
    require_role(actor, PLANNERS | APPROVERS)
    now = now or timezone.now()
    done = {"reminded": 0, "started": 0, "completed": 0}
    local = timezone.localtime(now, SHANGHAI)
    if local.time() >= policy_value(Policy.OFFICE_HOURS_START):
        day_start, day_end = _reminder_day(now)
        due = MaintenanceWindow.objects.filter(
            state=WindowState.APPROVED, reminded_at__isnull=True, start__gte=day_start, start__lt=day_end
        ).order_by("start", "pk")
        for window in due:
            try:
                with transaction.atomic():
                    # Claimed by a conditional update: two sweeps at once remind once.
                    claimed = MaintenanceWindow.objects.filter(
                        pk=window.pk, reminded_at__isnull=True, state=WindowState.APPROVED
                    ).update(reminded_at=now)
                    if claimed:
                        _remind(actor, window)
                        done["reminded"] += 1
            except Exception:
                logger.exception("maintenance reminder failed for window %s", window.pk)
    moves = [
        (WindowState.APPROVED, Q(start__lte=now), WindowAction.START, "started"),
        (WindowState.IN_PROGRESS, Q(end__lte=now), WindowAction.COMPLETE, "completed"),
    ]
    for state, due_q, action, counter in moves:
        for window in MaintenanceWindow.objects.filter(due_q, state=state).order_by("start", "pk"):
            try:
                moved = _move_by_clock(actor, window, state, action, now)
            except Exception:
                logger.exception("maintenance %s failed for window %s", action, window.pk)
                continue
            done[counter] += moved
    return done


def _move_by_clock(actor: Actor, window: MaintenanceWindow, state: str, action: WindowAction, now: datetime) -> int:
    """Start or complete one window by the clock. The moment recorded is the planned one (the
    window's start, or its end), not the sweep's: the planned period is what was announced."""
    with transaction.atomic():
        current = MaintenanceWindow.objects.select_for_update().get(pk=window.pk)
        if current.state != state:  # another sweep or the provider got there first
            return 0
        at = current.start if action == WindowAction.START else min(current.end, now)
        window_transition(actor=actor, window=current, action=action, now=at, comment=_("By the clock"))
    return 1
