"""Running the application's lifecycle (Art. 8-11). The transitions are declared once, on
`Application` (django-fsm-2: source, target, permission, conditions); every step goes through
`_transition`, which

1. answers 404 for an application the person may not see, 403 for a step their role may not take;
2. locks the row (`select_for_update(of=("self",))`), so two people acting at once give one step;
3. checks the state and the step's conditions, with a readable reason (the gates list theirs);
4. records the step's own changes (deadlines, decisions), saves;
5. writes one ApplicationEvent (the timeline, with the actor's comment) and one audit event;
6. notifies whoever acts next.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import can_proceed

from govcloud.applications import rules
from govcloud.applications.gates import go_live_verdict
from govcloud.applications.kinds import TO_DO_WHILE
from govcloud.applications.kinds import Kind as K
from govcloud.applications.models import (
    STEP_LABELS,
    WAITING_STEPS,
    Application,
    ApplicationAction,
    ApplicationItem,
    ApplicationKind,
    ApplicationState,
    Environment,
)
from govcloud.applications.services.common import (
    DRAFTERS,
    audit,
    center_people,
    check_scope,
    creator_and,
    department_people,
    event,
    link,
    provider_operators,
    tell,
)
from govcloud.applications.services.drafts import (
    ItemInput,
    additional_units,
    change_spec,
    clean_item,
    estimate,
    quota_messages,
)
from govcloud.catalog.specs import INTEGER_DIMENSIONS, money
from govcloud.core.actors import SYSTEM, Actor, is_system
from govcloud.core.errors import StateConflict
from govcloud.core.permissions import require_role
from govcloud.core.policy import Policy, policy_value
from govcloud.core.roles import Role
from govcloud.core.scoping import Action
from govcloud.delivery.drivers import Step
from govcloud.delivery.models import WorkOrderKind
from govcloud.delivery.services import work_orders_create, work_orders_reopen
from govcloud.ledger.models import Resource, ResourceState
from govcloud.ledger.services import resource_activate, resource_change_start
from govcloud.notifications.models import Severity
from govcloud.notifications.services import notifications_settle
from govcloud.workdays.selectors import deadline_from

A = ApplicationAction
S = ApplicationState


# --- The table, read from the model's declarations ----------------------------------------------


@dataclass(frozen=True)
class TransitionInfo:
    name: str
    sources: frozenset[str]
    target: str
    roles: frozenset[Role]
    who: str  # "department", "center" or "platform"
    conditions: tuple[Callable, ...]
    waits_for: frozenset[Role]


def _table() -> dict[str, TransitionInfo]:
    found: dict[str, dict[str, Any]] = {}
    for t in Application._meta.get_field("state").get_all_transitions(Application):
        entry = found.setdefault(
            t.name,
            {
                "sources": set(),
                "target": t.target,
                "roles": t.permission.roles,
                "who": t.permission.who,
                "conditions": tuple(t.conditions),
                "waits_for": t.permission.waits_for,
            },
        )
        entry["sources"].add(t.source)
    return {
        name: TransitionInfo(
            name,
            frozenset(e["sources"]),
            e["target"],
            frozenset(e["roles"]),
            e["who"],
            e["conditions"],
            frozenset(e["waits_for"]),
        )
        for name, e in found.items()
    }


TRANSITIONS: dict[str, TransitionInfo] = _table()

CONDITION_MESSAGES: dict[Callable, str] = {
    rules.has_items: gettext_lazy("Add at least one item."),
    rules.quota_justified: gettext_lazy(
        "The application goes beyond the department's quota: explain why in the justification."
    ),
    rules.stamped_form_attached: gettext_lazy(
        "Attach the scan of the stamped application form before signing off (Art. 9)."
    ),
    rules.work_done: gettext_lazy("Not every work order is complete yet."),
    rules.is_new: gettext_lazy("Only an application for new resources goes into service this way."),
    rules.is_change: gettext_lazy("Only a change application is confirmed this way."),
    rules.is_termination: gettext_lazy("Only a termination application is completed this way."),
    rules.is_not_termination: gettext_lazy("A termination application is not tested."),
    rules.go_live_cleared: gettext_lazy("The resources may not go into service yet."),
}


@dataclass(frozen=True)
class StepOption:
    name: str
    label: str
    # What still stops the step (a condition the person can do something about), "" when none.
    blocked: str = ""


def _for_this_kind(application: Application, info: TransitionInfo) -> bool:
    return all(condition(application) for condition in info.conditions if condition in rules.KIND_CONDITIONS)


def _blocked(application: Application, info: TransitionInfo) -> str:
    for condition in info.conditions:
        if condition not in rules.KIND_CONDITIONS and not condition(application):
            return str(CONDITION_MESSAGES.get(condition) or _("This step is not possible now."))
    return ""


def step_options(application: Application, user) -> list[StepOption]:
    """The one place that decides which steps a page offers: the transitions out of the current
    state that this person's role and scope allow and that fit this kind of application, each with
    the condition that still stops it. A page shows a blocked step disabled with its reason rather
    than a button that always fails; the services still check everything."""
    if user is None or is_system(user):
        return []
    options = []
    for name, info in TRANSITIONS.items():
        if info.who == "platform" or application.state not in info.sources:
            continue
        if not getattr(application, name)._django_fsm.get_transition(application.state).has_perm(application, user):
            continue
        if not _for_this_kind(application, info):
            continue
        options.append(StepOption(name, str(STEP_LABELS[name]), _blocked(application, info)))
    return options


def allowed_actions(application: Application, user) -> list[str]:
    """The steps this person can take on the application now (for the API)."""
    return [option.name for option in step_options(application, user) if not option.blocked]


def waiting_on(application: Application) -> str:
    """Who acts next, and to do what ("待市电子政务中心管理员审批"): the forward step out of the
    current state for this kind of application (models.WAITING_STEPS), and the roles it waits for."""
    for name, verb in WAITING_STEPS.items():
        info = TRANSITIONS[name]
        if application.state in info.sources and _for_this_kind(application, info):
            who = _(" or ").join(str(Role(role).label) for role in sorted(info.waits_for))
            return _("Waiting for %(who)s to %(step)s") % {"who": who, "step": verb}
    return ""


def _lock(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("organization", "system", "created_by")
        .get(pk=application.pk)
    )


Hook = Callable[[Application], Mapping[str, Any] | None]


def _transition(
    *,
    actor: Actor,
    application: Application,
    action: str,
    comment: str = "",
    before: Hook | None = None,
    after: Hook | None = None,
) -> Application:
    info = TRANSITIONS[action]
    if not is_system(actor):
        check_scope(actor, Application, application.pk, Action.VIEW)
        if info.who == "platform":
            raise PermissionDenied(_("Only the platform takes this step."))
        require_role(actor, info.roles)
    with transaction.atomic():
        row = _lock(application)
        bound = getattr(row, action)
        if not can_proceed(bound, check_conditions=False):
            raise StateConflict(
                _("“%(action)s” is not possible while the application is “%(state)s”.")
                % {"action": STEP_LABELS[action], "state": S(row.state).label}
            )
        transition = bound._django_fsm.get_transition(row.state)
        if not transition.has_perm(row, actor):
            raise PermissionDenied(_("You may not take this step on this application."))
        from_state = row.state
        changes: dict[str, Any] = dict((before(row) if before else None) or {})
        for condition in transition.conditions:
            if not condition(row):
                raise ValidationError(str(CONDITION_MESSAGES.get(condition) or _("This step is not possible now.")))
        bound()
        row.save()
        event(row, actor, action, from_state=from_state, to_state=row.state, comment=comment)
        changes.update((after(row) if after else None) or {})
        audit(
            actor=actor,
            action=f"application.{action}",
            application=row,
            changes={"state": [from_state, row.state], **changes},
            message=comment[:500],
        )
        if row.state != from_state:
            notifications_settle(link=link(row), kinds=TO_DO_WHILE.get(from_state, ()))
        _notify_next(row, action, comment)
    return row


def _required(text: str, field: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({field: message})
    return text


# --- Who acts next ------------------------------------------------------------------------------


def _due(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


def _notify_next(app: Application, action: str, comment: str) -> None:
    ctx = {"number": app.number, "org": app.organization.name, "system": app.system.name}
    if action == A.SUBMIT:
        tell(
            department_people(app, {Role.DEPARTMENT_HEAD}),
            app,
            K.SIGNOFF_REQUESTED,
            _("Sign off application %(number)s for %(system)s") % ctx,
        )
    elif action == A.SIGN_OFF:
        tell(
            center_people(),
            app,
            K.SUBMITTED,
            _("Application %(number)s from %(org)s awaits acceptance; decision due %(due)s")
            % {**ctx, "due": _due(app.decision_due_at)},
            severity=Severity.WARNING if app.exceeds_quota else Severity.INFO,
        )
    elif action == A.SEND_BACK:
        tell(
            creator_and(app, set()),
            app,
            K.SENT_BACK,
            _("Application %(number)s was sent back by the department head") % ctx,
        )
    elif action == A.ACCEPT:
        tell(
            center_people({Role.CENTER_ADMIN}),
            app,
            K.ACCEPTED,
            _("Decide application %(number)s from %(org)s by %(due)s") % {**ctx, "due": _due(app.decision_due_at)},
        )
    elif action == A.RETURN:
        tell(
            creator_and(app, DRAFTERS),
            app,
            K.RETURNED,
            _("Application %(number)s was returned for correction") % ctx,
            body=comment,
            severity=Severity.WARNING,
        )
    elif action == A.APPROVE:
        tell(
            provider_operators(),
            app,
            K.WORK_ORDERS,
            _("New work orders for application %(number)s (%(org)s), due %(due)s")
            % {**ctx, "due": _due(app.delivery_due_at)},
        )
        tell(
            creator_and(app, DRAFTERS),
            app,
            K.APPROVED,
            _("Application %(number)s was approved") % ctx,
            body=app.decision_note,
        )
    elif action == A.REJECT:
        tell(
            creator_and(app, DRAFTERS),
            app,
            K.REJECTED,
            _("Application %(number)s was rejected") % ctx,
            body=comment,
            severity=Severity.WARNING,
        )
    elif action == A.MARK_DELIVERED:
        tell(
            creator_and(app, DRAFTERS),
            app,
            K.DELIVERED,
            _("Application %(number)s is delivered: test it by %(due)s") % {**ctx, "due": _due(app.test_due_at)},
        )
    elif action == A.REPORT_DEFECTS:
        tell(
            [*provider_operators(), *center_people({Role.CENTER_ADMIN})],
            app,
            K.TEST_FAILED,
            _("The department's test of application %(number)s failed: the work orders are reopened") % ctx,
            body=comment,
            severity=Severity.WARNING,
        )
    elif action in (A.ACCEPT_DELIVERY, A.CONFIRM_CHANGE):
        tell(
            [*center_people({Role.CENTER_ADMIN}), *provider_operators()],
            app,
            K.IN_SERVICE,
            _("Application %(number)s (%(org)s) is in service") % ctx
            if action == A.ACCEPT_DELIVERY
            else _("The change of application %(number)s (%(org)s) is confirmed") % ctx,
        )
    elif action == A.COMPLETE_TERMINATION:
        tell(
            [*creator_and(app, DRAFTERS), *center_people({Role.CENTER_ADMIN})],
            app,
            K.TERMINATED,
            _("The resources of application %(number)s are terminated") % ctx,
        )
    elif action == A.CANCEL:
        tell(center_people(), app, K.WITHDRAWN, _("Application %(number)s from %(org)s was withdrawn") % ctx)


def delivery_working_days(environment: str) -> int:
    """The provider's limit for the application's environment (Art. 10): a city may give test
    environments a different one."""
    key = Policy.DELIVERY_WORKING_DAYS_TEST if environment == Environment.TEST else Policy.DELIVERY_WORKING_DAYS
    return int(policy_value(key))


# --- The department's steps ------------------------------------------------------------------------


def _recheck_items(row: Application) -> dict[str, Any]:
    """Submitting checks the items again against today's catalog and quota."""
    messages = []
    cleaned = []
    items = list(
        row.items.select_related("catalog_item", "target_resource").prefetch_related(
            "catalog_item__options", "catalog_item__ranges"
        )
    )
    for number, item in enumerate(items, start=1):
        try:
            cleaned.append(
                clean_item(
                    kind=row.kind,
                    system=row.system,
                    row=ItemInput(
                        catalog_item=item.catalog_item if row.kind == ApplicationKind.NEW else None,
                        quantity=item.quantity,
                        spec=item.spec,
                        target_resource=item.target_resource,
                        needed_until=item.needed_until,
                    ),
                    exclude_application_id=row.pk,
                )
            )
        except ValidationError as exc:
            for errors in exc.message_dict.values():
                messages += [_("Item %(n)d: %(message)s") % {"n": number, "message": e} for e in errors]
    if messages:
        raise ValidationError({"items": messages})
    quota = quota_messages(row.organization, additional_units(row.kind, cleaned))
    row.exceeds_quota = bool(quota)
    row.quota_messages = quota
    return {"exceeds_quota": [None, row.exceeds_quota]} if quota else {}


