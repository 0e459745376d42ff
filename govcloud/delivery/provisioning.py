"""Automatic fulfilment (Art. 7): a work order whose driver is a cloud driver (libvirt) is carried out
by a task, then completed through `work_order_complete` — the same path as manual completion, so the
ledger, the order's log, the application's timeline and workflow, and the notifications are the same.

No row lock and no transaction is held while the cloud answers (a cloud call can take a minute; an
operator opening or claiming the order must not wait for it). Each run goes in three steps:

1. claim — under the order's row lock: the order is claimed for this run (`platform_run`, the task's
   id) and the names of its new resources in the cloud — the ledger codes they will get — are
   reserved (`CloudRef`); then commit;
2. call out — the cloud work, outside any transaction (the cloud drivers refuse to run inside one);
   every call is idempotent on the reserved name, so a run after a crash adopts what the killed one
   created instead of creating a second resource;
3. record — under the row lock again: if this run still holds the claim, the order is completed
   (or marked FAILED with a safe reason, the ledger untouched); if someone changed the order
   meanwhile (an operator took it over, it was cancelled, another run completed it), what the cloud
   did is noted on the order and nothing else changes.

Exactly once: one run holds the claim at a time. A duplicated task finds a live claim and does
nothing; the same task run again after its worker was killed (the task backends requeue it, see
govcloud.core.workers) carries on with its own claim; a claim nobody finished is taken over by the
provisioning sweep's task after PROVISIONING_STALE_MINUTES. `work_order_retry` puts a failed order
back in the queue.
"""

from __future__ import annotations

import ipaddress
import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govcloud.core.actors import SYSTEM, Actor
from govcloud.core.permissions import require_role
from govcloud.core.roles import Role
from govcloud.delivery.drivers import CLOUD_DRIVERS, get_cloud_driver, is_automatic
from govcloud.delivery.drivers.base import DriverError, HostSpec
from govcloud.delivery.models import CloudRef, NoteKind, WorkOrder, WorkOrderKind, WorkOrderState
from govcloud.delivery.records import (
    OPERATORS,
    work_order_audit,
    work_order_check_scope,
    work_order_link,
    work_order_lock,
    work_order_log,
)
from govcloud.delivery.services import work_order_complete
from govcloud.delivery.signals import work_order_waiting
from govcloud.ledger.models import Resource
from govcloud.ledger.services import CODE_PREFIXES
from govcloud.notifications.models import Severity
from govcloud.notifications.services import notify, users_with_roles

logger = logging.getLogger(__name__)

# Who may put a failed automatic order back in the queue.
RETRIERS = OPERATORS | {Role.CENTER_ADMIN}
MAX_REASON = 2000
# applications.TerminationMode.HANDOVER (delivery does not import the layer above it).
HANDOVER = "handover"
# `platform_run` of an order whose cloud work is done but which waits for people (a termination's
# destruction certificate and the department's confirmation): no run and no sweep takes it again.
PLATFORM_DONE = "done"


def work_order_enqueue(order: WorkOrder) -> None:
    """Have a task run the order once the current transaction (the approval, the retry) commits."""
    work_order_waiting.send(sender=WorkOrder, work_order_id=order.pk)


def _host_spec(spec: dict[str, Any]) -> HostSpec:
    return HostSpec(
        vcpu=int(spec.get("vcpu") or 0),
        memory_gb=int(spec.get("memory_gb") or 0),
        system_disk_gb=int(spec.get("system_disk_gb") or 0),
        data_disk_gb=int(spec.get("data_disk_gb") or 0),
        disk_type=str(spec.get("disk_type") or "sata"),
        os_image=str(spec.get("os_image") or ""),
        bandwidth_mbps=int(spec.get("bandwidth_mbps") or 0),
    )


def _highest(model, field: str, head: str) -> int:
    last = model.objects.filter(**{f"{field}__startswith": head}).order_by(f"-{field}").values_list(field, flat=True)
    return int(last[0].rsplit("-", 1)[1]) if last else 0


