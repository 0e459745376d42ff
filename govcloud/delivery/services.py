"""The provider's work orders (Art. 7, 10): created when the center approves an application, one per
approved item; claimed, noted and completed by the provider's staff; reopened when the department's
acceptance test fails.

Completing an order writes the ledger — new resources in testing (provision), the new spec (change),
the end of service (terminate) — and, when it was the application's last open order, sends
`application_work_done` so that the workflow moves on. Each write: role + scope check, row lock, one
audit event, the order's log entry and the `work_order_event` signal for the application's timeline.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govcloud.catalog.models import CatalogItem, Dimension, NetworkKind
from govcloud.catalog.specs import validate_spec
from govcloud.core.actors import SYSTEM, Actor, is_system, platform_actor_name
from govcloud.core.errors import StateConflict
from govcloud.core.permissions import require_role
from govcloud.core.policy import Policy, policy_value
from govcloud.core.roles import Role
from govcloud.delivery.drivers import Step, driver_for, get_driver
from govcloud.delivery.models import (
    DONE_STATES,
    EvidenceState,
    NoteKind,
    TerminationEvidence,
    WorkOrder,
    WorkOrderKind,
    WorkOrderNote,
    WorkOrderState,
)
from govcloud.delivery.records import (
    OPERATORS,
    work_order_audit,
    work_order_check_scope,
    work_order_link,
    work_order_lock,
    work_order_log,
)
from govcloud.delivery.signals import application_work_done, work_order_event
from govcloud.ledger.models import Resource, ResourceState
from govcloud.ledger.services import (
    resource_change,
    resource_change_cancel,
    resource_correct,
    resource_deliver,
    resource_terminate,
)
from govcloud.notifications.models import Severity
from govcloud.notifications.services import notify, users_with_roles

logger = logging.getLogger(__name__)

MAX_NOTE = 4000


def _next_number(prefix: str, year: int) -> str:
    head = f"{prefix}-{year}-"
    last = (
        WorkOrder.objects.filter(number__startswith=head).order_by("-number").values_list("number", flat=True).first()
    )
    return f"{head}{(int(last.rsplit('-', 1)[1]) + 1) if last else 1:05d}"


# --- Creating orders (called by the application workflow on approval) ---------------------------


def work_orders_create(*, actor: Actor, steps: Iterable[Step], driver: str | None = None) -> list[WorkOrder]:
    """One work order per step, through the driver (`driver`, or the one settings.DELIVERY_DRIVERS
    chooses for the step's catalog item and region). Runs inside the caller's transaction (the
    approval), so an approval never exists without its orders."""
    orders = []
    with transaction.atomic():
        for step in steps:
            chosen = get_driver(driver or driver_for(step.item.catalog_item))
            year = timezone.localdate().year
            for _attempt in range(5):
                try:
                    with transaction.atomic():
                        order = chosen.submit(
                            step,
                            number=_next_number("GD", year),
                            actor_name=platform_actor_name(actor),
                        )
                    break
                except IntegrityError:  # a concurrent approval took the number: take the next one
                    continue
            else:  # pragma: no cover - five collisions in a row
                raise ValidationError(_("Could not number the work order; try again."))
            work_order_audit(
                actor=actor,
                action="work_order.create",
                order=order,
                changes={"kind": [None, order.kind], "due_at": [None, order.due_at.isoformat()]},
            )
            due = timezone.localtime(order.due_at).strftime("%Y-%m-%d %H:%M")
            work_order_event.send(
                sender=WorkOrder,
                work_order=order,
                action=NoteKind.CREATED,
                actor=actor,
                comment=_("%(item)s, due %(due)s") % {"item": order.item.catalog_item.name, "due": due},
            )
            orders.append(order)
    return orders


# --- The provider's steps -----------------------------------------------------------------------


def work_order_claim(*, actor: Actor, work_order: WorkOrder) -> WorkOrder:
    """The operator takes the order (or takes it over from a colleague)."""
    work_order_check_scope(actor, work_order)
    require_role(actor, OPERATORS)
    with transaction.atomic():
        order = work_order_lock(work_order)
        # A failed automatic order can be taken over and finished by hand.
        if order.state not in (WorkOrderState.OPEN, WorkOrderState.CLAIMED, WorkOrderState.FAILED):
            raise StateConflict(_("Only an open work order can be claimed."))
        if order.state == WorkOrderState.CLAIMED and order.claimed_by_id == getattr(actor, "pk", None):
            raise ValidationError(_("You have already claimed this work order."))
        before = {"state": order.state, "claimed_by": order.claimed_by_id}
        previous = order.claimed_by
        order.state = WorkOrderState.CLAIMED
        order.claimed_by = None if is_system(actor) else actor
        order.claimed_at = timezone.now()
        order.save(update_fields=["state", "claimed_by", "claimed_at", "updated_at"])
        text = (
            _("Taken over from %(name)s.") % {"name": previous.full_name or previous.username}
            if previous is not None and previous != order.claimed_by
            else ""
        )
        work_order_log(order, actor, NoteKind.CLAIMED, text)
        work_order_audit(
            actor=actor,
            action="work_order.claim",
            order=order,
            changes={
                "state": [before["state"], order.state],
                "claimed_by": [before["claimed_by"], order.claimed_by_id],
            },
        )
    return order


def work_order_note(*, actor: Actor, work_order: WorkOrder, text: str) -> WorkOrderNote:
    """A progress note the department and the center read on the order and the application."""
    work_order_check_scope(actor, work_order)
    require_role(actor, OPERATORS)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the note.")})
    if len(text) > MAX_NOTE:
        raise ValidationError({"text": _("Keep the note under %(n)d characters.") % {"n": MAX_NOTE}})
    with transaction.atomic():
        order = work_order_lock(work_order)
        if order.state == WorkOrderState.CANCELLED:
            raise ValidationError(_("The work order is cancelled."))
        note = work_order_log(order, actor, NoteKind.NOTE, text)
        work_order_audit(actor=actor, action="work_order.note", order=order, message=text[:200])
    return note


# --- Completing: what was delivered, checked against what was approved --------------------------


def _addresses(raw: Any, where: str, errors: list[str]) -> list[dict]:
    cleaned = []
    for entry in raw or []:
        if not isinstance(entry, Mapping):
            errors.append(_("%(where)s: an address must be an object with network and address.") % {"where": where})
            continue
        network = str(entry.get("network") or NetworkKind.EXTRANET)
        if network not in NetworkKind.values:
            errors.append(
                _("%(where)s: network “%(value)s” is not one of %(allowed)s.")
                % {"where": where, "value": network, "allowed": ", ".join(NetworkKind.values)}
            )
            continue
        try:
            ip = ipaddress.ip_address(str(entry.get("address", "")).strip())
        except ValueError:
            errors.append(
                _("%(where)s: “%(value)s” is not an IP address.") % {"where": where, "value": entry.get("address")}
            )
            continue
        if network == NetworkKind.INTERNET and (not ip.is_global or ip.is_multicast):
            errors.append(_("%(where)s: %(value)s is not a public internet address.") % {"where": where, "value": ip})
            continue
        address = str(ip)
        domain = str(entry.get("domain") or "").strip()[:253]
        cleaned.append({"network": network, "address": address, "domain": domain})
    return cleaned


def _spec_of(item: CatalogItem, raw: Any, approved: Mapping[str, Any], where: str, errors: list[str]) -> dict:
    if not isinstance(raw, Mapping):
        errors.append(_("%(where)s: the specification is missing.") % {"where": where})
        return {}
    try:
        spec = validate_spec(item, raw, allow_retired=True)
    except ValidationError as exc:
        messages = [m for values in exc.message_dict.values() for m in values]
        errors.extend(f"{where}: {m}" for m in messages)
        return {}
    if spec != dict(approved):
        differing = sorted(k for k in set(spec) | set(approved) if spec.get(k) != approved.get(k))
        errors.append(
            _("%(where)s: the delivered specification differs from the approved one (%(fields)s).")
            % {
                "where": where,
                "fields": ", ".join(str(Dimension(k).label) if k in Dimension.values else k for k in differing),
            }
        )
    return spec


def _clean_provision(order: WorkOrder, entries: list, errors: list[str]) -> list[dict]:
    item = order.item
    catalog_item = item.catalog_item
    quantity = item.approved_quantity or 0
    if len(entries) != quantity:
        errors.append(_("Record exactly %(n)d delivered resource(s): the approved quantity.") % {"n": quantity})
        return []
    cleaned, names = [], set()
    wanted_public = item.approved_spec.get(Dimension.PUBLIC_ADDRESSES) if item.approved_spec else None
    for index, entry in enumerate(entries, start=1):
        where = _("Resource %(n)d") % {"n": index}
        if not isinstance(entry, Mapping):
            errors.append(_("%(where)s: expected an object.") % {"where": where})
            continue
        name = str(entry.get("name") or "").strip()
        if not name:
            errors.append(_("%(where)s: give the resource's name.") % {"where": where})
        elif len(name) > 200:
            errors.append(_("%(where)s: the name is longer than 200 characters.") % {"where": where})
        elif name in names:
            errors.append(_("%(where)s: the name “%(name)s” is used twice.") % {"where": where, "name": name})
        names.add(name)
        spec = _spec_of(catalog_item, entry.get("spec"), item.approved_spec or {}, where, errors)
        addresses = _addresses(entry.get("addresses"), where, errors)
        if wanted_public is not None:
            public = [a for a in addresses if a["network"] == NetworkKind.INTERNET]
            if len(public) != int(wanted_public):
                errors.append(
                    _("%(where)s: record the %(n)s public (internet) address(es) that were approved.")
                    % {"where": where, "n": wanted_public}
                )
        ref = str(entry.get("provider_ref") or "").strip()
        if len(ref) > 120:
            errors.append(_("%(where)s: the provider reference is longer than 120 characters.") % {"where": where})
        cleaned.append({"name": name, "spec": spec, "addresses": addresses, "provider_ref": ref})
    return cleaned


def _deliver(
    order: WorkOrder, actor: Actor, entries: list[dict], now: datetime, codes: list[str] | None = None
) -> list[dict]:
    """Write the ledger for a provision order. After a failed acceptance test the order is completed
    again: the resources delivered the first time are corrected in place (still in testing, never
    billed yet) rather than delivered twice."""
    previous = [e.get("resource_id") for e in order.delivered or [] if e.get("resource_id")]
    testing = Resource.objects.filter(pk__in=previous, state=ResourceState.TESTING).in_bulk()
    old = [testing[pk] for pk in previous if pk in testing]
    why = _("Redelivered after a failed acceptance test (work order %(n)s).") % {"n": order.number}
    result = []
    for index, entry in enumerate(entries):
        resource = old[index] if index < len(old) else None
        if resource is None:
            resource = resource_deliver(
                actor=actor,
                application=order.application,
                catalog_item=order.item.catalog_item,
                spec=entry["spec"],
                name=entry["name"],
                addresses=entry["addresses"],
                provider_ref=entry["provider_ref"],
                at=now,
                code=codes[index] if codes and index < len(codes) else "",
            )
        else:
            if resource.spec != entry["spec"]:
                resource = resource_change(
                    actor=actor, resource=resource, spec=entry["spec"], application=order.application, at=now, note=why
                )
            details = {"name": entry["name"], "addresses": entry["addresses"], "provider_ref": entry["provider_ref"]}
            if any(getattr(resource, k) != v for k, v in details.items()):
                resource = resource_correct(actor=actor, resource=resource, note=why, **details)
        result.append({**entry, "resource_id": resource.pk, "resource": resource.code})
    for extra in old[len(entries) :]:
        resource_terminate(actor=actor, resource=extra, application=order.application, at=now, note=why)
    return result


def work_order_complete(
    *,
    actor: Actor,
    work_order: WorkOrder,
    delivered: list | None = None,
    note: str = "",
    codes: list[str] | None = None,
) -> WorkOrder:
    """Record what was delivered and write the ledger.

    - provision: `delivered` lists each resource — name, spec, addresses ([{network, address,
      domain}]), provider_ref — exactly the approved quantity, each spec equal to the approved one;
      the resources enter the ledger in testing (not billed until the department accepts);
    - change: one entry whose spec equals the approved one; the resource gets it from now;
    - terminate: only once the department has confirmed the evidence of the data's handling
      (govcloud.delivery.evidence, which then completes the order); `note` records it and the
      resource's service (and metering) ends now. Not before the termination date asked for.

    `codes` (automatic fulfilment only): the ledger codes reserved for the new resources, which are
    also their names in the cloud.
    """
    work_order_check_scope(actor, work_order)
    require_role(actor, OPERATORS)
    delivered = list(delivered or [])
    note = (note or "").strip()
    with transaction.atomic():
        order = work_order_lock(work_order)
        if order.state == WorkOrderState.OPEN:
            raise ValidationError(_("Claim the work order before completing it."))
        if order.state != WorkOrderState.CLAIMED:
            raise ValidationError(_("Only a work order in progress can be completed."))
        if not is_system(actor) and order.claimed_by_id != actor.pk:
            raise ValidationError(_("This work order is claimed by someone else: take it over first."))
        item = (
            type(order.item)
            .objects.select_related("catalog_item", "target_resource")
            .prefetch_related("catalog_item__options", "catalog_item__ranges")
            .get(pk=order.item_id)
        )
        order.item = item
        now = timezone.now()
        errors: list[str] = []
        changes: dict[str, Any] = {"state": [order.state, WorkOrderState.COMPLETED]}
        if order.kind == WorkOrderKind.PROVISION:
            entries = _clean_provision(order, delivered, errors)
            if errors:
                raise ValidationError({"delivered": errors})
            record = _deliver(order, actor, entries, now, codes)
            summary = ", ".join(e["resource"] for e in record)
        elif order.kind == WorkOrderKind.CHANGE:
            if len(delivered) != 1:
                raise ValidationError({"delivered": [_("Record the one changed resource.")]})
            where = _("Resource %(n)d") % {"n": 1}
            spec = _spec_of(item.catalog_item, delivered[0].get("spec"), item.approved_spec or {}, where, errors)
            if errors:
                raise ValidationError({"delivered": errors})
            resource = Resource.objects.get(pk=item.target_resource_id)
            if resource.spec != spec:
                resource_change(
                    actor=actor,
                    resource=resource,
                    spec=spec,
                    application=order.application,
                    at=now,
                    note=note or order.number,
                )
            elif resource.state == ResourceState.CHANGING:
                # Only the term was extended: the resource is back in service as it was.
                resource_change_cancel(
                    actor=actor, resource=resource, application=order.application, at=now, note=note or order.number
                )
            record = [{"resource_id": resource.pk, "resource": resource.code, "spec": spec}]
            summary = resource.code
        else:
            # Art. 18: the data's end is the department's to confirm — a destruction certificate or
            # the receipt of its data, confirmed (govcloud.delivery.evidence) — before service ends.
            evidence = TerminationEvidence.objects.filter(work_order=order).first()
            if evidence is None or evidence.state != EvidenceState.CONFIRMED:
                raise StateConflict(
                    _(
                        "The department has not yet confirmed the destruction certificate or the receipt of its "
                        "data: the order completes on its confirmation."
                    )
                )
            if not note:
                raise ValidationError(
                    {"note": _("Record how the data was handed back or destroyed (the record or certificate).")}
                )
            day = order.application.termination_date
            if day and timezone.localdate() < day:
                raise ValidationError(
                    _("The department asked for termination on %(day)s: not before.") % {"day": day.isoformat()}
                )
            resource = item.target_resource
            resource_terminate(actor=actor, resource=resource, application=order.application, at=now, note=note)
            record = [{"resource_id": resource.pk, "resource": resource.code, "note": note}]
            summary = resource.code
        order.state = WorkOrderState.COMPLETED
        order.completed_at = now
        order.completed_by_name = platform_actor_name(actor)
        order.delivered = record
        order.attempts += 1
        order.save()
        text = f"{summary}. {note}".strip() if note else summary
        work_order_log(order, actor, NoteKind.COMPLETED, text)
        work_order_audit(actor=actor, action="work_order.complete", order=order, changes=changes, message=summary)
        remaining = (
            WorkOrder.objects.filter(application_id=order.application_id).exclude(state__in=DONE_STATES).exists()
        )
        if not remaining:
            application_work_done.send(sender=WorkOrder, application_id=order.application_id, actor=actor)
    return order


# --- Back to the provider after a failed acceptance test ---------------------------------------


def work_orders_reopen(
    *, actor: Actor, application, reason: str, due_at: datetime, due_provisional: bool
) -> list[WorkOrder]:
    """Reopen the application's completed provision and change orders with a new due time. Called by
    the workflow (which has checked the department's role and scope) inside its transaction."""
    reopened = []
    with transaction.atomic():
        orders = (
            WorkOrder.objects.select_for_update(of=("self",))
            .select_related("application", "application__organization")
            .filter(
                application_id=application.pk,
                state=WorkOrderState.COMPLETED,
                kind__in=[WorkOrderKind.PROVISION, WorkOrderKind.CHANGE],
            )
            .order_by("pk")
        )
        for order in orders:
            before = order.state
            order.state = WorkOrderState.OPEN
            order.claimed_by = None
            order.claimed_at = None
            order.completed_at = None
            order.due_at = due_at
            order.due_provisional = due_provisional
            order.reopened_at = timezone.now()
            order.save()
            work_order_log(order, actor, NoteKind.REOPENED, reason)
            work_order_audit(
                actor=actor,
                action="work_order.reopen",
                order=order,
                changes={"state": [before, order.state], "due_at": [None, due_at.isoformat()]},
                message=reason[:200],
            )
            reopened.append(order)
    return reopened


# --- Deadlines (Art. 10) ------------------------------------------------------------------------


def _center_admins():
    return users_with_roles({Role.CENTER_ADMIN})


def work_order_deadlines_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Warn the provider DEADLINE_WARNING_HOURS before an open order is due, and escalate to the
    center administrators once it is overdue. One notification per order, deadline and kind (a new
    due time after a reopen warns again)."""
    now = now or timezone.now()
    hours = int(policy_value(Policy.DEADLINE_WARNING_HOURS))
    sent = {"warned": 0, "escalated": 0}
    orders = (
        WorkOrder.objects.filter(
            state__in=[WorkOrderState.OPEN, WorkOrderState.CLAIMED], due_at__lte=now + timedelta(hours=hours)
        )
        .select_related("application", "application__organization", "claimed_by")
        .order_by("due_at", "pk")
    )
    operators = list(users_with_roles(OPERATORS))
    admins = list(_center_admins())
    for order in orders:
        due = timezone.localtime(order.due_at)
        stamp = f"{due:%Y%m%d%H%M}"
        link = work_order_link(order)
        context = {"number": order.number, "due": f"{due:%Y-%m-%d %H:%M}", "org": order.application.organization.name}
        try:
            if order.due_at <= now:
                count = notify(
                    recipients=[*admins, *([order.claimed_by] if order.claimed_by else operators)],
                    kind="delivery.overdue",
                    title=_("Work order %(number)s for %(org)s is overdue (due %(due)s)") % context,
                    link=link,
                    severity=Severity.DANGER,
                    dedupe_key=f"delivery.overdue:{order.pk}:{stamp}",
                )
                if count:
                    sent["escalated"] += 1
                    work_order_audit(actor=SYSTEM, action="work_order.overdue", order=order, message=context["due"])
            else:
                count = notify(
                    recipients=[order.claimed_by] if order.claimed_by else operators,
                    kind="delivery.due_soon",
                    title=_("Work order %(number)s for %(org)s is due by %(due)s") % context,
                    link=link,
                    severity=Severity.WARNING,
                    dedupe_key=f"delivery.due_soon:{order.pk}:{stamp}",
                )
                if count:
                    sent["warned"] += 1
                    work_order_audit(actor=SYSTEM, action="work_order.due_warning", order=order, message=context["due"])
        except Exception:  # one bad order must not stop the sweep
            logger.exception("deadline sweep failed for work order %s", order.pk)
    return sent
