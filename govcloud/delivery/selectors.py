"""Reads of work orders, always through the scope: the provider and the center see every order,
a department the orders of its own applications."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from govcloud.core.scoping import Action, get_scoped_or_404
from govcloud.delivery.models import OPEN_STATES, WorkOrder, WorkOrderNote, WorkOrderState, open_first


class Queue:
    OPEN = "open"
    MINE = "mine"
    DONE = "done"
    ALL = "all"


def _base() -> QuerySet[WorkOrder]:
    return WorkOrder.objects.select_related(
        "application",
        "application__organization",
        "application__system",
        "item",
        "item__catalog_item",
        "item__target_resource",
        "claimed_by",
    )


# What a queue row shows (jinja2/delivery/work_order_rows.html): a page loads these columns only,
# not the application's, item's and resource's whole rows (the application's contact phone was
# decrypted and its quota messages parsed for every row fetched) (issue 19).
ROW_FIELDS = (
    "number",
    "kind",
    "state",
    "due_at",
    "due_provisional",
    "completed_at",
    "application__number",
    "application__organization__name",
    "item__approved_quantity",
    "item__catalog_item__name",
    "item__target_resource__code",
    "claimed_by__full_name",
)


def for_rows(queryset: QuerySet[WorkOrder]) -> QuerySet[WorkOrder]:
    """A queue's work orders with what their rows show and nothing more."""
    return (
        queryset.select_related(None)
        .select_related("application__organization", "item__catalog_item", "item__target_resource", "claimed_by")
        .only(*ROW_FIELDS)
    )


def work_orders_for(*, user, queue: str = Queue.OPEN) -> QuerySet[WorkOrder]:
    """The provider's queue: open orders first, the most urgent (overdue) first; then the rest."""
    qs = _base().restrict(user, Action.VIEW)
    # Within one open queue the rank below is the same for every row: ordering by it anyway made the
    # database sort the whole queue instead of reading its due-time index in order.
    if queue == Queue.OPEN:
        return qs.filter(state__in=OPEN_STATES).order_by("due_at", "pk")
    if queue == Queue.MINE:
        return qs.filter(state=WorkOrderState.CLAIMED, claimed_by=user).order_by("due_at", "pk")
    if queue == Queue.DONE:
        return qs.filter(state=WorkOrderState.COMPLETED).order_by("-completed_at", "-pk")
    return qs.order_by(open_first(), "due_at", "pk")


def work_order_get(*, user, pk, action: str = Action.VIEW) -> WorkOrder:
    qs = (
        _base()
        .select_related("evidence")
        .prefetch_related(
            Prefetch("notes", queryset=WorkOrderNote.objects.order_by("at", "pk")),
            "item__catalog_item__options",
            "item__catalog_item__ranges",
        )
    )
    return get_scoped_or_404(qs, user, action, pk=pk)


def queue_summary(*, user) -> dict[str, int]:
    """The home page's counts of open work orders: all, overdue, claimed by the user (one query)."""
    return (
        WorkOrder.objects.restrict(user, Action.VIEW)
        .filter(state__in=list(OPEN_STATES))
        .aggregate(
            open=Count("pk"),
            overdue=Count("pk", filter=Q(due_at__lt=timezone.now())),
            mine=Count("pk", filter=Q(state=WorkOrderState.CLAIMED, claimed_by=user)),
        )
    )
