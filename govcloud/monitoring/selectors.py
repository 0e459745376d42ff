"""Reads of utilization monitoring; each takes the acting user and goes through the scope (a
department sees its own resources' utilization and its units'; the center, the provider and finance
see every department's). Pages read rollups, never the raw table, except for each resource's
latest value; every read is a fixed number of queries whatever the number of resources or samples.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import F, FloatField, Max, QuerySet, Sum
from django.db.models.expressions import Window
from django.db.models.functions import Cast, RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _

from govcloud.core.scoping import Action, get_scoped_or_404
from govcloud.ledger import selectors as ledger_selectors
from govcloud.ledger.models import Resource
from govcloud.ledger.selectors import IN_USE
from govcloud.monitoring.models import Alert, AlertRule, ImportBatch, Metric, Period, Rollup, Sample
from govcloud.monitoring.services import day_start

# The window of the pages' averages, peaks and charts.
WINDOW_DAYS = 30
# How far back a resource's latest value is looked for.
LATEST_HOURS = 24
# The metrics the department page shows per resource, in order.
PAGE_METRICS = (Metric.CPU_PERCENT, Metric.MEMORY_PERCENT, Metric.DISK_USED_GB)
# Charts: one colour per series across every page.
AVG_COLOR, PEAK_COLOR, P95_COLOR = "#0d6efd", "#dc3545", "#fd7e14"


def rollups_for(*, user, action: str = Action.VIEW) -> QuerySet[Rollup]:
    return (
        Rollup.objects.restrict(user, action)
        .select_related("resource")
        .order_by("resource_id", "metric", "period", "start")
    )


def alerts_for(*, user, action: str = Action.VIEW) -> QuerySet[Alert]:
    """The alerts of the resources the user may see (a department its own and its units')."""
    return (
        Alert.objects.restrict(user, action)
        .select_related("rule", "resource__organization", "incident")
        .order_by("-opened_at", "-pk")
    )


def alert_get(*, user, pk) -> Alert:
    return get_scoped_or_404(
        Alert.objects.select_related("rule", "resource__organization", "incident"), user, Action.VIEW, pk=pk
    )


def alert_rules() -> QuerySet[AlertRule]:
    """The alert rules: the same for everyone (regulation as data); the center edits them."""
    return AlertRule.objects.order_by("pk")


def resources_for(*, user) -> QuerySet[Resource]:
    """The resources in use the user may see (their utilization with them)."""
    return ledger_selectors.resources_for(user=user).filter(state__in=IN_USE).order_by("organization__path", "code")


def resource_get(*, user, pk) -> Resource:
    return ledger_selectors.resource_get(user=user, pk=pk)


def window_start(now: datetime | None = None, days: int = WINDOW_DAYS) -> datetime:
    """Local midnight `days` days ago: the first day of the window (today is the last, partly)."""
    return day_start((now or timezone.now()) - timedelta(days=days - 1))


# --- Per resource: latest, average and peak -------------------------------------------------------


@dataclass
class Figures:
    latest: float | None = None
    avg: float | None = None
    peak: float | None = None
    p95: float | None = None


@dataclass
class UsageRow:
    resource: Resource
    metrics: dict[str, Figures] = field(default_factory=dict)

    def cells(self, metrics=PAGE_METRICS) -> list[Figures]:
        return [self.metrics.get(m, Figures()) for m in metrics]


def _weighted_avg():
    # The window's average is the samples' average: each day's average weighted by its samples.
    return Sum(F("avg") * F("count"), output_field=FloatField()) / Cast(Sum("count"), FloatField())


def usage_figures(
    resource_ids: list[int], *, metrics=None, now: datetime | None = None
) -> dict[int, dict[str, Figures]]:
    """{resource id: {metric: Figures}} for the window: the average and the peak from the daily
    rollups (one grouped query) and the latest raw value of the last day (one query)."""
    figures: dict[int, dict[str, Figures]] = defaultdict(dict)
    if not resource_ids:
        return figures
    now = now or timezone.now()
    rollups = Rollup.objects.filter(resource_id__in=resource_ids, period=Period.DAY, start__gte=window_start(now))
    samples = Sample.objects.filter(resource_id__in=resource_ids, at__gte=now - timedelta(hours=LATEST_HOURS))
    if metrics:
        rollups = rollups.filter(metric__in=metrics)
        samples = samples.filter(metric__in=metrics)
    for row in (
        rollups.order_by()
        .values("resource_id", "metric")
        .annotate(avg_all=_weighted_avg(), peak=Max("max"), p95_peak=Max("p95"))
    ):
        figures[row["resource_id"]][row["metric"]] = Figures(avg=row["avg_all"], peak=row["peak"], p95=row["p95_peak"])
    latest = (
        samples.annotate(
            rank=Window(RowNumber(), partition_by=[F("resource_id"), F("metric")], order_by=[F("at").desc()])
        )
        .filter(rank=1)
        .values_list("resource_id", "metric", "value")
    )
    for resource_id, metric, value in latest:
        figures[resource_id].setdefault(metric, Figures()).latest = value
    return figures


def usage_rows(resources: list[Resource], *, now: datetime | None = None) -> list[UsageRow]:
    figures = usage_figures([r.pk for r in resources], metrics=PAGE_METRICS, now=now)
    return [UsageRow(resource=r, metrics=figures.get(r.pk, {})) for r in resources]


# --- Charts ----------------------------------------------------------------------------------------


def _days(now: datetime | None = None, days: int = WINDOW_DAYS) -> list[date]:
    first = timezone.localtime(window_start(now, days)).date()
    return [first + timedelta(days=i) for i in range(days)]


def _line_chart(axis: list[date], series: list[tuple[str, str, list]], unit: str) -> dict[str, Any]:
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 56, "right": 16, "top": 24, "bottom": 56},
        "xAxis": {"type": "category", "data": [f"{d:%m-%d}" for d in axis]},
        "yAxis": {"type": "value", "name": unit, "min": 0, **({"max": 100} if unit == "%" else {})},
        "series": [
            {"name": name, "type": "line", "color": color, "showSymbol": False, "connectNulls": False, "data": data}
            for name, color, data in series
        ],
    }