def application_submit(*, actor: Actor, application: Application, comment: str = "") -> Application:
    """The applicant sends the form to the department head for sign-off."""
    return _transition(actor=actor, application=application, action=A.SUBMIT, comment=comment, before=_recheck_items)


def application_sign_off(*, actor: Actor, application: Application, comment: str = "") -> Application:
    """The head signs (电子签批): the application goes to the center; its acceptance is due
    ACCEPTANCE_WORKING_DAYS working days later, the decision APPROVAL_WORKING_DAYS working days
    later (Art. 10) — from now, or from the acceptance where DECISION_FROM_ACCEPTANCE says so."""

    def before(row: Application):
        now = timezone.now()
        acceptance = deadline_from(now, int(policy_value(Policy.ACCEPTANCE_WORKING_DAYS)))
        row.signed_off_by = None if is_system(actor) else actor
        row.signed_off_at = now
        row.submitted_at = now
        row.acceptance_due_at = acceptance.due
        row.acceptance_due_provisional = acceptance.provisional
        changes = {"acceptance_due_at": [None, acceptance.due.isoformat()]}
        # A city whose decision limit counts from the acceptance starts that clock in accept.
        if not policy_value(Policy.DECISION_FROM_ACCEPTANCE):
            deadline = deadline_from(now, int(policy_value(Policy.APPROVAL_WORKING_DAYS)))
            row.decision_due_at = deadline.due
            row.decision_due_provisional = deadline.provisional
            changes["decision_due_at"] = [None, deadline.due.isoformat()]
        row.return_reasons = ""
        return changes

    return _transition(actor=actor, application=application, action=A.SIGN_OFF, comment=comment, before=before)