def _reserve(order: WorkOrder) -> list[str]:
    """The cloud names of the order's new resources: reserved once, reused by every later run."""
    if order.kind != WorkOrderKind.PROVISION:
        return []
    refs = list(order.cloud_refs.order_by("position").values_list("ref", flat=True))
    head = f"TZ-{CODE_PREFIXES[order.item.catalog_item.kind]}-"
    for position in range(len(refs), order.item.approved_quantity or 0):
        for _attempt in range(10):
            number = max(_highest(Resource, "code", head), _highest(CloudRef, "ref", head)) + 1
            ref = f"{head}{number:06d}"
            try:
                with transaction.atomic():
                    CloudRef.objects.create(ref=ref, work_order=order, position=position)
                break
            except IntegrityError:  # another order reserved it first: take the next one
                continue
        else:  # pragma: no cover - ten collisions in a row
            raise DriverError("could not reserve a resource number")
        refs.append(ref)
    return refs


def _ref_of(resource: Resource) -> str:
    return CloudRef.objects.filter(resource=resource).values_list("ref", flat=True).first() or resource.code


def _addresses(found: list[dict]) -> list[dict]:
    clean = []
    for entry in found:
        try:
            ipaddress.ip_address(entry.get("address", ""))
        except ValueError:
            continue
        clean.append({"network": entry.get("network") or "extranet", "address": entry["address"]})
    return clean


def _apply(order: WorkOrder, refs: list[str]) -> tuple[list[dict], str]:
    """Do the order's work in the cloud; returns what work_order_complete records."""
    cloud = get_cloud_driver(order.driver)
    item = order.item
    if item.catalog_item.kind != "host":
        raise DriverError(_("The %(driver)s driver delivers cloud hosts only.") % {"driver": order.driver})
    approved = dict(item.approved_spec or {})
    if order.kind == WorkOrderKind.PROVISION:
        spec = _host_spec(approved)
        delivered = []
        for ref in refs:
            instance = cloud.create(ref, spec)
            seen = instance.spec
            if seen.get("vcpu") != spec.vcpu or seen.get("memory_gb") != spec.memory_gb:
                raise DriverError(
                    _("%(ref)s runs with %(vcpu)s vCPU and %(memory)s GB, not the approved spec.")
                    % {"ref": ref, "vcpu": seen.get("vcpu"), "memory": seen.get("memory_gb")}
                )
            delivered.append(
                {
                    "name": ref,
                    "spec": approved,
                    "addresses": _addresses(instance.addresses),
                    "provider_ref": instance.provider_id,
                }
            )
        return delivered, ""
    ref = _ref_of(item.target_resource)
    if order.kind == WorkOrderKind.CHANGE:
        cloud.resize(ref, _host_spec(approved))
        return [{"spec": approved}], _("Applied to %(ref)s by the platform (%(driver)s).") % {
            "ref": ref,
            "driver": order.driver,
        }
    if order.application.termination_mode == HANDOVER:
        raise DriverError(_("The data must be handed back before the host is deleted: finish this order by hand."))
    cloud.delete(ref)
    return [], _("%(ref)s and its disks were deleted by the platform (%(driver)s): certified destruction.") % {
        "ref": ref,
        "driver": order.driver,
    }


def _safe_reason(exc: Exception) -> str:
    if isinstance(exc, DriverError):
        return str(exc)[:MAX_REASON]
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)[:MAX_REASON]
    return _("Unexpected error (%(kind)s); the details are in the server log.") % {"kind": type(exc).__name__}


