"""A statement as XLSX (openpyxl) and as PDF (WeasyPrint with the system's Noto CJK fonts), with
the platform's header, a bar chart of cost per resource type drawn here as SVG (no plotting
library), and the verification code that the statement page checks."""

from __future__ import annotations

import base64
import io
import logging
from decimal import Decimal
from xml.sax.saxutils import escape

from django.template.loader import render_to_string
from django.utils import translation
from openpyxl import Workbook

from govcloud.billing.models import Statement, StatementLine
from govcloud.billing.selectors import statement_summary
from govcloud.catalog.models import PriceUnit, ResourceKind
from govcloud.core.tables import cell

logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

PLATFORM = "政务云平台管理系统"
KIND_NAMES = {
    ResourceKind.HOST: "云主机",
    ResourceKind.DATABASE: "云数据库",
    ResourceKind.STORAGE: "云存储",
    ResourceKind.LOAD_BALANCER: "负载均衡",
    ResourceKind.NETWORK_ACCESS: "网络接入",
    ResourceKind.SECURITY: "安全服务",
}


def cost_chart_svg(per_kind: list[tuple], width: int = 520, bar_height: int = 22) -> str:
    """Horizontal bars of cost per resource type, as SVG text."""
    rows = [(KIND_NAMES.get(kind, kind), amount) for _label, kind, amount in per_kind]
    top = max([abs(a) for _n, a in rows] + [Decimal(1)])
    height = bar_height * max(len(rows), 1) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="Noto Sans CJK SC, sans-serif" font-size="11">'
    ]
    for i, (name, amount) in enumerate(rows):
        y = 5 + i * bar_height
        length = int(300 * abs(amount) / top)
        parts.append(f'<text x="0" y="{y + 15}">{escape(name)}</text>')
        parts.append(f'<rect x="90" y="{y + 3}" width="{length}" height="{bar_height - 8}" fill="#2f6fb0"/>')
        parts.append(f'<text x="{95 + length}" y="{y + 15}">{amount:,.2f}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _context(statement: Statement, lines: list[StatementLine]) -> dict:
    summary = statement_summary(statement, lines)
    chart = cost_chart_svg(summary["per_kind"])
    return {
        "platform": PLATFORM,
        "statement": statement,
        "lines": lines,
        "summary": summary,
        "kind_names": KIND_NAMES,
        "unit_labels": dict(PriceUnit.choices),
        "chart_uri": "data:image/svg+xml;base64," + base64.b64encode(chart.encode("utf-8")).decode("ascii"),
    }


def statement_pdf(statement: Statement, lines: list[StatementLine]) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # The statement is an official Chinese document whatever language the reader's pages are in.
    with translation.override("zh-hans"):
        html = render_to_string("billing/statement_pdf.html", _context(statement, lines))
    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=False)
    return HTML(string=html, url_fetcher=fetcher).write_pdf()


def statement_xlsx(statement: Statement, lines: list[StatementLine]) -> bytes:
    summary = statement_summary(statement, lines)
    book = Workbook()
    sheet = book.active
    sheet.title = "对账单"
    sheet.append([f"{PLATFORM} 对账单 / Statement"])
    sheet.append(["编号 / Number", statement.number])
    sheet.append(["部门 / Department", statement.organization.name])
    sheet.append(["月份 / Month", f"{statement.period:%Y-%m}"])
    sheet.append(["状态 / State", statement.get_state_display()])
    sheet.append(["合计 / Total (CNY)", statement.total])
    sheet.append(["校验码 / Verification code", statement.verification_code])
    sheet.append([])
    sheet.append(
        [
            "资源编号 / Resource",
            "信息系统 / System",
            "类型 / Type",
            "计量单位 / Unit",
            "明细 / Detail",
            "数量 / Quantity",
            "单价 / Unit price",
            "开始 / From",
            "结束 / Until",
            "秒 / Seconds",
            "金额 / Amount",
            "调整 / Adjusts",
            "原因 / Reason",
        ]
    )
    for line in lines:
        sheet.append(
            [
                line.resource.code if line.resource else "",
                line.system.name if line.system else "",
                KIND_NAMES.get(line.resource_kind, line.resource_kind),
                line.get_unit_display(),
                line.unit_detail_display,
                line.quantity,
                line.unit_price,
                cell(line.starts_at),
                cell(line.ends_at),
                line.seconds,
                line.amount,
                line.adjusts.statement.number if line.adjusts_id else "",
                line.reason,
            ]
        )
    kinds = book.create_sheet("小计 Subtotals")
    kinds.append(["资源类型 / Type", "金额 / Amount"])
    for _label, kind, amount in summary["per_kind"]:
        kinds.append([KIND_NAMES.get(kind, kind), amount])
    kinds.append([])
    kinds.append(["信息系统 / System", "金额 / Amount"])
    for system, amount in summary["per_system"]:
        kinds.append([system.name if system else "—", amount])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
