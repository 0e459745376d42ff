"""Reads about security events: the list, and the statistics per month (by kind, by department) that
the security event page charts and the monthly analysis report reads (`security_event_statistics`).

Every figure is computed in SQL over the user's scope (a department sees its own events only), in
a fixed number of queries whatever the number of events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Prefetch, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from govcloud.core.scoping import Action, get_scoped_or_404
from govcloud.security.models import SecurityEvent, SecurityEventKind
from govcloud.security.selectors.calendar import add_months, month_start
from govcloud.systems.models import InformationSystem
from govcloud.workdays.calendar import SHANGHAI

TREND_MONTHS = 6


def security_event_rows() -> QuerySet[SecurityEvent]:
    return (
        SecurityEvent.objects.select_related("organization", "recorded_by")
        .prefetch_related(Prefetch("systems", queryset=InformationSystem.objects.order_by("name")))
        .order_by("-occurred_at", "-id")
    )


def security_events_for(*, user, action: str = Action.VIEW) -> QuerySet[SecurityEvent]:
    return security_event_rows().restrict(user, action)


def security_event_get(*, user, pk, action: str = Action.VIEW) -> SecurityEvent:
    return get_scoped_or_404(security_event_rows(), user, action, pk=pk)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The month as [start, end) moments in Asia/Shanghai."""
    start = month_start(month)
    end = add_months(start, 1)
    return (
        datetime.combine(start, datetime.min.time(), tzinfo=SHANGHAI),
        datetime.combine(end, datetime.min.time(), tzinfo=SHANGHAI),
    )


@dataclass(frozen=True)
class KindFigure:
    kind: str
    label: str
    events: int
    total: int


@dataclass(frozen=True)
class DepartmentFigure:
    organization_id: int | None
    name: str
    events: int
    total: int


@dataclass(frozen=True)
class EventStatistics:
    """One month's security events in the user's scope. `events` counts records, `total` adds up
    their counts (a record of 1,204 blocked attacks is one event, 1,204 in the total)."""

    month: date
    by_kind: list[KindFigure]
    by_department: list[DepartmentFigure]

    @property
    def events(self) -> int:
        return sum(f.events for f in self.by_kind)

    @property
    def total(self) -> int:
        return sum(f.total for f in self.by_kind)

    def total_of(self, kind: str) -> int:
        return next((f.total for f in self.by_kind if f.kind == kind), 0)


def security_event_statistics(*, user, month: date) -> EventStatistics:
    """The month's events by kind (every kind, zero included, in the order of SecurityEventKind) and
    by department (largest total first; events of the platform as a whole under their own name).
    Two queries."""
    start, end = month_bounds(month)
    events = SecurityEvent.objects.restrict(user).filter(occurred_at__gte=start, occurred_at__lt=end).order_by()
    per_kind = {
        row["kind"]: row
        for row in events.values("kind").annotate(events=Count("id"), total=Sum("count")).order_by("kind")
    }
    by_kind = [
        KindFigure(
            kind=kind.value,
            label=str(kind.label),
            events=per_kind.get(kind.value, {}).get("events", 0),
            total=per_kind.get(kind.value, {}).get("total") or 0,
        )
        for kind in SecurityEventKind
    ]
    per_org = (
        events.values("organization_id", "organization__name")
        .annotate(events=Count("id"), total=Sum("count"))
        .order_by("-total", "organization__name")
    )
    by_department = [
        DepartmentFigure(
            organization_id=row["organization_id"],
            name=row["organization__name"] or _("Platform as a whole"),
            events=row["events"],
            total=row["total"] or 0,
        )
        for row in per_org
    ]
    return EventStatistics(month=month_start(month), by_kind=by_kind, by_department=by_department)


def security_event_trend(*, user, month: date, months: int = TREND_MONTHS) -> tuple[list[date], dict[str, list[int]]]:
    """The totals per kind for the `months` months ending with `month` (one query): the months, and
    for each kind the list of its totals."""
    first = add_months(month_start(month), -(months - 1))
    start, _end = month_bounds(first)
    _start, end = month_bounds(month)
    axis = [add_months(first, i) for i in range(months)]
    rows = (
        SecurityEvent.objects.restrict(user)
        .filter(occurred_at__gte=start, occurred_at__lt=end)
        .annotate(month=TruncMonth("occurred_at", tzinfo=SHANGHAI))
        .values("month", "kind")
        .annotate(total=Sum("count"))
        .order_by("month", "kind")
    )
    totals: dict[tuple[date, str], int] = {}
    for row in rows:
        value = row["month"]
        day = value.date() if isinstance(value, datetime) else value
        totals[(day.replace(day=1), row["kind"])] = row["total"] or 0
    return axis, {kind.value: [totals.get((m, kind.value), 0) for m in axis] for kind in SecurityEventKind}


# --- ECharts options (rendered by web/govcloud.js from json_script data) ----------------------------

_PALETTE = ["#a61b1b", "#1756a0", "#d97706", "#6d28d9", "#0f766e", "#be185d", "#6b7280"]


def kind_chart(stats: EventStatistics) -> dict:
    return {
        "color": _PALETTE,
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "grid": {"left": 110, "right": 24, "top": 8, "bottom": 24},
        "xAxis": {"type": "log", "min": 1, "logBase": 10},
        "yAxis": {"type": "category", "inverse": True, "data": [f.label for f in stats.by_kind]},
        "series": [
            {
                "type": "bar",
                "colorBy": "data",
                # A log axis cannot show zero: a kind without events has no bar; a total of 1 (the
                # axis' start) still gets a visible one.
                "data": [f.total or None for f in stats.by_kind],
                "barMinHeight": 4,
                "label": {"show": True, "position": "right"},
            }
        ],
    }


def department_chart(stats: EventStatistics, limit: int = 12) -> dict:
    rows = stats.by_department[:limit]
    return {
        "color": ["#1756a0"],
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "grid": {"left": 140, "right": 40, "top": 8, "bottom": 24},
        "xAxis": {"type": "value", "minInterval": 1},
        "yAxis": {"type": "category", "inverse": True, "data": [r.name for r in rows]},
        "series": [{"type": "bar", "data": [r.events for r in rows], "label": {"show": True, "position": "right"}}],
    }


def trend_chart(axis: list[date], series: dict[str, list[int]]) -> dict:
    """Bars per month, one per kind that occurred, on a log axis: blocked attacks run to thousands
    while intrusions are counted on one hand (a month without any has no bar)."""
    labels = {kind.value: str(kind.label) for kind in SecurityEventKind}
    # Each kind keeps its colour of the bar chart, whichever kinds occurred.
    colors = {kind.value: _PALETTE[i % len(_PALETTE)] for i, kind in enumerate(SecurityEventKind)}
    return {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"bottom": 0},
        "grid": {"left": 56, "right": 16, "top": 16, "bottom": 56},
        "xAxis": {"type": "category", "data": [f"{m:%Y-%m}" for m in axis]},
        "yAxis": {"type": "log", "min": 1, "logBase": 10},
        "series": [
            {
                "name": labels[kind],
                "type": "bar",
                "color": colors[kind],
                "barMinHeight": 4,
                "data": [v or None for v in values],
            }
            for kind, values in series.items()
            if any(values)
        ],
    }
