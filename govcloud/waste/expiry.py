"""Expiry (到期回收, Art. 19): a resource is kept as long as the department said it needs it.

A resource's term is the latest `needed_until` of the items that gave or changed it — the new-
resources item of its application of origin (same catalog item), and every completed change of it
(a change may extend the term) — or, for a test-environment resource without one, the day it went
into service plus `Policy.TEST_ENVIRONMENT_TERM_DAYS` (the test period).

`expiry_sweep` (daily) follows each term from the first warning on:
- `EXPIRY_FIRST_WARNING_DAYS` and `EXPIRY_SECOND_WARNING_DAYS` before: the department is warned
  (once per warning; a resource first seen late gets only the latest warning due);
- on the day: a termination application is DRAFTED by the platform (through the applications
  service, on behalf of the department's applicant) for the department to confirm — nothing is
  reclaimed without the department's confirmation or the center;
- the department confirms (submits the draft), or extends (a change application of the term,
  `expiry_extend`), within `EXPIRY_GRACE_DAYS`; after that the reclamation is escalated to the
  center, which takes it up with the department.
A term that moved later (the extension completed) ends the old record as extended; a resource
terminated closes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from govcloud.applications.models import (
    Application,
    ApplicationItem,
    ApplicationKind,
    ApplicationState,
    Environment,
    TerminationMode,
)
from govcloud.applications.services import (
    ItemInput,
    application_cancel,
    application_create,
    application_submit,
)
from govcloud.audit.services import audit_record
from govcloud.core.actors import SYSTEM, Actor, platform_actor_name
from govcloud.core.errors import StateConflict
from govcloud.core.permissions import require_role
from govcloud.core.policy import Policy, policy_value
from govcloud.core.roles import Role
from govcloud.core.scoping import Action, get_scoped_or_404
from govcloud.ledger.models import Resource, ResourceState
from govcloud.notifications.models import Severity
from govcloud.notifications.services import notify, users_with_roles
from govcloud.waste.models import ADVICE_DECIDERS, OPEN_EXPIRY_STATES, Expiry, ExpiryState

NOTIFY_KIND = "waste.expiry"
DRAFTERS = (Role.DEPARTMENT_APPLICANT, Role.DEPARTMENT_HEAD)


@dataclass(frozen=True)
class Term:
    needed_until: date
    test_environment: bool


def resource_terms(resource_ids: list[int] | None = None) -> dict[int, Term]:
    """{resource id: its term} for the resources in service that have one: three queries."""
    resources = Resource.objects.filter(state=ResourceState.IN_SERVICE)
    if resource_ids is not None:
        resources = resources.filter(pk__in=resource_ids)
    rows = list(
        resources.values(
            "pk", "catalog_item_id", "origin_application_id", "origin_application__environment", "in_service_at"
        )
    )
    terms: dict[int, date] = {}
    origin = {(r["origin_application_id"], r["catalog_item_id"]): [] for r in rows if r["origin_application_id"]}
    for app_id, item_id, until in ApplicationItem.objects.filter(
        application_id__in={a for a, _i in origin},
        application__kind=ApplicationKind.NEW,
        needed_until__isnull=False,
    ).values_list("application_id", "catalog_item_id", "needed_until"):
        if (app_id, item_id) in origin:
            origin[(app_id, item_id)].append(until)
    for r in rows:
        dates = origin.get((r["origin_application_id"], r["catalog_item_id"]))
        if dates:
            terms[r["pk"]] = max(dates)
    # A completed change may extend the term: the latest date wins.
    for resource_id, until in ApplicationItem.objects.filter(
        target_resource_id__in=[r["pk"] for r in rows],
        application__kind=ApplicationKind.CHANGE,
        application__state=ApplicationState.COMPLETED,
        needed_until__isnull=False,
    ).values_list("target_resource_id", "needed_until"):
        terms[resource_id] = max(terms.get(resource_id, until), until)
    result = {pk: Term(day, False) for pk, day in terms.items()}
    test_days = int(policy_value(Policy.TEST_ENVIRONMENT_TERM_DAYS))
    for r in rows:
        if r["pk"] not in result and r["origin_application__environment"] == Environment.TEST and r["in_service_at"]:
            start = timezone.localtime(r["in_service_at"]).date()
            result[r["pk"]] = Term(start + timedelta(days=test_days), True)
    return result


@dataclass
class SweepResult:
    warned: int = 0
    drafted: list[int] = field(default_factory=list)
    escalated: int = 0
    confirmed: int = 0
    extended: int = 0
    closed: int = 0


def _warning_days() -> list[int]:
    return sorted(
        {int(policy_value(Policy.EXPIRY_FIRST_WARNING_DAYS)), int(policy_value(Policy.EXPIRY_SECOND_WARNING_DAYS))},
        reverse=True,
    )


def _link(expiry: Expiry) -> str:
    return reverse("waste:expiry_detail", kwargs={"pk": expiry.pk})


def _department(resource: Resource):
    ids = [int(x) for x in resource.organization.path.strip("/").split("/") if x]
    return users_with_roles(DRAFTERS).filter(organization_id__in=ids, organization__depth__gt=0)


def _owner(resource: Resource):
    """The department's person a drafted termination belongs to: whoever applied for the resource,
    else an applicant of the department."""
    origin = resource.origin_application
    if origin is not None and origin.created_by.is_active:
        return origin.created_by
    return _department(resource).filter(role_assignments__role=Role.DEPARTMENT_APPLICANT).order_by("pk").first()


def _draft_termination(expiry: Expiry, today: date) -> Application | None:
    resource = expiry.resource
    owner = _owner(resource)
    if owner is None or resource.system_id is None:
        return None
    origin = resource.origin_application
    grace = int(policy_value(Policy.EXPIRY_GRACE_DAYS))
    return application_create(
        actor=SYSTEM,
        on_behalf_of=owner,
        kind=ApplicationKind.TERMINATION,
        items=[ItemInput(target_resource=resource)],
        system=resource.system,
        purpose=_("The term of %(code)s ended on %(day)s (needed until): termination drafted by the platform.")
        % {"code": resource.code, "day": expiry.needed_until.isoformat()},
        environment=origin.environment if origin else Environment.PRODUCTION,
        contact_name=(origin.contact_name if origin else owner.full_name or owner.username)[:60],
        contact_phone=(origin.contact_phone if origin else "") or getattr(owner, "phone", "") or "",
        termination_mode=TerminationMode.HANDOVER,
        termination_date=max(today, expiry.needed_until) + timedelta(days=grace),
    )


def _warn(expiry: Expiry, days_left: int) -> int:
    resource = expiry.resource
    if days_left > 0:
        title = _("%(code)s is needed until %(day)s: %(n)d days left — extend the term or let it be terminated") % {
            "code": resource.code,
            "day": expiry.needed_until.isoformat(),
            "n": days_left,
        }
    else:
        title = _("%(code)s reached its needed-until date %(day)s: confirm the drafted termination or extend") % {
            "code": resource.code,
            "day": expiry.needed_until.isoformat(),
        }
    return notify(
        recipients=list(_department(resource)),
        kind=NOTIFY_KIND,
        title=title,
        link=_link(expiry),
        severity=Severity.WARNING,
        dedupe_key=f"expiry:{expiry.pk}:{days_left if days_left <= 0 else 'w' + str(days_left)}",
    )


def expiry_sweep(*, actor: Actor = SYSTEM, today: date | None = None) -> SweepResult:
    """The daily pass over the terms (see the module docstring). Queries grow with the resources
    that are due only (each warning and draft is one resource's business), not with the ledger."""
    require_role(actor, {Role.CENTER_ADMIN})  # the platform's job, or the center on demand
    today = today or timezone.localdate()
    warnings = _warning_days()
    first = warnings[0]
    grace = int(policy_value(Policy.EXPIRY_GRACE_DAYS))
    result = SweepResult()
    terms = resource_terms()
    open_rows = {
        e.resource_id: e
        for e in Expiry.objects.filter(state__in=OPEN_EXPIRY_STATES).select_related(
            "resource__organization", "termination_application", "extension_application"
        )
    }
    # Open records whose resource is gone, or whose term moved later (an extension completed).
    for resource_id, expiry in list(open_rows.items()):
        term = terms.get(resource_id)
        if (
            expiry.resource.state == ResourceState.TERMINATED
            or term is None
            and expiry.resource.state != ResourceState.IN_SERVICE
        ):
            _close(expiry, ExpiryState.CLOSED, "expiry.close")
            result.closed += 1
            del open_rows[resource_id]
        elif term is not None and term.needed_until > expiry.needed_until:
            _close(expiry, ExpiryState.EXTENDED, "expiry.extended")
            result.extended += 1
            del open_rows[resource_id]
    due = {rid: t for rid, t in terms.items() if (t.needed_until - today).days <= first}
    new = [rid for rid in due if rid not in open_rows]
    if new:
        now = timezone.now()
        Expiry.objects.bulk_create(
            [
                Expiry(
                    resource_id=rid,
                    needed_until=due[rid].needed_until,
                    test_environment=due[rid].test_environment,
                    created_at=now,
                )
                for rid in new
            ],
            ignore_conflicts=True,
        )
        for e in Expiry.objects.filter(resource_id__in=new, state__in=OPEN_EXPIRY_STATES).select_related(
            "resource__organization", "termination_application", "extension_application"
        ):
            open_rows[e.resource_id] = e
    for expiry in open_rows.values():
        _step(expiry, today, warnings, grace, result)
    return result


def _close(expiry: Expiry, state: str, action: str) -> None:
    with transaction.atomic():
        before = expiry.state
        expiry.state = state
        expiry.closed_at = timezone.now()
        expiry.save(update_fields=["state", "closed_at"])
        termination = expiry.termination_application
        if state == ExpiryState.EXTENDED and termination is not None and termination.state == ApplicationState.DRAFT:
            application_cancel(actor=SYSTEM, application=termination, comment=_("The term was extended."))
        audit_record(
            actor=SYSTEM,
            action=action,
            target=expiry,
            changes={"state": [before, state]},
            subject_organization_path=expiry.resource.organization.path,
        )


def _step(expiry: Expiry, today: date, warnings: list[int], grace: int, result: SweepResult) -> None:
    days_left = (expiry.needed_until - today).days
    if expiry.state == ExpiryState.UPCOMING:
        due_warnings = [d for d in warnings if days_left <= d]
        unsent = [d for d in due_warnings if d not in expiry.warned_days]
        if days_left > 0 and unsent:
            # Only the latest warning due: a resource first seen 5 days before gets one, not two.
            _warn(expiry, min(due_warnings))
            expiry.warned_days = sorted(set(expiry.warned_days) | set(due_warnings), reverse=True)
            expiry.save(update_fields=["warned_days"])
            result.warned += 1
        if days_left <= 0:
            with transaction.atomic():
                application = _draft_termination(expiry, today)
                expiry.state = ExpiryState.DUE
                expiry.drafted_at = timezone.now()
                expiry.grace_until = max(today, expiry.needed_until) + timedelta(days=grace)
                expiry.termination_application = application
                expiry.save(update_fields=["state", "drafted_at", "grace_until", "termination_application"])
                audit_record(
                    actor=SYSTEM,
                    action="expiry.draft_termination",
                    target=expiry,
                    message=application.number if application else _("No applicant to draft for: the center is told."),
                    changes={"state": [ExpiryState.UPCOMING, ExpiryState.DUE]},
                    subject_organization_path=expiry.resource.organization.path,
                )
            _warn(expiry, 0)
            result.drafted.append(expiry.pk)
        return
    if expiry.state == ExpiryState.DUE:
        termination = expiry.termination_application
        if termination is not None and termination.state not in (ApplicationState.DRAFT, ApplicationState.CANCELLED):
            _close(expiry, ExpiryState.CONFIRMED, "expiry.confirmed")
            result.confirmed += 1
            return
        extension = expiry.extension_application
        extending = extension is not None and extension.state not in (
            ApplicationState.CANCELLED,
            ApplicationState.REJECTED,
        )
        if not extending and expiry.grace_until is not None and today > expiry.grace_until:
            with transaction.atomic():
                expiry.state = ExpiryState.ESCALATED
                expiry.escalated_at = timezone.now()
                expiry.save(update_fields=["state", "escalated_at"])
                audit_record(
                    actor=SYSTEM,
                    action="expiry.escalate",
                    target=expiry,
                    changes={"state": [ExpiryState.DUE, ExpiryState.ESCALATED]},
                    subject_organization_path=expiry.resource.organization.path,
                )
            notify(
                recipients=list(users_with_roles({Role.CENTER_ADMIN})),
                kind=NOTIFY_KIND,
                title=_("%(code)s (%(org)s): the term ended on %(day)s and nobody confirmed or extended — reclaim it")
                % {
                    "code": expiry.resource.code,
                    "org": expiry.resource.organization.name,
                    "day": expiry.needed_until.isoformat(),
                },
                link=_link(expiry),
                severity=Severity.DANGER,
                dedupe_key=f"expiry:{expiry.pk}:escalated",
            )
            result.escalated += 1
        return
    if expiry.state == ExpiryState.ESCALATED:
        termination = expiry.termination_application
        if termination is not None and termination.state not in (ApplicationState.DRAFT, ApplicationState.CANCELLED):
            _close(expiry, ExpiryState.CONFIRMED, "expiry.confirmed")
            result.confirmed += 1


# --- The department's answers ---------------------------------------------------------------------


def _lock(actor: Actor, expiry: Expiry) -> Expiry:
    require_role(actor, ADVICE_DECIDERS)
    return get_scoped_or_404(
        Expiry.objects.select_for_update(of=("self",)).select_related(
            "resource__organization", "resource__system", "resource__origin_application", "termination_application"
        ),
        actor,
        Action.CHANGE,
        pk=expiry.pk,
    )


def expiry_confirm(*, actor: Actor, expiry: Expiry) -> Application:
    """The department confirms the drafted termination: it is submitted like any application (the
    head signs it off, the center approves, the provider reclaims)."""
    with transaction.atomic():
        row = _lock(actor, expiry)
        termination = row.termination_application
        if row.state not in (ExpiryState.DUE, ExpiryState.ESCALATED) or termination is None:
            raise StateConflict(_("There is no drafted termination to confirm."))
        if termination.state != ApplicationState.DRAFT:
            raise StateConflict(_("The termination application is no longer a draft."))
        application = application_submit(
            actor=actor, application=termination, comment=_("Termination at the end of the term confirmed.")
        )
        before = row.state
        row.state = ExpiryState.CONFIRMED
        row.closed_at = timezone.now()
        row.save(update_fields=["state", "closed_at"])
        audit_record(
            actor=actor,
            action="expiry.confirm",
            target=row,
            message=application.number,
            changes={"state": [before, ExpiryState.CONFIRMED]},
            subject_organization_path=row.resource.organization.path,
        )
    return application


def expiry_extend(*, actor: Actor, expiry: Expiry, needed_until: date, reason: str = "") -> Application:
    """The department still needs the resource: a DRAFT change application of its term (a change may
    extend it, `applications` clean_item), which goes through the center like any change; a drafted
    termination is withdrawn. The record stays open until the change is completed."""
    if needed_until is None:
        raise ValidationError({"needed_until": _("Give the new needed-until date.")})
    with transaction.atomic():
        row = _lock(actor, expiry)
        if not row.is_open:
            raise StateConflict(_("The term is no longer open."))
        if needed_until <= max(row.needed_until, timezone.localdate()):
            raise ValidationError({"needed_until": _("The new date must be later than the current term and today.")})
        if row.extension_application is not None and row.extension_application.state not in (
            ApplicationState.CANCELLED,
            ApplicationState.REJECTED,
        ):
            raise StateConflict(_("An extension is already in progress."))
        termination = row.termination_application
        if termination is not None and termination.state == ApplicationState.DRAFT:
            application_cancel(actor=actor, application=termination, comment=_("The department extends the term."))
        resource = row.resource
        origin = resource.origin_application
        phone = (getattr(actor, "phone", "") or "").strip() or (origin.contact_phone if origin else "")
        application = application_create(
            actor=actor,
            kind=ApplicationKind.CHANGE,
            items=[ItemInput(target_resource=resource, needed_until=needed_until)],
            system=resource.system,
            purpose=(reason or "").strip()
            or _("Extend the term of %(code)s to %(day)s.") % {"code": resource.code, "day": needed_until.isoformat()},
            environment=origin.environment if origin else Environment.PRODUCTION,
            contact_name=platform_actor_name(actor)[:60],
            contact_phone=phone,
        )
        row.extension_application = application
        row.save(update_fields=["extension_application"])
        audit_record(
            actor=actor,
            action="expiry.extend",
            target=row,
            message=application.number,
            changes={"needed_until": [row.needed_until.isoformat(), needed_until.isoformat()]},
            subject_organization_path=resource.organization.path,
        )
    return application


def expiry_sweep_now(*, now: datetime | None = None) -> SweepResult:
    """The task's entry (actor SYSTEM)."""
    return expiry_sweep(actor=SYSTEM, today=timezone.localdate(now) if now else None)
