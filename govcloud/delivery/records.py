"""What every step of a work order does besides its own change (Art. 7, 10): check the actor's scope,
lock the row, write one audit event and the order's log entry (which also feeds the application's
timeline through `work_order_event`).

Shared by the provider's steps (`services`) and the platform's (`provisioning`), so that a step
taken by a person and the same step taken by a cloud driver leave the same record. Imports run one
way: records ← services ← provisioning ← tasks.
"""

from __future__ import annotations

from django.urls import reverse

from govcloud.audit.services import audit_record
from govcloud.core.actors import Actor, is_system, platform_actor_name
from govcloud.core.roles import Role
from govcloud.core.scoping import Action, OutOfScope
from govcloud.delivery.models import NoteKind, WorkOrder, WorkOrderNote
from govcloud.delivery.signals import work_order_event

OPERATORS = frozenset({Role.PROVIDER_OPERATOR})


# The platform's own steps (SYSTEM) have always been recorded here as "Platform" (平台), not
# core's "System": hence platform_actor_name(actor).


def work_order_link(order: WorkOrder) -> str:
    return reverse("delivery:work_order_detail", kwargs={"pk": order.pk})


def work_order_check_scope(actor: Actor, order: WorkOrder, action: str = Action.VIEW) -> None:
    """404 (recorded as a denial) unless the actor may see the order; the platform sees every order."""
    if is_system(actor):
        return
    if not WorkOrder.objects.restrict(actor, action).filter(pk=order.pk).exists():
        raise OutOfScope(WorkOrder, {"pk": order.pk}, WorkOrder.objects.filter(pk=order.pk).exists())


def work_order_lock(order: WorkOrder) -> WorkOrder:
    """The order, read again under its row lock (call inside a transaction, and never call out to a
    cloud or another remote service before that transaction ends)."""
    return (
        WorkOrder.objects.select_for_update(of=("self",))
        .select_related("application", "application__organization", "application__system", "item", "claimed_by")
        .get(pk=order.pk)
    )


def work_order_audit(*, actor: Actor, action: str, order: WorkOrder, changes=None, message: str = "") -> None:
    audit_record(
        actor=actor,
        action=action,
        target=order,
        changes=changes,
        message=message,
        subject_organization_path=order.application.organization.path,
    )


def work_order_log(order: WorkOrder, actor: Actor, kind: NoteKind, text: str) -> WorkOrderNote:
    """The order's log entry, and the same step on the application's timeline."""
    note = WorkOrderNote.objects.create(work_order=order, actor_name=platform_actor_name(actor), kind=kind, text=text)
    work_order_event.send(sender=WorkOrder, work_order=order, action=kind, actor=actor, comment=text)
    return note
