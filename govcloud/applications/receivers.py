"""What the application workflow does when delivery tells it something (delivery does not import
the workflow: see delivery/signals.py). Connected in ApplicationsConfig.ready."""

from __future__ import annotations

from django.dispatch import receiver
from django.utils.translation import gettext as _

from govcloud.applications.models import Application, ApplicationAction, ApplicationKind
from govcloud.applications.services.common import event
from govcloud.core.actors import platform_actor_name
from govcloud.delivery.models import NoteKind
from govcloud.delivery.signals import application_work_done, work_order_event


@receiver(work_order_event, dispatch_uid="applications.work_order_event")
def record_work_order_step(sender, work_order, action, actor, comment="", **kwargs) -> None:
    """Every step of a work order appears on its application's timeline."""
    label = NoteKind(action).label
    text = f"{work_order.number} · {label}"
    if comment and comment != work_order.number:
        text = f"{text}: {comment}"
    event(work_order.application, actor, ApplicationAction.WORK_ORDER, comment=text)


@receiver(application_work_done, dispatch_uid="applications.work_done")
def move_on_when_work_is_done(sender, application_id, actor, **kwargs) -> None:
    """The last work order is complete: delivered for testing, or (a termination) completed."""
    from govcloud.applications.services import workflow

    application = Application.objects.select_related("organization").get(pk=application_id)
    comment = _("All work orders are complete (the last by %(name)s).") % {"name": platform_actor_name(actor)}
    if application.kind == ApplicationKind.TERMINATION:
        workflow.application_complete_termination(application=application, comment=comment)
    else:
        workflow.application_mark_delivered(application=application, comment=comment)
