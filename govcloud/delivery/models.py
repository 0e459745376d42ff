"""The provider's work orders (工单, Art. 7, 10): one per approved item, due 2 working days after
approval. Manual fulfilment records what was delivered; issue 5 adds automatic drivers behind the
same interface."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from govcloud.core.models import TimeStampedModel
from govcloud.core.roles import CENTER_ROLES, DEPARTMENT_ROLES, Role
from govcloud.core.scoping import Action, ScopedManager, ScopePolicy


class WorkOrderKind(models.TextChoices):
    PROVISION = "provision", _("Provision")
    CHANGE = "change", _("Change")
    TERMINATE = "terminate", _("Terminate")


class WorkOrderState(models.TextChoices):
    OPEN = "open", _("Open")
    CLAIMED = "claimed", _("In progress")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


WORK_ORDER_SCOPE = ScopePolicy(
    org_path="application__organization__path",
    see_all={
        Action.VIEW: CENTER_ROLES | {Role.PROVIDER_OPERATOR},
        Action.CHANGE: frozenset({Role.PROVIDER_OPERATOR}),
    },
    own_org={Action.VIEW: DEPARTMENT_ROLES},
)


def open_first() -> models.Case:
    """0 for an open or claimed order, 1 otherwise: the first key of the whole list's order. The
    selector orders by this very expression so that PostgreSQL can read the index behind it."""
    return models.Case(
        models.When(state__in=[WorkOrderState.OPEN, WorkOrderState.CLAIMED], then=models.Value(0)),
        default=models.Value(1),
        output_field=models.IntegerField(),
    )


class WorkOrder(TimeStampedModel):
    number = models.CharField(_("work order number"), max_length=40, unique=True)
    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="work_orders", verbose_name=_("application")
    )
    item = models.ForeignKey(
        "applications.ApplicationItem", on_delete=models.PROTECT, related_name="work_orders", verbose_name=_("item")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=WorkOrderKind.choices)
    state = models.CharField(_("state"), max_length=20, choices=WorkOrderState.choices, default=WorkOrderState.OPEN)
    # The driver that fulfils it: "manual" (the provider's staff) by default; issue 5 adds others.
    driver = models.CharField(_("driver"), max_length=30, default="manual")
    due_at = models.DateTimeField(_("due at"), db_index=True)
    due_provisional = models.BooleanField(_("provisional deadline"), default=False)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    # The run (task) holding the platform's claim on an automatic order. The same task run again
    # after its worker died carries on; another run leaves a live claim alone until it is stale
    # (PROVISIONING_STALE_MINUTES), so two runs never do the cloud work side by side.
    platform_run = models.CharField(_("platform run"), max_length=64, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    # What was delivered: [{"code", "name", "spec", "addresses", "provider_ref"}], validated against
    # the approved item.
    delivered = models.JSONField(_("delivered"), default=list, blank=True)
    failure_reason = models.TextField(_("failure reason"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    completed_by_name = models.CharField(_("completed by"), max_length=150, blank=True)
    # Set when the department's acceptance test failed and the order went back to the provider.
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)

    objects = ScopedManager()
    scope_policy = WORK_ORDER_SCOPE

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [
            models.Index(fields=["state", "due_at"], name="delivery_state_due"),
            # The queues' order (selectors.work_orders_for): the most urgent first, read in order;
            # the whole list puts the open ones first, by the same expression as the selector.
            models.Index(fields=["due_at", "id"], name="delivery_due_first"),
            models.Index(open_first(), "due_at", "id", name="delivery_open_first"),
        ]
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_at < timezone.now()


# Orders still waiting on the provider.
OPEN_STATES = frozenset({WorkOrderState.OPEN, WorkOrderState.CLAIMED})
# Orders that count as done for their application.
DONE_STATES = frozenset({WorkOrderState.COMPLETED, WorkOrderState.CANCELLED})


class NoteKind(models.TextChoices):
    NOTE = "note", _("Progress note")
    CREATED = "created", _("Work order created")
    CLAIMED = "claimed", _("Claimed")
    COMPLETED = "completed", _("Completed")
    REOPENED = "reopened", _("Reopened")
    FAILED = "failed", _("Failed")
    RETRIED = "retried", _("Retried")


class WorkOrderNote(models.Model):
    """Progress recorded on a work order: the provider's readable log."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="notes")
    at = models.DateTimeField(_("time"), auto_now_add=True)
    actor_name = models.CharField(_("by"), max_length=150)
    kind = models.CharField(_("kind"), max_length=20, choices=NoteKind.choices, default=NoteKind.NOTE)
    text = models.TextField(_("note"))

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.text[:50]


class CloudRef(models.Model):
    """A name reserved in the cloud for one resource of an automatic work order: the ledger code the
    resource will get, saved before the cloud is called, so that a retried or duplicated task finds
    and adopts what an earlier attempt created instead of creating a second one. Reconciliation
    reads it to tell a resource still being delivered from a shadow one."""

    ref = models.CharField(_("cloud reference"), max_length=40, unique=True)
    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="cloud_refs")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # The ledger resource, once the order is completed.
    resource = models.ForeignKey(
        "ledger.Resource", null=True, blank=True, on_delete=models.SET_NULL, related_name="cloud_refs"
    )

    class Meta:
        ordering = ["work_order", "position"]
        constraints = [models.UniqueConstraint(fields=["work_order", "position"], name="delivery_cloudref_position")]
        verbose_name = _("cloud reference")
        verbose_name_plural = _("cloud references")

    def __str__(self) -> str:
        return self.ref
