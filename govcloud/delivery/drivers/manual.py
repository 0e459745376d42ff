"""The manual driver: every step becomes an open work order in the provider's queue; a person
claims it, does the work and records what was delivered (delivery.services.work_order_complete).
The automatic driver records the order the same way, then a task carries it out."""

from __future__ import annotations

from django.utils.translation import gettext as _

from govcloud.delivery.drivers.base import Step
from govcloud.delivery.models import NoteKind, WorkOrder, WorkOrderNote, WorkOrderState
from govcloud.delivery.signals import work_order_waiting


class ManualDriver:
    name = "manual"

    def waiting(self) -> str:
        return _("Waiting for the provider's staff to claim it.")

    def submit(self, step: Step, *, number: str, actor_name: str) -> WorkOrder:
        order = WorkOrder.objects.create(
            number=number,
            application=step.application,
            item=step.item,
            kind=step.kind,
            state=WorkOrderState.OPEN,
            driver=self.name,
            due_at=step.due_at,
            due_provisional=step.due_provisional,
        )
        WorkOrderNote.objects.create(
            work_order=order,
            actor_name=actor_name,
            kind=NoteKind.CREATED,
            text=self.waiting(),
        )
        return order


class AutomaticDriver(ManualDriver):
    """A cloud driver does the work: the order is recorded like a manual one, then a task runs it
    once the approval is committed (delivery.provisioning.work_order_execute, enqueued by
    delivery.tasks on `work_order_waiting`). The provider's staff can still see, retry or finish it
    by hand."""

    def __init__(self, name: str) -> None:
        self.name = name

    def waiting(self) -> str:
        return _("The platform provisions it automatically (%(driver)s).") % {"driver": self.name}

    def submit(self, step: Step, *, number: str, actor_name: str) -> WorkOrder:
        order = super().submit(step, number=number, actor_name=actor_name)
        work_order_waiting.send(sender=WorkOrder, work_order_id=order.pk)
        return order