def work_order_execute(*, actor: Actor = SYSTEM, work_order: WorkOrder | int, run_id: str = "") -> WorkOrder:
    """Carry out an automatic work order and complete it (see the module docstring). Idempotent: an
    order that is not waiting for the platform (completed, cancelled, failed, manual, or taken over
    by a person), or that another live run holds, is left as it is. `run_id`: the task's id, so that
    the same task run again after its worker died carries on with its own claim."""
    pk = work_order if isinstance(work_order, int) else work_order.pk
    run_id = run_id or uuid.uuid4().hex
    stub = WorkOrder(pk=pk)
    with transaction.atomic():
        order = work_order_lock(stub)
        if not _claim(order, actor, run_id):
            return order
        refs = _reserve(order)
    try:
        delivered, note = _apply(order, refs)  # the cloud: no transaction, no lock
    except Exception as exc:
        return _fail(stub, actor, run_id, exc)
    try:
        with transaction.atomic():
            order = work_order_lock(stub)
            if not _holds_claim(order, run_id):
                _note_overtaken(order, actor, refs, note)
                return order
            if order.kind == WorkOrderKind.TERMINATE:
                return _await_evidence(order, actor, note)
            order = work_order_complete(actor=actor, work_order=order, delivered=delivered, note=note, codes=refs)
            for entry, ref in zip(order.delivered, refs, strict=False):
                CloudRef.objects.filter(work_order=order, ref=ref).update(resource_id=entry.get("resource_id"))
            return order
    except Exception as exc:  # the ledger rolled back: never a half-recorded resource
        return _fail(stub, actor, run_id, exc)


def _await_evidence(order: WorkOrder, actor: Actor, note: str) -> WorkOrder:
    """The platform deleted the host; the order completes only on the department's confirmation of
    the destruction certificate (Art. 18, govcloud.delivery.evidence), which a person of the
    provider uploads. The order is left to the provider's staff (the platform is done with it)."""
    order.platform_run = PLATFORM_DONE
    order.save(update_fields=["platform_run", "updated_at"])
    text = "{} {}".format(note, _("A provider operator claims the order and uploads the destruction certificate."))
    work_order_log(order, actor, NoteKind.NOTE, text)
    work_order_audit(actor=actor, action="work_order.platform_done", order=order, message=note[:200])
    notify(
        recipients=users_with_roles(OPERATORS),
        kind="delivery.evidence_needed",
        title=_("Work order %(number)s: upload the destruction certificate") % {"number": order.number},
        link=work_order_link(order),
        severity=Severity.WARNING,
        dedupe_key=f"delivery.evidence_needed:{order.pk}",
    )
    return order


def _waiting_for_platform(order: WorkOrder) -> bool:
    return (
        is_automatic(order.driver)
        and order.platform_run != PLATFORM_DONE
        and order.state in (WorkOrderState.OPEN, WorkOrderState.CLAIMED)
        and order.claimed_by_id is None
    )


def _stale_before(now: datetime) -> datetime:
    return now - timedelta(minutes=int(getattr(settings, "PROVISIONING_STALE_MINUTES", 15)))


def _claim(order: WorkOrder, actor: Actor, run_id: str) -> bool:
    """Claim the (locked) order for this run; False when this run has nothing to do."""
    if not _waiting_for_platform(order):
        return False
    day = order.application.termination_date
    if order.kind == WorkOrderKind.TERMINATE and day and timezone.localdate() < day:
        return False  # not before the date the department asked for: the sweep runs it then
    now = timezone.now()
    if order.state == WorkOrderState.OPEN:
        order.state = WorkOrderState.CLAIMED
        order.claimed_by = None
        order.claimed_at = now
        order.platform_run = run_id
        order.save(update_fields=["state", "claimed_by", "claimed_at", "platform_run", "updated_at"])
        work_order_log(
            order,
            actor,
            NoteKind.CLAIMED,
            _("The platform is carrying it out (%(driver)s).") % {"driver": order.driver},
        )
        work_order_audit(
            actor=actor,
            action="work_order.claim",
            order=order,
            changes={"state": [WorkOrderState.OPEN, order.state]},
        )
        return True
    if order.platform_run != run_id and order.claimed_at and order.claimed_at > _stale_before(now):
        return False  # another run holds a live claim (a duplicated task)
    # This run's own claim (its worker died and the task runs again), or one nobody finished.
    order.platform_run = run_id
    order.claimed_at = now
    order.save(update_fields=["claimed_at", "platform_run", "updated_at"])
    return True


def _holds_claim(order: WorkOrder, run_id: str) -> bool:
    return _waiting_for_platform(order) and order.state == WorkOrderState.CLAIMED and order.platform_run == run_id