def application_send_back(*, actor: Actor, application: Application, comment: str) -> Application:
    comment = _required(comment, "comment", _("Say what the applicant should change."))
    return _transition(actor=actor, application=application, action=A.SEND_BACK, comment=comment)


def application_cancel(*, actor: Actor, application: Application, comment: str = "") -> Application:
    def before(row: Application):
        row.closed_at = timezone.now()
        row.decision_due_at = None
        row.decision_due_provisional = False
        row.acceptance_due_at = None
        row.acceptance_due_provisional = False
        return None

    return _transition(actor=actor, application=application, action=A.CANCEL, comment=comment, before=before)


# --- The center's steps ------------------------------------------------------------------------------


def application_accept(*, actor: Actor, application: Application, comment: str = "") -> Application:
    """受理: the application is complete; the decision clock keeps running (or starts now, where
    the decision limit counts from the acceptance)."""

    def before(row: Application):
        row.accepted_at = timezone.now()
        # Only a clock not yet started starts here: one started at sign-off keeps its due time even
        # if the policy changed since (a change of policy never moves a running clock).
        if row.decision_due_at is None:
            deadline = deadline_from(row.accepted_at, int(policy_value(Policy.APPROVAL_WORKING_DAYS)))
            row.decision_due_at = deadline.due
            row.decision_due_provisional = deadline.provisional
            return {"decision_due_at": [None, deadline.due.isoformat()]}
        return None

    return _transition(actor=actor, application=application, action=A.ACCEPT, comment=comment, before=before)


