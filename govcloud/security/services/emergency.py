"""Emergency plans and drills (Art. 5, 12, 17), major events and protection plans (Art. 12)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from govcloud.audit.services import audit_record, created, diff, snapshot
from govcloud.core.actors import SYSTEM, Actor, actor_roles, is_system
from govcloud.core.permissions import require_role
from govcloud.core.policy import Policy, policy_value
from govcloud.core.roles import Role
from govcloud.core.scoping import Action, get_scoped_or_404
from govcloud.notifications.models import Severity
from govcloud.notifications.services import notify_roles
from govcloud.organizations.models import Organization, OrganizationKind
from govcloud.security.models import (
    FILERS,
    DrillFollowUp,
    EmergencyDrill,
    EmergencyPlan,
    EmergencyPlanVersion,
    FollowUpStatus,
    MajorEvent,
    PlanScope,
    ProtectionPlan,
)
from govcloud.security.models.emergency import MAJOR_EVENT_EDITORS, PROVIDER
from govcloud.security.selectors.calendar import protection_occasion, protection_occasions
from govcloud.security.selectors.emergency import drill_status, plans_for
from govcloud.security.services.attachments import attachment_saved, check_upload
from govcloud.security.services.common import actor_user, locked
from govcloud.systems.models import InformationSystem

# Who writes each kind of plan: the center its center-wide plans (Art. 5); the department or the
# provider a plan for an important system (Art. 6, 12). Drills of a plan are recorded by the same
# people, and by the provider for a center-wide plan (it runs the yearly drill, Art. 17).
PLAN_AUTHORS = {PlanScope.CENTER_WIDE: frozenset({Role.CENTER_ADMIN}), PlanScope.SYSTEM: FILERS | PROVIDER}
DRILL_RECORDERS = {
    PlanScope.CENTER_WIDE: frozenset({Role.CENTER_ADMIN}) | PROVIDER,
    PlanScope.SYSTEM: FILERS | PROVIDER,
}
VERSION_FIELDS = ("number", "content", "change_summary", "effective_from", "attachment")
DRILL_FIELDS = ("plan_version", "held_on", "scenario", "participants", "findings", "report")
FOLLOW_UP_FIELDS = ("description", "owner", "due_on", "status", "note")
EVENT_FIELDS = ("name", "starts_on", "ends_on", "description")
PROTECTION_FIELDS = ("occasion_key", "occasion_name", "title", "content", "attachment")


def _text(value: str, field: str, limit: int | None = None) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: _("This field is required.")})
    return value[:limit] if limit else value


def _center(actor: Actor) -> Organization:
    org = None if is_system(actor) else actor.organization
    if org is None or org.kind != OrganizationKind.CENTER:
        org = Organization.objects.filter(kind=OrganizationKind.CENTER).order_by("path").first()
    if org is None:
        raise ValidationError(_("There is no e-government center organization."))
    return org


def _plan_system(actor: Actor, system: InformationSystem) -> InformationSystem:
    # The provider operates every system; a department writes plans for its own only.
    action = Action.VIEW if Role.PROVIDER_OPERATOR in actor_roles(actor) else Action.CHANGE
    system = get_scoped_or_404(InformationSystem.objects.select_related("organization"), actor, action, pk=system.pk)
    if system.classified or not system.is_active:
        raise ValidationError({"system": _("Choose an active system on the platform.")})
    return system


# --- Plans ---------------------------------------------------------------------------------------


def _add_version(
    *, actor: Actor, plan: EmergencyPlan, content: str, change_summary: str, effective_from: date | None, stored
) -> EmergencyPlanVersion:
    now = timezone.now()
    number = (plan.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    EmergencyPlanVersion.objects.filter(plan=plan, superseded_at__isnull=True).update(superseded_at=now)
    version = EmergencyPlanVersion.objects.create(
        plan=plan,
        number=number,
        content=content,
        change_summary=(change_summary or "").strip()[:300],
        effective_from=effective_from or timezone.localdate(),
        attachment=stored,
        created_by=actor_user(actor),
    )
    plan.current_version = version
    plan.save(update_fields=["current_version", "updated_at"])
    return version


def emergency_plan_create(
    *,
    actor: Actor,
    scope: str,
    title: str,
    content: str,
    system: InformationSystem | None = None,
    effective_from: date | None = None,
    change_summary: str = "",
    attachment=None,
) -> EmergencyPlan:
    """A new plan with its first version: center-wide (the center) or for one important system
    (its department or the provider)."""
    scope = PlanScope(scope)
    require_role(actor, PLAN_AUTHORS[scope])
    title, content = _text(title, "title", 200), _text(content, "content")
    if scope == PlanScope.SYSTEM and system is None:
        raise ValidationError({"system": _("Choose the system the plan is for.")})
    if scope == PlanScope.CENTER_WIDE and system is not None:
        raise ValidationError({"system": _("A center-wide plan is not for one system.")})
    if attachment is not None:
        check_upload(attachment)
    with transaction.atomic(), attachment_saved(actor=actor, upload=attachment) as stored:
        if scope == PlanScope.SYSTEM:
            system = _plan_system(actor, system)
            if EmergencyPlan.objects.filter(system=system).exists():
                raise ValidationError({"system": _("This system already has a plan; add a new version to it.")})
            organization = system.organization
        else:
            organization = _center(actor)
        plan = EmergencyPlan(
            scope=scope, organization=organization, system=system, title=title, created_by=actor_user(actor)
        )
        try:
            with transaction.atomic():
                plan.save()
        except IntegrityError:
            raise ValidationError({"system": _("This system already has a plan; add a new version to it.")})
        version = _add_version(
            actor=actor,
            plan=plan,
            content=content,
            change_summary=change_summary,
            effective_from=effective_from,
            stored=stored,
        )
        audit_record(
            actor=actor,
            action="emergency_plan.create",
            target=plan,
            changes={**created(plan, ("scope", "system", "title")), **created(version, VERSION_FIELDS)},
        )
    return plan


def emergency_plan_add_version(
    *,
    actor: Actor,
    plan: EmergencyPlan,
    content: str,
    change_summary: str,
    effective_from: date | None = None,
    attachment=None,
) -> EmergencyPlanVersion:
    """A new version supersedes the current one; every earlier version stays readable."""
    require_role(actor, PLAN_AUTHORS[PlanScope(plan.scope)])
    content = _text(content, "content")
    change_summary = _text(change_summary, "change_summary", 300)
    if attachment is not None:
        check_upload(attachment)
    with transaction.atomic(), attachment_saved(actor=actor, upload=attachment) as stored:
        plan = locked(EmergencyPlan, actor, plan.pk)
        version = _add_version(
            actor=actor,
            plan=plan,
            content=content,
            change_summary=change_summary,
            effective_from=effective_from,
            stored=stored,
        )
        audit_record(
            actor=actor,
            action="emergency_plan.new_version",
            target=plan,
            changes=created(version, VERSION_FIELDS),
            message=change_summary,
        )
    return version


# --- Drills --------------------------------------------------------------------------------------


def _follow_up(drill: EmergencyDrill, item: dict) -> DrillFollowUp:
    due_on = item.get("due_on")
    if not isinstance(due_on, date):
        raise ValidationError({"follow_ups": _("Give each follow-up item a due date.")})
    return DrillFollowUp.objects.create(
        drill=drill,
        description=_text(item.get("description", ""), "follow_ups"),
        owner=_text(item.get("owner", ""), "follow_ups", 150),
        due_on=due_on,
    )


def emergency_drill_record(
    *,
    actor: Actor,
    plan_version: EmergencyPlanVersion,
    held_on: date,
    scenario: str,
    participants: str,
    findings: str = "",
    follow_ups: Iterable[dict] = (),
    report=None,
) -> EmergencyDrill:
    """Record a drill of one plan version, with its findings and follow-up items."""
    scenario, participants = _text(scenario, "scenario"), _text(participants, "participants")
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": _("Record a drill once it has been held.")})
    if report is not None:
        check_upload(report, field="report")
    with transaction.atomic(), attachment_saved(actor=actor, upload=report, field="report") as stored:
        version = get_scoped_or_404(
            EmergencyPlanVersion.objects.select_related("plan"), actor, Action.VIEW, pk=plan_version.pk
        )
        plan = version.plan
        require_role(actor, DRILL_RECORDERS[PlanScope(plan.scope)])
        if plan.scope == PlanScope.SYSTEM and not actor_roles(actor) & PROVIDER:
            locked(EmergencyPlan, actor, plan.pk)  # a department records drills of its own plans only
        drill = EmergencyDrill.objects.create(
            organization=plan.organization,
            plan_version=version,
            held_on=held_on,
            scenario=scenario,
            participants=participants,
            findings=(findings or "").strip(),
            report=stored,
            recorded_by=actor_user(actor),
        )
        items = [_follow_up(drill, item) for item in follow_ups]
        audit_record(
            actor=actor,
            action="emergency_drill.create",
            target=drill,
            changes=created(drill, DRILL_FIELDS),
            message=_("%(n)d follow-up items") % {"n": len(items)},
        )
    return drill


def drill_follow_up_add(
    *, actor: Actor, drill: EmergencyDrill, description: str, owner: str, due_on: date
) -> DrillFollowUp:
    with transaction.atomic():
        drill = locked(EmergencyDrill, actor, drill.pk)
        require_role(actor, DRILL_RECORDERS[PlanScope(drill.plan_version.plan.scope)])
        item = _follow_up(drill, {"description": description, "owner": owner, "due_on": due_on})
        audit_record(
            actor=actor, action="drill_follow_up.create", target=drill, changes=created(item, FOLLOW_UP_FIELDS)
        )
    return item


def drill_follow_up_update(*, actor: Actor, follow_up: DrillFollowUp, status: str, note: str = "") -> DrillFollowUp:
    """Close (done or cancelled) or reopen a follow-up item, with a note."""
    status = FollowUpStatus(status)
    with transaction.atomic():
        item = locked(DrillFollowUp, actor, follow_up.pk)
        require_role(actor, DRILL_RECORDERS[PlanScope(item.drill.plan_version.plan.scope)])
        before = snapshot(item, ("status", "note"))
        item.status = status
        item.note = (note or "").strip()
        item.closed_at = None if status == FollowUpStatus.OPEN else timezone.now()
        item.save()
        changes = diff(before, snapshot(item, ("status", "note")))
        if changes:
            audit_record(actor=actor, action="drill_follow_up.update", target=item.drill, changes=changes)
    return item


def drills_overdue_warn(*, actor: Actor = SYSTEM) -> int:
    """Warn the center and the provider, once per plan and due date, when a plan has not been
    drilled for Policy.DRILL_INTERVAL_MONTHS (Art. 17: a drill every year)."""
    require_role(actor, {Role.CENTER_ADMIN})
    warned = 0
    for status in drill_status(plans=plans_for(user=SYSTEM)):
        if not status.is_overdue:
            continue
        with transaction.atomic():
            params = {"plan": status.plan.title, "due": status.due_on.isoformat()}
            sent = notify_roles(
                roles={Role.CENTER_ADMIN, Role.PROVIDER_OPERATOR},
                kind="security.drill_overdue",
                title=_("Emergency drill overdue: %(plan)s (due %(due)s)") % params,
                body=_("Art. 17: each emergency plan is drilled at least every %(months)d months.")
                % {"months": int(policy_value(Policy.DRILL_INTERVAL_MONTHS))},
                link=reverse("security:plan_detail", args=[status.plan.pk]),
                severity=Severity.WARNING,
                dedupe_key=f"security.drill_overdue:{status.plan.pk}:{status.due_on.isoformat()}",
            )
            if sent:
                audit_record(
                    actor=actor,
                    action="emergency_drill.overdue_warning",
                    target=status.plan,
                    message=_("Drill due on %(due)s; %(n)d people warned.") % {"due": params["due"], "n": sent},
                )
                warned += 1
    return warned


# --- Major events and protection plans -------------------------------------------------------------


def _check_event_dates(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The event ends on or after the day it starts.")})


def major_event_create(*, actor: Actor, name: str, starts_on: date, ends_on: date, description: str = "") -> MajorEvent:
    require_role(actor, MAJOR_EVENT_EDITORS)
    name = _text(name, "name", 200)
    _check_event_dates(starts_on, ends_on)
    with transaction.atomic():
        event = MajorEvent.objects.create(
            name=name,
            starts_on=starts_on,
            ends_on=ends_on,
            description=(description or "").strip(),
            created_by=actor_user(actor),
        )
        audit_record(actor=actor, action="major_event.create", target=event, changes=created(event, EVENT_FIELDS))
    return event


def major_event_update(*, actor: Actor, event: MajorEvent, **fields) -> MajorEvent:
    require_role(actor, MAJOR_EVENT_EDITORS)
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    with transaction.atomic():
        event = locked(MajorEvent, actor, event.pk)
        before = snapshot(event, EVENT_FIELDS)
        for key, value in fields.items():
            setattr(event, key, value.strip() if isinstance(value, str) else value)
        _text(event.name, "name")
        _check_event_dates(event.starts_on, event.ends_on)
        event.save()
        ProtectionPlan.objects.filter(major_event=event).update(
            occasion_name=event.name, occasion_starts_on=event.starts_on, occasion_ends_on=event.ends_on
        )
        changes = diff(before, snapshot(event, EVENT_FIELDS))
        if changes:
            audit_record(actor=actor, action="major_event.update", target=event, changes=changes)
    return event


def major_event_delete(*, actor: Actor, event: MajorEvent) -> None:
    """An event entered by mistake; one with a filed protection plan stays (the plan refers to it)."""
    require_role(actor, MAJOR_EVENT_EDITORS)
    with transaction.atomic():
        event = locked(MajorEvent, actor, event.pk)
        if ProtectionPlan.objects.filter(major_event=event).exists():
            raise ValidationError(_("A protection plan was filed for this event; it cannot be deleted."))
        audit_record(
            actor=actor, action="major_event.delete", target=event, changes=diff(snapshot(event, EVENT_FIELDS), {})
        )
        event.delete()


def protection_plan_file(
    *, actor: Actor, occasion_key: str, title: str, content: str, attachment=None
) -> ProtectionPlan:
    """The provider files (or files again, replacing the text) its protection plan for a holiday
    period or a major event."""
    require_role(actor, PROVIDER)
    title, content = _text(title, "title", 200), _text(content, "content")
    occasion = protection_occasion(occasion_key)
    if occasion is None:
        raise ValidationError({"occasion": _("Choose a holiday period or a major event.")})
    if attachment is not None:
        check_upload(attachment)
    with transaction.atomic(), attachment_saved(actor=actor, upload=attachment) as stored:
        plan = ProtectionPlan.objects.select_for_update().filter(occasion_key=occasion.key).first()
        if plan is None:
            plan = ProtectionPlan(
                occasion_kind=occasion.kind,
                occasion_key=occasion.key,
                major_event_id=occasion.major_event_id,
            )
            before = {}
        else:
            before = snapshot(plan, PROTECTION_FIELDS)
        plan.occasion_name = occasion.name[:200]
        plan.occasion_starts_on, plan.occasion_ends_on = occasion.starts_on, occasion.ends_on
        plan.title, plan.content = title, content
        if stored is not None:
            plan.attachment = stored
        plan.filed_by = actor_user(actor)
        plan.save()
        audit_record(
            actor=actor,
            action="protection_plan.update" if before else "protection_plan.file",
            target=plan,
            changes=diff(before, snapshot(plan, PROTECTION_FIELDS)),
        )
    return plan


def protection_plans_remind(*, actor: Actor = SYSTEM) -> int:
    """Remind the provider, Policy.PROTECTION_PLAN_REMINDER_DAYS days ahead of each holiday
    period and major event, to file its protection plan (once per occasion)."""
    require_role(actor, {Role.CENTER_ADMIN})
    today = timezone.localdate()
    ahead = timedelta(days=int(policy_value(Policy.PROTECTION_PLAN_REMINDER_DAYS)))
    reminded = 0
    for occasion in protection_occasions(today, today + ahead):
        if not occasion.is_due:
            continue
        with transaction.atomic():
            params = {"name": occasion.name, "start": occasion.starts_on.isoformat()}
            sent = notify_roles(
                roles={Role.PROVIDER_OPERATOR},
                kind="security.protection_plan_due",
                title=_("File the protection plan for %(name)s (from %(start)s)") % params,
                body=_("Art. 12: the provider files a protection plan before each holiday and major event."),
                link=reverse("security:protection_list"),
                severity=Severity.WARNING,
                dedupe_key=f"security.protection_plan:{occasion.key}",
            )
            if sent:
                audit_record(
                    actor=actor,
                    action="protection_plan.reminder",
                    object_type="security.protectionplan",
                    object_id=occasion.key,
                    object_repr=f"{occasion.name} {occasion.starts_on}",
                    message=_("%(n)d people reminded.") % {"n": sent},
                )
                reminded += 1
    return reminded