def _note_overtaken(order: WorkOrder, actor: Actor, refs: list[str], note: str) -> None:
    """The cloud work is done but the order changed meanwhile: say on the order what the cloud now
    has, so that whoever holds it does not do it a second time."""
    if order.state == WorkOrderState.COMPLETED and order.claimed_by_id is None:
        return  # another run of the platform completed it: nothing to add
    logger.warning("work order %s changed (%s) during its cloud work; noted on the order", order.pk, order.state)
    work_order_log(
        order,
        actor,
        NoteKind.NOTE,
        _("The platform finished its work in the cloud after the order changed hands: %(done)s")
        % {"done": ", ".join(refs) if refs else note},
    )


def _fail(stub: WorkOrder, actor: Actor, run_id: str, exc: Exception) -> WorkOrder:
    reason = _safe_reason(exc)
    if isinstance(exc, DriverError | ValidationError):
        logger.warning("work order %s failed: %s", stub.pk, reason)
    else:
        logger.exception("work order %s failed", stub.pk)
    with transaction.atomic():
        order = work_order_lock(stub)
        if not _holds_claim(order, run_id):
            return order  # someone else holds it now: theirs to finish
        order.state = WorkOrderState.FAILED
        order.failure_reason = reason
        order.attempts += 1
        order.save(update_fields=["state", "failure_reason", "attempts", "updated_at"])
        work_order_log(order, actor, NoteKind.FAILED, reason)
        work_order_audit(
            actor=actor,
            action="work_order.fail",
            order=order,
            changes={"state": [WorkOrderState.CLAIMED, order.state]},
            message=reason[:200],
        )
        notify(
            recipients=users_with_roles(OPERATORS),
            kind="delivery.failed",
            title=_("Work order %(number)s failed: %(reason)s") % {"number": order.number, "reason": reason[:120]},
            link=work_order_link(order),
            severity=Severity.DANGER,
            dedupe_key=f"delivery.failed:{order.pk}:{order.attempts}",
        )
    return order


def work_order_retry(*, actor: Actor, work_order: WorkOrder) -> WorkOrder:
    """Put a failed automatic order back in the platform's queue (the provider or the center)."""
    work_order_check_scope(actor, work_order)
    require_role(actor, RETRIERS)
    with transaction.atomic():
        order = work_order_lock(work_order)
        if not is_automatic(order.driver):
            raise ValidationError(_("Only an automatic work order can be retried: claim it instead."))
        if order.state != WorkOrderState.FAILED:
            raise ValidationError(_("Only a failed work order can be retried."))
        before = order.failure_reason
        order.state = WorkOrderState.OPEN
        order.failure_reason = ""
        order.claimed_by = None
        order.claimed_at = None
        order.platform_run = ""
        order.save(update_fields=["state", "failure_reason", "claimed_by", "claimed_at", "platform_run", "updated_at"])
        work_order_log(order, actor, NoteKind.RETRIED, _("Previous failure: %(reason)s") % {"reason": before})
        work_order_audit(
            actor=actor,
            action="work_order.retry",
            order=order,
            changes={"state": [WorkOrderState.FAILED, order.state]},
        )
        work_order_enqueue(order)
    return order


def work_orders_provision_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Enqueue automatic orders still waiting for the platform: ones whose task was lost (the task
    system was down), ones whose run stopped and was not run again (after PROVISIONING_STALE_MINUTES),
    terminations whose date came. A task whose worker was killed is the task backend's to run again,
    within two minutes (govcloud.core.workers); this sweep is the fallback behind it."""
    now = now or timezone.now()
    orders = (
        WorkOrder.objects.filter(
            driver__in=list(CLOUD_DRIVERS),
            state__in=[WorkOrderState.OPEN, WorkOrderState.CLAIMED],
            claimed_by__isnull=True,
            updated_at__lte=_stale_before(now),
        )
        .exclude(platform_run=PLATFORM_DONE)
        .only("pk")
    )
    count = 0
    for order in orders:
        work_order_enqueue(order)
        count += 1
    return {"enqueued": count}