def _unit(metric: str) -> str:
    return {
        Metric.CPU_PERCENT: "%",
        Metric.MEMORY_PERCENT: "%",
        Metric.DISK_USED_GB: "GB",
        Metric.STORAGE_USED_GB: "GB",
        Metric.DISK_IOPS: "IOPS",
        Metric.NETWORK_IN_MBPS: "Mbps",
        Metric.NETWORK_OUT_MBPS: "Mbps",
    }[metric]


@dataclass
class Chart:
    metric: str
    label: str
    option: dict[str, Any]
    element_id: str


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def department_charts(resources: QuerySet[Resource], *, now: datetime | None = None) -> list[Chart]:
    """Per day of the window, across the given resources (a department's, or the filtered city's):
    the average CPU and memory use and the highest peak — one grouped query over daily rollups."""
    axis = _days(now)
    start = window_start(now)
    rows = (
        Rollup.objects.filter(
            resource__in=resources.order_by().values("pk"),
            period=Period.DAY,
            start__gte=start,
            metric__in=(Metric.CPU_PERCENT, Metric.MEMORY_PERCENT),
        )
        .order_by()
        .values("metric", "start")
        .annotate(avg_all=_weighted_avg(), peak=Max("max"))
    )
    by_metric: dict[str, dict[date, dict]] = defaultdict(dict)
    for row in rows:
        by_metric[row["metric"]][timezone.localtime(row["start"]).date()] = row
    charts = []
    for metric in (Metric.CPU_PERCENT, Metric.MEMORY_PERCENT):
        days = by_metric.get(metric)
        if not days:
            continue
        avg = [_round(days[d]["avg_all"]) if d in days else None for d in axis]
        peak = [_round(days[d]["peak"]) if d in days else None for d in axis]
        option = _line_chart(axis, [(_("Daily average"), AVG_COLOR, avg), (_("Daily peak"), PEAK_COLOR, peak)], "%")
        charts.append(Chart(metric, str(Metric(metric).label), option, f"department-chart-{metric}"))
    return charts


@dataclass
class MetricSummary:
    metric: str
    label: str
    unit: str
    figures: Figures
    chart: Chart


def resource_summaries(resource: Resource, *, now: datetime | None = None) -> list[MetricSummary]:
    """A resource's metrics that have data in the window: latest, average, peak and a chart of the
    daily average, 95th percentile and peak. Two queries (plus one for the latest values)."""
    axis = _days(now)
    rows = Rollup.objects.filter(resource=resource, period=Period.DAY, start__gte=window_start(now)).values(
        "metric", "start", "avg", "max", "p95"
    )
    by_metric: dict[str, dict[date, dict]] = defaultdict(dict)
    for row in rows:
        by_metric[row["metric"]][timezone.localtime(row["start"]).date()] = row
    figures = usage_figures([resource.pk], now=now).get(resource.pk, {})
    summaries = []
    for metric in Metric:
        days = by_metric.get(metric.value)
        if not days and metric.value not in figures:
            continue
        days = days or {}
        series = [
            (_("Daily average"), AVG_COLOR, [_round(days[d]["avg"]) if d in days else None for d in axis]),
            (_("95th percentile"), P95_COLOR, [_round(days[d]["p95"]) if d in days else None for d in axis]),
            (_("Daily peak"), PEAK_COLOR, [_round(days[d]["max"]) if d in days else None for d in axis]),
        ]
        chart = Chart(
            metric.value, str(metric.label), _line_chart(axis, series, _unit(metric)), f"chart-{metric.value}"
        )
        summaries.append(
            MetricSummary(metric.value, str(metric.label), _unit(metric), figures.get(metric.value, Figures()), chart)
        )
    return summaries


# --- Utilization table imports ---------------------------------------------------------------------


def import_batches_for(*, user) -> QuerySet[ImportBatch]:
    """The uploaded tables the user may see: the provider its organization's, the center all."""
    return (
        ImportBatch.objects.restrict(user, Action.VIEW)
        .select_related("job", "organization", "duplicate_of")
        .order_by("-created_at", "-pk")
    )


def import_batch_get(*, user, pk) -> ImportBatch:
    return get_scoped_or_404(
        ImportBatch.objects.select_related("job", "organization", "duplicate_of"), user, Action.VIEW, pk=pk
    )
