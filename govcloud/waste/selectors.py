"""Reads of waste control, each taking the acting user and going through the scope (a department
sees its own resources' advice and terms, the center every department's). Lists are a fixed number
of queries whatever the number of rows."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from govcloud.core.scoping import Action, get_scoped_or_404
from govcloud.waste.models import OPEN_EXPIRY_STATES, AdviceState, Expiry, RightsizingAdvice

CPU_COLOR, MEMORY_COLOR, TARGET_COLOR = "#0d6efd", "#6f42c1", "#198754"


def advice_for(*, user, action: str = Action.VIEW) -> QuerySet[RightsizingAdvice]:
    return (
        RightsizingAdvice.objects.restrict(user, action)
        .select_related("resource__organization", "application")
        .order_by("-monthly_saving", "-pk")
    )


def advice_get(*, user, pk, action: str = Action.VIEW) -> RightsizingAdvice:
    return get_scoped_or_404(
        RightsizingAdvice.objects.select_related(
            "resource__organization", "resource__system", "resource__catalog_item", "application", "price_list"
        ),
        user,
        action,
        pk=pk,
    )


@dataclass
class SavingTotals:
    count: int
    monthly: Decimal

    @property
    def yearly(self) -> Decimal:
        return self.monthly * 12


_POSITIVE_OPEN = Q(state=AdviceState.OPEN, monthly_saving__gt=0)


def saving_totals(queryset: QuerySet[RightsizingAdvice]) -> SavingTotals:
    """The open advice's possible monthly saving (only the savings: an upsizing is not a saving)."""
    row = queryset.order_by().aggregate(
        count=Count("pk", filter=Q(state=AdviceState.OPEN)),
        monthly=Sum("monthly_saving", filter=_POSITIVE_OPEN),
    )
    return SavingTotals(count=row["count"] or 0, monthly=row["monthly"] or Decimal("0.00"))


def saving_by_department(queryset: QuerySet[RightsizingAdvice]) -> list[dict[str, Any]]:
    """Per department: open advice and the possible monthly saving, the largest first (one query)."""
    return list(
        queryset.filter(state=AdviceState.OPEN)
        .order_by()
        .values("resource__organization__name")
        .annotate(count=Count("pk"), monthly=Sum("monthly_saving", filter=Q(monthly_saving__gt=0)))
        .order_by("-monthly", "resource__organization__name")
    )


def advice_chart(advice: RightsizingAdvice) -> dict[str, Any]:
    """The window's daily CPU and memory peaks (% of the current size) and the level each
    recommended size stands for: below its line, the recommended size still holds the day's peak."""
    axis = [row[0][5:] for row in advice.series]
    cpu = [row[1] for row in advice.series]
    memory = [row[2] for row in advice.series]

    def level(recommended: int, current: int) -> float:
        return round(100.0 * recommended / current, 1) if current else 100.0

    def mark(value: float, name: str, position: str) -> dict[str, Any]:
        # The two lines often stand at the same level: one label at each end keeps both readable.
        return {
            "symbol": "none",
            "lineStyle": {"type": "dashed"},
            "label": {"formatter": f"{name} {value}%", "position": position},
            "data": [{"yAxis": value}],
        }

    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 48, "right": 24, "top": 24, "bottom": 56},
        "xAxis": {"type": "category", "data": axis},
        "yAxis": {"type": "value", "name": "%", "min": 0, "max": 100},
        "series": [
            {
                "name": _("CPU daily peak"),
                "type": "line",
                "color": CPU_COLOR,
                "showSymbol": False,
                "data": cpu,
                "markLine": mark(
                    level(advice.recommended_vcpu, advice.current_vcpu), _("recommended vCPU"), "insideStartTop"
                ),
            },
            {
                "name": _("Memory daily peak"),
                "type": "line",
                "color": MEMORY_COLOR,
                "showSymbol": False,
                "data": memory,
                "markLine": mark(
                    level(advice.recommended_memory_gb, advice.current_memory_gb),
                    _("recommended memory"),
                    "insideEndTop",
                ),
            },
        ],
    }


def expiries_for(*, user, action: str = Action.VIEW) -> QuerySet[Expiry]:
    return (
        Expiry.objects.restrict(user, action)
        .select_related("resource__organization", "termination_application", "extension_application")
        .order_by("needed_until", "pk")
    )


def open_expiries_for(*, user) -> QuerySet[Expiry]:
    return expiries_for(user=user).filter(state__in=OPEN_EXPIRY_STATES)


def expiry_get(*, user, pk, action: str = Action.VIEW) -> Expiry:
    return get_scoped_or_404(
        Expiry.objects.select_related(
            "resource__organization", "resource__system", "termination_application", "extension_application"
        ),
        user,
        action,
        pk=pk,
    )
