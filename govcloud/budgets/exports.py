"""The budget-preparation table as an XLSX workbook (openpyxl), built synchronously: one row per
department, a few hundred at most."""

from __future__ import annotations

from collections.abc import Iterable
from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from govcloud.budgets.selectors import BudgetRow


def _float(value):
    return None if value is None else float(value)


def budget_table_xlsx(rows: Iterable[BudgetRow], *, year: int) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = str(year)
    headers = [
        _("Department"),
        _("Resources held"),
        _("vCPU"),
        _("Memory (GB)"),
        _("Disk (GB)"),
        _("Average monthly cost (yuan)"),
        _("Cost %(year)s (yuan)") % {"year": year},
        _("Cost %(year)s (yuan)") % {"year": year - 1},
        _("Change (yuan)"),
        _("Change (%)"),
        _("Budget %(year)s (yuan)") % {"year": year},
        _("Used (%)"),
        _("Forecast to year end (yuan)"),
        _("Forecast (%)"),
    ]
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(
            [
                row.organization.name,
                row.resources,
                row.vcpu,
                row.memory_gb,
                row.disk_gb,
                _float(row.average_monthly),
                _float(row.cost),
                _float(row.last_year),
                _float(row.change),
                _float(row.change_percent),
                _float(row.amount),
                _float(row.percent_used),
                _float(row.forecast),
                _float(row.forecast_percent),
            ]
        )
    ws.column_dimensions["A"].width = 32
    ws.freeze_panes = "B2"
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