def application_return(*, actor: Actor, application: Application, reasons: str) -> Application:
    """退回补正: back to the department with reasons; the clock stops (a resubmission starts a new one)."""
    reasons = _required(reasons, "reasons", _("Say what must be corrected."))

    def before(row: Application):
        row.return_reasons = reasons
        old = row.decision_due_at
        row.decision_due_at = None
        row.decision_due_provisional = False
        row.acceptance_due_at = None
        row.acceptance_due_provisional = False
        row.accepted_at = None
        return {"decision_due_at": [old.isoformat() if old else None, None]}

    return _transition(actor=actor, application=application, action=A.RETURN, comment=reasons, before=before)


@dataclass(frozen=True)
class ItemDecision:
    """The center's decision on one item: less than asked (a smaller quantity, a smaller spec, or 0 =
    not approved) needs a note saying why (Art. 10 optimization advice)."""

    approved_quantity: int | None = None
    approved_spec: Mapping[str, Any] | None = None
    approval_note: str = ""


def _grew(asked: Mapping[str, Any], approved: Mapping[str, Any]) -> list[str]:
    grew = []
    for key, value in approved.items():
        if key in INTEGER_DIMENSIONS or key in ("storage_tb",):
            try:
                if Decimal(str(value)) > Decimal(str(asked.get(key, 0))):
                    grew.append(key)
            except ArithmeticError:  # pragma: no cover - validate_spec cleaned both
                continue
    return grew


