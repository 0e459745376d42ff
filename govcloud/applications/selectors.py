"""Reads of applications, always through the scope: a department sees its own (and its units'),
the center and the provider see all."""

from __future__ import annotations

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from govcloud.applications.models import (
    AWAITING_CENTER,
    EDITABLE_STATES,
    FINAL_STATES,
    Application,
    ApplicationEvent,
    ApplicationItem,
    ApplicationState,
)
from govcloud.catalog.selectors import items_for_new_applications
from govcloud.core.roles import DEPARTMENT_ROLES
from govcloud.core.scoping import Action, get_scoped_or_404
from govcloud.delivery.models import WorkOrder
from govcloud.ledger.models import Resource, ResourceState
from govcloud.systems.models import InformationSystem


def _item_count():
    """The number of items, as a correlated subquery: counted for the page's rows only (a join and a
    GROUP BY would count every row of the list before the page is cut)."""
    return Coalesce(
        Subquery(
            ApplicationItem.objects.filter(application=OuterRef("pk"))
            .order_by()
            .values("application")
            .annotate(n=Count("pk"))
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def _list_base() -> QuerySet[Application]:
    return Application.objects.select_related("organization", "system", "created_by").annotate(item_count=_item_count())


# Not yet sent to the center: a department's working copies (a draft, or one waiting for its head).
UNSUBMITTED_STATES = frozenset({ApplicationState.DRAFT, ApplicationState.AWAITING_SIGNOFF})


def without_unsubmitted(queryset: QuerySet[Application], *, user) -> QuerySet[Application]:
    """Lists for people outside the department leave out what it has not submitted yet: the center
    has nothing to do with a draft, and listing them buried the applications it must handle."""
    if user.roles & DEPARTMENT_ROLES:
        return queryset
    return queryset.exclude(state__in=UNSUBMITTED_STATES)


def applications_for(*, user, action: str = Action.VIEW) -> QuerySet[Application]:
    return without_unsubmitted(_list_base().restrict(user, action), user=user).order_by("-created_at", "-pk")


# What a list row shows (jinja2/applications/application_rows.html and inbox_rows.html): a page
# loads these columns and the two names only. Every column fetched is converted (datetimes parsed
# on SQLite, the contact phone decrypted, the quota messages parsed) and the creator's whole row
# came along: loading only what is shown halved the cost of fetching a 50-row page (issue 19).
ROW_FIELDS = (
    "number",
    "kind",
    "environment",
    "state",
    "exceeds_quota",
    "monthly_estimate",
    "created_at",
    "submitted_at",
    # Application.current_deadline's clocks.
    "acceptance_due_at",
    "acceptance_due_provisional",
    "decision_due_at",
    "decision_due_provisional",
    "delivery_due_at",
    "delivery_due_provisional",
    "test_due_at",
    "organization__name",
    "system__name",
)


def for_rows(queryset: QuerySet[Application]) -> QuerySet[Application]:
    """A list's applications with what their rows show and nothing more."""
    return queryset.select_related(None).select_related("organization", "system").only(*ROW_FIELDS)


class InboxTab:
    ALL = "all"
    ACCEPT = "accept"
    DECIDE = "decide"


def inbox_for(*, user, tab: str = InboxTab.ALL) -> QuerySet[Application]:
    """The center's inbox: everything awaiting it, least time left first (overdue on top)."""
    states = {
        InboxTab.ACCEPT: [ApplicationState.SUBMITTED],
        InboxTab.DECIDE: [ApplicationState.ACCEPTED],
    }.get(tab, list(AWAITING_CENTER))
    return (
        _list_base()
        .restrict(user, Action.VIEW)
        .filter(state__in=states)
        # Ordered by the clock each row shows (the acceptance's, then the decision's), stored on the
        # row so an index serves the order (test_list_plans), whichever policy started the clocks.
        .order_by(F("inbox_due_at").asc(nulls_last=True), "pk")
    )


def inbox_counts(*, user) -> dict[str, int]:
    qs = Application.objects.restrict(user, Action.VIEW).filter(state__in=list(AWAITING_CENTER))
    return qs.aggregate(
        accept=Count("pk", filter=Q(state=ApplicationState.SUBMITTED)),
        decide=Count("pk", filter=Q(state=ApplicationState.ACCEPTED)),
        quota=Count("pk", filter=Q(exceeds_quota=True)),
    )


def application_get(*, user, pk, action: str = Action.VIEW) -> Application:
    qs = Application.objects.select_related("organization", "system", "created_by", "signed_off_by").prefetch_related(
        Prefetch(
            "items",
            queryset=ApplicationItem.objects.select_related("catalog_item", "target_resource").prefetch_related(
                "catalog_item__options", "catalog_item__ranges"
            ),
        ),
        Prefetch("events", queryset=ApplicationEvent.objects.order_by("at", "pk")),
        "attachments",
        Prefetch(
            "work_orders",
            queryset=WorkOrder.objects.select_related("item", "item__catalog_item", "claimed_by").order_by("pk"),
        ),
        Prefetch("created_resources", queryset=Resource.objects.order_by("code")),
    )
    return get_scoped_or_404(qs, user, action, pk=pk)


def systems_for_applications(*, user) -> QuerySet[InformationSystem]:
    """The user's own department's systems that may run on the platform (not classified, active)."""
    return (
        InformationSystem.objects.restrict(user, Action.CHANGE)
        .filter(classified=False, is_active=True)
        .select_related("organization")
        .order_by("organization__path", "name")
    )


def resources_for_change(*, user) -> QuerySet[Resource]:
    """Resources in service the user's department may change or terminate, less those another
    application in progress already names (choosing one could only fail; an application being
    edited adds its own back)."""
    claimed = ApplicationItem.objects.filter(target_resource_id=OuterRef("pk")).exclude(
        application__state__in=list(FINAL_STATES)
    )
    return (
        Resource.objects.restrict(user, Action.CHANGE)
        .filter(state=ResourceState.IN_SERVICE)
        .exclude(Exists(claimed))
        .select_related("catalog_item", "system", "organization")
        .prefetch_related("catalog_item__options", "catalog_item__ranges")
        .order_by("code")
    )


def catalog_items():
    return items_for_new_applications()


def workflow_summary(*, user) -> dict[str, int]:
    """The home page's counts of the user's applications by who must act next (one query)."""
    now = timezone.now()
    qs = Application.objects.restrict(user, Action.VIEW)
    return qs.aggregate(
        to_edit=Count("pk", filter=Q(state__in=list(EDITABLE_STATES))),
        awaiting_signoff=Count("pk", filter=Q(state=ApplicationState.AWAITING_SIGNOFF)),
        awaiting_accept=Count("pk", filter=Q(state=ApplicationState.SUBMITTED)),
        awaiting_decision=Count("pk", filter=Q(state=ApplicationState.ACCEPTED)),
        in_delivery=Count("pk", filter=Q(state__in=[ApplicationState.IN_DELIVERY, ApplicationState.TEST_FAILED])),
        to_test=Count("pk", filter=Q(state=ApplicationState.DELIVERED)),
        # The center's overdue steps: an acceptance or a decision past its limit.
        decision_overdue=Count(
            "pk",
            filter=Q(state__in=list(AWAITING_CENTER), decision_due_at__lt=now)
            | Q(state=ApplicationState.SUBMITTED, acceptance_due_at__lt=now),
        ),
        quota=Count("pk", filter=Q(state__in=list(AWAITING_CENTER), exceeds_quota=True)),
    )


def overdue_counts(*, user, now=None) -> dict[str, int]:
    """How many applications are past the limit of the step they wait on, by step (one query): the
    center's acceptance and decision, the provider's delivery. The same deadlines the lists show
    (Application.current_deadline); the test period is left out, it ends by itself."""
    now = now or timezone.now()
    qs = Application.objects.restrict(user, Action.VIEW)
    return qs.aggregate(
        acceptance=Count("pk", filter=Q(state=ApplicationState.SUBMITTED, acceptance_due_at__lt=now)),
        decision=Count("pk", filter=Q(state__in=list(AWAITING_CENTER), decision_due_at__lt=now)),
        delivery=Count(
            "pk",
            filter=Q(
                state__in=[ApplicationState.IN_DELIVERY, ApplicationState.TEST_FAILED],
                delivery_due_at__lt=now,
            ),
        ),
    )
