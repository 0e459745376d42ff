"""ECharts options of the utilization report page (rendered by govcloud.js from json_script data;
no inline script). The colours match monitoring's pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from govcloud.monitoring.selectors import AVG_COLOR, P95_COLOR, PEAK_COLOR
from govcloud.reports.models import UsageFlag, UtilizationReport

IDLE_COLOR, NORMAL_COLOR, NO_DATA_COLOR = "#6c757d", "#198754", "#adb5bd"
FLAG_COLORS = {
    UsageFlag.NORMAL: NORMAL_COLOR,
    UsageFlag.IDLE: IDLE_COLOR,
    UsageFlag.OVERLOADED: PEAK_COLOR,
    UsageFlag.NO_DATA: NO_DATA_COLOR,
}


@dataclass
class Chart:
    label: str
    option: dict[str, Any]
    element_id: str
    # Bootstrap columns of 12 at large widths, and the height in pixels.
    width: int = 6
    height: int = 280


def _daily(series: dict) -> dict[str, Any]:
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 48, "right": 16, "top": 24, "bottom": 56},
        "xAxis": {"type": "category", "data": [d[5:] for d in series.get("days", [])]},
        "yAxis": {"type": "value", "name": "%", "min": 0, "max": 100},
        "series": [
            {"name": name, "type": "line", "color": color, "showSymbol": False, "connectNulls": False, "data": data}
            for name, color, data in (
                (_("CPU daily average"), AVG_COLOR, series.get("cpu_avg", [])),
                (_("CPU daily peak"), PEAK_COLOR, series.get("cpu_peak", [])),
                (_("Memory daily average"), P95_COLOR, series.get("memory_avg", [])),
            )
        ],
    }


def _flags(counts: dict) -> dict[str, Any]:
    flags = list(UsageFlag)
    return {
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 80, "right": 24, "top": 16, "bottom": 32},
        "xAxis": {"type": "value", "minInterval": 1},
        "yAxis": {"type": "category", "data": [str(f.label) for f in flags], "inverse": True},
        "series": [
            {
                "type": "bar",
                "data": [{"value": counts.get(f.value, 0), "itemStyle": {"color": FLAG_COLORS[f]}} for f in flags],
                "label": {"show": True, "position": "right"},
            }
        ],
    }


def _departments(departments: list[dict]) -> dict[str, Any]:
    rows = departments[:15]
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 140, "right": 24, "top": 16, "bottom": 48},
        "xAxis": {"type": "value", "min": 0, "max": 100, "name": "%"},
        "yAxis": {"type": "category", "data": [d["name"] for d in rows], "inverse": True},
        "series": [
            {"name": _("CPU average"), "type": "bar", "color": AVG_COLOR, "data": [d["cpu_avg"] for d in rows]},
            {"name": _("Memory average"), "type": "bar", "color": P95_COLOR, "data": [d["memory_avg"] for d in rows]},
        ],
    }


def report_charts(report: UtilizationReport) -> list[Chart]:
    summary = report.summary or {}
    charts = []
    series = summary.get("series") or {}
    if any(v is not None for v in series.get("cpu_avg", [])):
        charts.append(Chart(_("Daily utilization"), _daily(series), "report-chart-daily", 8))
    if report.resources:
        charts.append(Chart(_("Resources by assessment"), _flags(summary.get("counts") or {}), "report-chart-flags", 4))
    if summary.get("departments"):
        charts.append(
            Chart(
                _("Departments"),
                _departments(summary["departments"]),
                "report-chart-departments",
                12,
                40 + 34 * min(len(summary["departments"]), 15),
            )
        )
    return charts