def _decide_item(row: Application, item: ApplicationItem, decision: ItemDecision, number: int) -> list[str]:
    errors = []

    def err(message: str) -> None:
        errors.append(_("Item %(n)d: %(message)s") % {"n": number, "message": message})

    asked_quantity = item.quantity
    quantity = asked_quantity if decision.approved_quantity is None else decision.approved_quantity
    if not 0 <= quantity <= asked_quantity:
        err(_("approve between 0 and the %(n)d asked for.") % {"n": asked_quantity})
    spec = dict(item.spec)
    if decision.approved_spec is not None and row.kind != ApplicationKind.TERMINATION:
        wanted = {**item.spec, **dict(decision.approved_spec)}
        try:
            # Values as asked stay acceptable even if the catalog has retired them since.
            spec = change_spec(item.catalog_item, wanted, item.spec)
        except ValidationError as exc:
            for messages in exc.message_dict.values():
                for message in messages:
                    err(message)
        grew = _grew(item.spec, spec)
        if grew:
            err(_("the center approves at most what was asked (%(fields)s).") % {"fields": ", ".join(grew)})
    note = (decision.approval_note or "").strip()
    if (quantity < asked_quantity or spec != item.spec) and not note:
        err(_("say why less than asked is approved."))
    item.approved_quantity = quantity
    item.approved_spec = spec
    item.approval_note = note
    return errors


