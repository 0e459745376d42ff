"""Reads of reconciliation, through the scope: the center and the provider see every discrepancy;
a department sees those of its own resources and those awaiting its confirmation."""

from __future__ import annotations

from django.db.models import Case, IntegerField, QuerySet, Value, When

from govcloud.core.scoping import Action, get_scoped_or_404
from govcloud.reconciliation.models import (
    ACTIVE_STATES,
    Discrepancy,
    DiscrepancyEvent,
    DiscrepancyState,
    ReconciliationRun,
)


def discrepancies_for(*, user, action: str = Action.VIEW) -> QuerySet[Discrepancy]:
    """Live ones first, then the most recently seen."""
    return (
        Discrepancy.objects.restrict(user, action)
        .select_related("organization", "resource")
        .annotate(
            closed=Case(When(state__in=ACTIVE_STATES, then=Value(0)), default=Value(1), output_field=IntegerField())
        )
        .order_by("closed", "-last_seen_at", "-id")
    )


def awaiting_confirmation_for(*, user) -> QuerySet[Discrepancy]:
    return discrepancies_for(user=user).filter(state=DiscrepancyState.DELETION_REQUESTED)


def discrepancy_get(*, user, pk, action: str = Action.VIEW) -> Discrepancy:
    return get_scoped_or_404(
        Discrepancy.objects.select_related("organization", "resource", "run", "last_run"), user, action, pk=pk
    )


def timeline_of(discrepancy: Discrepancy) -> QuerySet[DiscrepancyEvent]:
    return DiscrepancyEvent.objects.filter(discrepancy=discrepancy).order_by("at", "pk")


def runs_for(*, user) -> QuerySet[ReconciliationRun]:
    return ReconciliationRun.objects.restrict(user).order_by("-started_at", "-id")
