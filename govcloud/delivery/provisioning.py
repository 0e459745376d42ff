"""Automatic fulfilment (Art. 7): a work order whose driver is a cloud driver (libvirt) is carried out
by a task, then completed through `work_order_complete` — the same path as manual completion, so the
ledger, the order's log, the application's timeline and workflow, and the notifications are the same.

Exactly once, whatever the task system does (a retried, duplicated or interrupted task):

1. the order is claimed by the platform and the names of its new resources in the cloud — the ledger
   codes they will get — are reserved and committed *before* the cloud is called (`CloudRef`);
2. the cloud work and the completion then run in one transaction holding the order's row lock
   (BEGIN IMMEDIATE on SQLite), so a second run waits, then finds the order completed and does
   nothing; every cloud call is idempotent on the reserved name, so a run after a crash adopts what
   the killed one created instead of creating a second resource;
3. a failure rolls the ledger back (never a half-recorded resource) and marks the order FAILED with a
   safe reason; `work_order_retry` puts it back in the queue.

An order a killed worker left claimed is run again by `work_orders_provision_sweep`.
"""

from __future__ import annotations

import ipaddress
import logging
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
from govcloud.delivery.drivers import get_cloud_driver, is_automatic
from govcloud.delivery.drivers.base import DriverError, HostSpec
from govcloud.delivery.models import CloudRef, NoteKind, WorkOrder, WorkOrderKind, WorkOrderState
from govcloud.delivery.services import (
    OPERATORS,
    _audit,
    _check_scope,
    _lock,
    _log,
    work_order_complete,
    work_order_link,
)
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


def work_order_enqueue(order: WorkOrder) -> None:
    """Run the order in a task once the current transaction (the approval, the retry) commits."""

    def enqueue() -> None:
        from govcloud.delivery.tasks import work_order_execute_task

        try:
            work_order_execute_task.enqueue(order.pk)
        except Exception:  # the task system is down: the provisioning sweep enqueues it later
            logger.exception("could not enqueue work order %s", order.pk)

    transaction.on_commit(enqueue)


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


def work_order_execute(*, actor: Actor = SYSTEM, work_order: WorkOrder | int) -> WorkOrder:
    """Carry out an automatic work order and complete it. Idempotent: an order that is not waiting
    for the platform (completed, cancelled, failed, manual, or taken over by a person) is left as it
    is."""
    pk = work_order if isinstance(work_order, int) else work_order.pk
    stub = WorkOrder(pk=pk)
    with transaction.atomic():
        order = _lock(stub)
        if not _waiting_for_platform(order):
            return order
        day = order.application.termination_date
        if order.kind == WorkOrderKind.TERMINATE and day and timezone.localdate() < day:
            return order  # not before the date the department asked for: the sweep runs it then
        if order.state == WorkOrderState.OPEN:
            order.state = WorkOrderState.CLAIMED
            order.claimed_by = None
            order.claimed_at = timezone.now()
            order.save(update_fields=["state", "claimed_by", "claimed_at", "updated_at"])
            _log(
                order,
                actor,
                NoteKind.CLAIMED,
                _("The platform is carrying it out (%(driver)s).") % {"driver": order.driver},
            )
            _audit(
                actor=actor,
                action="work_order.claim",
                order=order,
                changes={"state": [WorkOrderState.OPEN, order.state]},
            )
        refs = _reserve(order)
    try:
        with transaction.atomic():
            order = _lock(stub)
            if not _waiting_for_platform(order) or order.state != WorkOrderState.CLAIMED:
                return order  # another run completed it while this one waited for the lock
            delivered, note = _apply(order, refs)
            order = work_order_complete(actor=actor, work_order=order, delivered=delivered, note=note, codes=refs)
            for entry, ref in zip(order.delivered, refs, strict=False):
                CloudRef.objects.filter(work_order=order, ref=ref).update(resource_id=entry.get("resource_id"))
            return order
    except Exception as exc:
        reason = _safe_reason(exc)
        if isinstance(exc, DriverError | ValidationError):
            logger.warning("work order %s failed: %s", pk, reason)
        else:
            logger.exception("work order %s failed", pk)
        return _fail(stub, actor, reason)


def _waiting_for_platform(order: WorkOrder) -> bool:
    return (
        is_automatic(order.driver)
        and order.state in (WorkOrderState.OPEN, WorkOrderState.CLAIMED)
        and order.claimed_by_id is None
    )


def _fail(stub: WorkOrder, actor: Actor, reason: str) -> WorkOrder:
    with transaction.atomic():
        order = _lock(stub)
        if order.state != WorkOrderState.CLAIMED:
            return order
        order.state = WorkOrderState.FAILED
        order.failure_reason = reason
        order.attempts += 1
        order.save(update_fields=["state", "failure_reason", "attempts", "updated_at"])
        _log(order, actor, NoteKind.FAILED, reason)
        _audit(
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
    _check_scope(actor, work_order)
    require_role(actor, RETRIERS)
    with transaction.atomic():
        order = _lock(work_order)
        if not is_automatic(order.driver):
            raise ValidationError(_("Only an automatic work order can be retried: claim it instead."))
        if order.state != WorkOrderState.FAILED:
            raise ValidationError(_("Only a failed work order can be retried."))
        before = order.failure_reason
        order.state = WorkOrderState.OPEN
        order.failure_reason = ""
        order.claimed_by = None
        order.claimed_at = None
        order.save(update_fields=["state", "failure_reason", "claimed_by", "claimed_at", "updated_at"])
        _log(order, actor, NoteKind.RETRIED, _("Previous failure: %(reason)s") % {"reason": before})
        _audit(
            actor=actor,
            action="work_order.retry",
            order=order,
            changes={"state": [WorkOrderState.FAILED, order.state]},
        )
        work_order_enqueue(order)
    return order


def work_orders_provision_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Enqueue automatic orders still waiting for the platform: ones whose task was lost, ones a
    killed worker left claimed (after PROVISIONING_STALE_MINUTES), terminations whose date came."""
    now = now or timezone.now()
    stale = now - timedelta(minutes=int(getattr(settings, "PROVISIONING_STALE_MINUTES", 15)))
    orders = WorkOrder.objects.filter(
        driver__in=_automatic_names(),
        state__in=[WorkOrderState.OPEN, WorkOrderState.CLAIMED],
        claimed_by__isnull=True,
        updated_at__lte=stale,
    ).only("pk")
    count = 0
    for order in orders:
        work_order_enqueue(order)
        count += 1
    return {"enqueued": count}


def _automatic_names() -> list[str]:
    from govcloud.delivery.drivers import CLOUD_DRIVERS

    return list(CLOUD_DRIVERS)