def application_approve(
    *,
    actor: Actor,
    application: Application,
    decisions: Mapping[int, ItemDecision] | None = None,
    comment: str = "",
) -> Application:
    """审批: approve (each item as asked, or less with a reason); one work order per approved item is
    created, due DELIVERY_WORKING_DAYS (production) or DELIVERY_WORKING_DAYS_TEST (test environment)
    working days from now (Art. 10)."""
    decisions = dict(decisions or {})
    created: list = []

    def before(row: Application):
        items = list(
            row.items.select_related("catalog_item", "target_resource").prefetch_related(
                "catalog_item__options", "catalog_item__ranges"
            )
        )
        unknown = set(decisions) - {i.pk for i in items}
        if unknown:
            raise ValidationError({"decisions": _("Unknown item: %(ids)s.") % {"ids": sorted(unknown)}})
        errors = []
        for number, item in enumerate(items, start=1):
            errors += _decide_item(row, item, decisions.get(item.pk, ItemDecision()), number)
        if errors:
            raise ValidationError({"decisions": errors})
        if not any(item.approved_quantity for item in items):
            raise ValidationError({"decisions": _("Approving nothing is a rejection: reject the application instead.")})
        amounts, total = estimate(
            row.kind,
            [{"catalog_item": i.catalog_item, "spec": i.approved_spec, "quantity": i.approved_quantity} for i in items],
        )
        for item, amount in zip(items, amounts, strict=True):
            item.approved_monthly_estimate = amount
        ApplicationItem.objects.bulk_update(
            items, ["approved_quantity", "approved_spec", "approval_note", "approved_monthly_estimate"]
        )
        now = timezone.now()
        deadline = deadline_from(now, delivery_working_days(row.environment))
        due = deadline.due
        if row.kind == ApplicationKind.TERMINATION and row.termination_date:
            end = policy_value(Policy.OFFICE_HOURS_END)
            on_date = timezone.make_aware(datetime.combine(row.termination_date, end))
            due = max(due, on_date)
        row.decided_at = now
        row.decided_by_name = (getattr(actor, "full_name", "") or str(actor))[:150]
        row.decision_note = comment
        row.delivery_due_at = due
        row.delivery_due_provisional = deadline.provisional
        row.approved_monthly_estimate = money(total)
        reduced = [i for i in items if i.approved_quantity != i.quantity or i.approved_spec != i.spec]
        row._approved_items = items
        changes = {
            "approved_monthly_estimate": [None, str(row.approved_monthly_estimate)],
            "delivery_due_at": [None, due.isoformat()],
        }
        if reduced:
            changes["reduced_items"] = [None, [i.pk for i in reduced]]
        return changes

    def after(row: Application):
        kind = {
            ApplicationKind.NEW: WorkOrderKind.PROVISION,
            ApplicationKind.CHANGE: WorkOrderKind.CHANGE,
            ApplicationKind.TERMINATION: WorkOrderKind.TERMINATE,
        }[ApplicationKind(row.kind)]
        steps = [
            Step(kind, row, item, row.delivery_due_at, row.delivery_due_provisional)
            for item in row._approved_items
            if item.approved_quantity
        ]
        created.extend(work_orders_create(actor=actor, steps=steps))
        if row.kind == ApplicationKind.CHANGE:
            # The ledger shows the resources as changing while the provider works on them.
            for step_ in steps:
                resource_change_start(
                    actor=actor, resource=step_.item.target_resource, application=row, note=row.number
                )
        return {"work_orders": [None, [o.number for o in created]]}

    return _transition(
        actor=actor, application=application, action=A.APPROVE, comment=comment, before=before, after=after
    )


def application_reject(*, actor: Actor, application: Application, reasons: str) -> Application:
    reasons = _required(reasons, "reasons", _("Give the reasons for the rejection."))

    def before(row: Application):
        now = timezone.now()
        row.decided_at = now
        row.decided_by_name = (getattr(actor, "full_name", "") or str(actor))[:150]
        row.decision_note = reasons
        row.closed_at = now
        return None

    return _transition(actor=actor, application=application, action=A.REJECT, comment=reasons, before=before)


# --- Delivery and the department's acceptance test ---------------------------------------------------


