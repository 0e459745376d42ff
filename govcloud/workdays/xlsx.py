"""The XLSX form of a year's notice: one row per day — date, kind (holiday/workday, or 休/班), name."""

from __future__ import annotations

import io
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from govcloud.workdays.models import DayKind
from govcloud.workdays.services import DayEntry

HEADERS = ["date", "kind", "name"]
_KIND_WORDS = {
    "holiday": DayKind.HOLIDAY,
    "休": DayKind.HOLIDAY,
    "假": DayKind.HOLIDAY,
    "节假日": DayKind.HOLIDAY,
    "workday": DayKind.WORKDAY,
    "班": DayKind.WORKDAY,
    "调休上班": DayKind.WORKDAY,
    "上班": DayKind.WORKDAY,
}
MAX_ROWS = 400


def template_workbook(year: int) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"{year}"
    sheet.append(HEADERS)
    sheet.append([date(year, 1, 1), "holiday", "元旦"])
    sheet.append([date(year, 10, 1), "holiday", "国庆节"])
    sheet.append(["(example) YYYY-MM-DD", "workday", "国庆节调休上班"])
    for column, width in zip("ABC", (16, 12, 24), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _as_date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def parse_workbook(data: bytes) -> list[DayEntry]:
    """All rows, or a ValidationError naming every bad row (nothing is imported then)."""
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for a file that is not XLSX
        raise ValidationError(_("The file is not an XLSX workbook.")) from exc
    sheet = workbook.worksheets[0]
    entries, errors = [], []
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        if number > MAX_ROWS:
            errors.append(_("The file has more than %(max)d rows.") % {"max": MAX_ROWS})
            break
        cells = list(row[:3]) + [None] * (3 - len(row[:3]))
        if all(c in (None, "") for c in cells):
            continue
        if number == 1 and str(cells[0]).strip().lower() in ("date", "日期"):
            continue
        if isinstance(cells[0], str) and cells[0].startswith("(example)"):
            continue
        day = _as_date(cells[0])
        kind = _KIND_WORDS.get(str(cells[1] or "").strip().lower())
        if day is None:
            errors.append(
                _("Row %(row)d: “%(value)s” is not a date (YYYY-MM-DD).") % {"row": number, "value": cells[0]}
            )
            continue
        if kind is None:
            errors.append(
                _("Row %(row)d: the kind must be holiday (休) or workday (班), not “%(value)s”.")
                % {"row": number, "value": cells[1]}
            )
            continue
        entries.append(DayEntry(day, kind, str(cells[2] or "").strip()))
    workbook.close()
    if errors:
        raise ValidationError(errors)
    return entries
