"""The reports as documents: the utilization table as XLSX (openpyxl) and PDF, the monthly analysis
as PDF — WeasyPrint with the system's Noto CJK fonts, as the billing statements and the major
incident reports are rendered, with charts drawn here as SVG (no plotting library): official
Chinese documents whatever language the reader's pages are in."""

from __future__ import annotations

import base64
import io
import logging
from datetime import date
from xml.sax.saxutils import escape

from django.template.loader import render_to_string
from django.utils import translation
from openpyxl import Workbook
from openpyxl.styles import Font

from govcloud.reports.models import AnalysisReport, UsageFlag, UtilizationLine, UtilizationReport

logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

PLATFORM = "政务云平台管理系统"
FONT = "Noto Sans CJK SC, sans-serif"
BLUE, RED, ORANGE, GREEN, GREY = "#2f6fb0", "#c0392b", "#e67e22", "#2e8b57", "#999999"
# The PDF lists this many resources; the XLSX has them all.
PDF_LINES = 300
PERIOD_NAMES = {"week": "周报", "month": "月报"}
FLAG_NAMES = {
    UsageFlag.NORMAL: "正常",
    UsageFlag.IDLE: "闲置",
    UsageFlag.OVERLOADED: "过载",
    UsageFlag.NO_DATA: "无数据",
}


def _uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _fmt(value: float) -> str:
    if float(value).is_integer() or abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def bar_chart_svg(
    rows: list[tuple[str, float, str]], *, width: int = 640, unit: str = "", top: float | None = None
) -> str:
    """Horizontal bars: (label, value, colour) per row."""
    bar, label_w = 22, 170
    height = bar * max(len(rows), 1) + 10
    top = top or max([v for _l, v, _c in rows] + [1.0])
    span = width - label_w - 90
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT}" font-size="11">'
    ]
    for i, (label, value, colour) in enumerate(rows):
        y = 5 + i * bar
        length = max(0, int(span * min(value, top) / top)) if top else 0
        parts.append(f'<text x="0" y="{y + 15}">{escape(label[:14])}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{length}" height="{bar - 8}" fill="{colour}"/>')
        parts.append(f'<text x="{label_w + length + 5}" y="{y + 15}">{_fmt(value)}{escape(unit)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def capacity_chart_svg(kinds: list[dict], *, width: int = 640) -> str:
    """Per pool kind, a bar of the capacity with the used part filled, and the percentage."""
    bar, label_w = 30, 100
    height = bar * max(len(kinds), 1) + 24
    span = width - label_w - 190
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT}" font-size="11">'
    ]
    for i, k in enumerate(kinds):
        y = 5 + i * bar
        capacity, used = float(k["capacity"]), float(k["used"])
        whole = max(capacity, used, 1.0)
        cap_len = int(span * capacity / whole)
        used_len = int(span * used / whole)
        colour = RED if capacity and used > capacity * 0.9 else BLUE
        parts.append(f'<text x="0" y="{y + 17}">{escape(KIND_NAMES.get(k["kind"], k["kind"]))}</text>')
        parts.append(
            f'<rect x="{label_w}" y="{y + 4}" width="{cap_len}" height="{bar - 10}" fill="#e8eef6" stroke="{GREY}"/>'
        )
        parts.append(f'<rect x="{label_w}" y="{y + 4}" width="{used_len}" height="{bar - 10}" fill="{colour}"/>')
        pct = f"{k['used_pct']}%" if k.get("used_pct") is not None else "—"
        x = label_w + max(cap_len, used_len) + 6
        parts.append(f'<text x="{x}" y="{y + 17}">{_fmt(used)} / {_fmt(capacity)}（{pct}）</text>')
    y = 5 + len(kinds) * bar + 8
    parts.append(f'<rect x="{label_w}" y="{y}" width="10" height="10" fill="{BLUE}"/>')
    parts.append(f'<text x="{label_w + 14}" y="{y + 9}">已分配</text>')
    parts.append(f'<rect x="{label_w + 70}" y="{y}" width="10" height="10" fill="#e8eef6" stroke="{GREY}"/>')
    parts.append(f'<text x="{label_w + 84}" y="{y + 9}">资源池容量</text>')
    parts.append("</svg>")
    return "".join(parts)