def application_mark_delivered(*, application: Application, comment: str = "") -> Application:
    """Every work order is complete (called by the delivery signal): the department tests the
    delivery within TEST_PERIOD_DAYS calendar days."""

    def before(row: Application):
        now = timezone.now()
        row.delivered_at = now
        row.test_due_at = now + timedelta(days=int(policy_value(Policy.TEST_PERIOD_DAYS)))
        return {"test_due_at": [None, row.test_due_at.isoformat()]}

    return _transition(actor=SYSTEM, application=application, action=A.MARK_DELIVERED, comment=comment, before=before)


def application_complete_termination(*, application: Application, comment: str = "") -> Application:
    def before(row: Application):
        row.closed_at = timezone.now()
        return None

    return _transition(
        actor=SYSTEM, application=application, action=A.COMPLETE_TERMINATION, comment=comment, before=before
    )


def application_report_defects(*, actor: Actor, application: Application, defects: str) -> Application:
    """The acceptance test failed: the work orders go back to the provider with a new due time."""
    defects = _required(defects, "defects", _("Describe what does not work."))

    def before(row: Application):
        deadline = deadline_from(timezone.now(), delivery_working_days(row.environment))
        row.delivery_due_at = deadline.due
        row.delivery_due_provisional = deadline.provisional
        row.test_due_at = None
        return {"delivery_due_at": [None, deadline.due.isoformat()]}

    def after(row: Application):
        reopened = work_orders_reopen(
            actor=actor,
            application=row,
            reason=defects,
            due_at=row.delivery_due_at,
            due_provisional=row.delivery_due_provisional,
        )
        return {"reopened": [None, [o.number for o in reopened]]}

    return _transition(
        actor=actor, application=application, action=A.REPORT_DEFECTS, comment=defects, before=before, after=after
    )


def application_accept_delivery(*, actor: Actor, application: Application, comment: str = "") -> Application:
    """开通: the department accepts the delivery; its resources go into service and metering starts
    now. Refused, with every reason, while a gate is closed (Art. 11, Annex 1)."""

    def before(row: Application):
        verdict = go_live_verdict(row)
        if not verdict.cleared:
            raise ValidationError(verdict.reasons)
        row.in_service_at = timezone.now()
        row.closed_at = row.in_service_at
        return None

    def after(row: Application):
        activated = []
        for resource in Resource.objects.filter(origin_application=row, state=ResourceState.TESTING).order_by("pk"):
            resource_activate(actor=actor, resource=resource, application=row, at=row.in_service_at)
            activated.append(resource.code)
        return {"activated": [None, activated]}

    return _transition(
        actor=actor, application=application, action=A.ACCEPT_DELIVERY, comment=comment, before=before, after=after
    )


def application_confirm_change(*, actor: Actor, application: Application, comment: str = "") -> Application:
    def before(row: Application):
        row.closed_at = timezone.now()
        return None

    return _transition(actor=actor, application=application, action=A.CONFIRM_CHANGE, comment=comment, before=before)


# The steps a person takes with just a comment, by action (pages and the API share it).
COMMENT_STEPS: dict[str, Callable[..., Application]] = {
    A.SUBMIT: application_submit,
    A.SIGN_OFF: application_sign_off,
    A.ACCEPT: application_accept,
    A.CANCEL: application_cancel,
    A.ACCEPT_DELIVERY: application_accept_delivery,
    A.CONFIRM_CHANGE: application_confirm_change,
}
# The steps whose text is required, and under which name.
REASON_STEPS: dict[str, tuple[Callable[..., Application], str]] = {
    A.SEND_BACK: (application_send_back, "comment"),
    A.RETURN: (application_return, "reasons"),
    A.REJECT: (application_reject, "reasons"),
    A.REPORT_DEFECTS: (application_report_defects, "defects"),
}


def run_step(*, actor: Actor, application: Application, action: str, text: str = "") -> Application:
    """One of the department's or the center's steps that takes only a text (approve has its own)."""
    if action in COMMENT_STEPS:
        return COMMENT_STEPS[action](actor=actor, application=application, comment=text)
    if action in REASON_STEPS:
        service, name = REASON_STEPS[action]
        return service(actor=actor, application=application, **{name: text})
    raise ValidationError(_("Unknown step."))