def line_chart_svg(
    days: list[str], series: list[tuple[str, str, list]], *, width: int = 640, height: int = 220, y_max: float = 100
) -> str:
    """Daily lines over a 0–y_max axis with a legend; None values leave a gap."""
    left, right, top, bottom = 40, 10, 10, 46
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(len(days), 1)
    step = plot_w / max(n - 1, 1)

    def xy(i, v):
        return left + i * step, top + plot_h * (1 - min(v, y_max) / y_max)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT}" font-size="10">'
    ]
    for tick in range(0, 5):
        value = y_max * tick / 4
        _x, y = xy(0, value)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#dddddd"/>')
        parts.append(f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end">{value:.0f}</text>')
    every = max(1, n // 10)
    for i, day in enumerate(days):
        if i % every == 0:
            x, _y = xy(i, 0)
            parts.append(f'<text x="{x:.1f}" y="{top + plot_h + 14}" text-anchor="middle">{escape(day[5:])}</text>')
    for _name, colour, values in series:
        segment: list[str] = []
        runs: list[list[str]] = []
        for i, v in enumerate(values):
            if v is None:
                if segment:
                    runs.append(segment)
                segment = []
                continue
            x, y = xy(i, v)
            segment.append(f"{x:.1f},{y:.1f}")
        if segment:
            runs.append(segment)
        for run in runs:
            if len(run) == 1:
                x, y = run[0].split(",")
                parts.append(f'<circle cx="{x}" cy="{y}" r="2" fill="{colour}"/>')
            else:
                parts.append(f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" stroke-width="1.5"/>')
    x = left
    for name, colour, _values in series:
        parts.append(f'<rect x="{x}" y="{height - 14}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{x + 14}" y="{height - 5}">{escape(name)}</text>')
        x += 14 + 12 * len(name) + 20
    parts.append("</svg>")
    return "".join(parts)


KIND_NAMES = {"compute": "计算（vCPU）", "memory": "内存（GB）", "storage": "存储（GB）"}


def _pdf(template: str, context: dict) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    with translation.override("zh-hans"):
        html = render_to_string(template, {"platform": PLATFORM, **context})
    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=False)
    return HTML(string=html, url_fetcher=fetcher).write_pdf()


def _utilization_charts(report: UtilizationReport) -> dict[str, str]:
    summary = report.summary or {}
    series = summary.get("series") or {}
    charts = {}
    if any(v is not None for v in series.get("cpu_avg", []) + series.get("memory_avg", [])):
        charts["daily"] = _uri(
            line_chart_svg(
                series["days"],
                [
                    ("CPU 日均值", BLUE, series["cpu_avg"]),
                    ("CPU 日峰值", RED, series["cpu_peak"]),
                    ("内存日均值", GREEN, series["memory_avg"]),
                ],
            )
        )
    counts = summary.get("counts") or {}
    if report.resources:
        charts["flags"] = _uri(
            bar_chart_svg(
                [
                    (FLAG_NAMES[UsageFlag.NORMAL], counts.get(UsageFlag.NORMAL, 0), BLUE),
                    (FLAG_NAMES[UsageFlag.IDLE], counts.get(UsageFlag.IDLE, 0), GREY),
                    (FLAG_NAMES[UsageFlag.OVERLOADED], counts.get(UsageFlag.OVERLOADED, 0), RED),
                    (FLAG_NAMES[UsageFlag.NO_DATA], counts.get(UsageFlag.NO_DATA, 0), ORANGE),
                ],
                unit=" 台",
            )
        )
    departments = summary.get("departments") or []
    if departments:
        charts["departments"] = _uri(
            bar_chart_svg([(d["name"], d["cpu_avg"] or 0.0, BLUE) for d in departments[:20]], unit="%", top=100.0)
        )
    return charts


def utilization_pdf(report: UtilizationReport, flagged: list[UtilizationLine], lines: list[UtilizationLine]) -> bytes:
    return _pdf(
        "reports/utilization_pdf.html",
        {
            "report": report,
            "summary": report.summary or {},
            "period_name": PERIOD_NAMES.get(report.period, ""),
            "charts": _utilization_charts(report),
            "flagged": flagged,
            "lines": lines[:PDF_LINES],
            "more": max(0, report.resources - PDF_LINES),
            "flag_names": FLAG_NAMES,
        },
    )


def utilization_xlsx(report: UtilizationReport, lines) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "资源利用情况表"
    scope = report.organization.name if report.organization_id else "全市"
    sheet.append([f"{PLATFORM} 资源利用情况表（{PERIOD_NAMES.get(report.period, '')}）"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(["范围 / Scope", scope])
    sheet.append(["期间 / Period", f"{report.starts_on:%Y-%m-%d} 至 {report.ends_on:%Y-%m-%d}（不含）"])
    sheet.append(["生成时间 / Generated", report.generated_at.strftime("%Y-%m-%d %H:%M")])
    sheet.append([])
    header = [
        "资源编号 / Resource",
        "名称 / Name",
        "类型 / Kind",
        "部门 / Department",
        "CPU 平均 %",
        "CPU 峰值 %",
        "内存平均 %",
        "内存峰值 %",
        "存储平均 GB",
        "存储峰值 GB",
        "上期 CPU 平均 %",
        "上期内存平均 %",
        "评估 / Assessment",
    ]
    sheet.append(header)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for line in lines:
        sheet.append(
            [
                line.code,
                line.name,
                line.kind,
                line.department,
                line.cpu_avg,
                line.cpu_peak,
                line.memory_avg,
                line.memory_peak,
                line.storage_avg,
                line.storage_peak,
                line.previous_cpu_avg,
                line.previous_memory_avg,
                FLAG_NAMES.get(line.flag, line.flag),
            ]
        )
    for column, width in zip("ABCDEFGHIJKLM", (18, 28, 10, 24, 10, 10, 10, 10, 12, 12, 14, 14, 10), strict=True):
        sheet.column_dimensions[column].width = width
    summary = report.summary or {}
    totals = book.create_sheet("汇总 Summary")
    totals.append(["指标 / Figure", "本期 / This period", "上期 / Period before", "变化 / Change"])
    totals.append(["CPU 平均 %", summary.get("cpu_avg"), summary.get("previous_cpu_avg"), summary.get("cpu_change")])
    totals.append(
        ["内存平均 %", summary.get("memory_avg"), summary.get("previous_memory_avg"), summary.get("memory_change")]
    )
    totals.append([])
    totals.append(["评估 / Assessment", "资源数 / Resources"])
    for flag, name in FLAG_NAMES.items():
        totals.append([name, (summary.get("counts") or {}).get(flag, 0)])
    if summary.get("departments"):
        totals.append([])
        totals.append(["部门 / Department", "资源数", "CPU 平均 %", "内存平均 %", "闲置", "过载"])
        for d in summary["departments"]:
            totals.append([d["name"], d["resources"], d["cpu_avg"], d["memory_avg"], d["idle"], d["overloaded"]])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _analysis_charts(figures: dict) -> dict[str, str]:
    charts = {}
    kinds = (figures.get("capacity") or {}).get("kinds") or []
    if kinds:
        charts["capacity"] = _uri(capacity_chart_svg(kinds))
    states = (figures.get("pipeline") or {}).get("states") or []
    if any(s["count"] for s in states):
        charts["pipeline"] = _uri(bar_chart_svg([(s["label"], s["count"], BLUE) for s in states], unit=" 件"))
    return charts


def analysis_pdf(report: AnalysisReport) -> bytes:
    figures = report.figures or {}
    month = date.fromisoformat(figures.get("month") or report.month.isoformat())
    return _pdf(
        "reports/analysis_pdf.html",
        {
            "report": report,
            "month": month,
            "f": figures,
            "kind_names": KIND_NAMES,
            "charts": _analysis_charts(figures),
        },
    )
