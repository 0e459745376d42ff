"""One writer for every tabular export (XLSX or CSV), so all of them open the same way."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from django.utils import timezone
from openpyxl import Workbook


def cell(value):
    """A value as a spreadsheet shows it: an aware date-time in the platform's local time, without its
    zone (spreadsheets have none). Stored times are UTC; printed as they are, 09:30 in Taizhou read
    01:30."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def write_table(path: Path, headers: list[str], rows: Iterable[list], *, fmt: str, sheet: str) -> int:
    """Write `rows` under `headers` to `path`; return the number of rows written."""
    count = 0
    if fmt == "csv":
        # UTF-8 with a byte-order mark, so spreadsheet programs open the Chinese text correctly.
        with path.open("w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.writer(handle)
            writer.writerow(headers)
            for row in rows:
                writer.writerow([cell(v) for v in row])
                count += 1
        return count
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet)
    worksheet.append(headers)
    for row in rows:
        worksheet.append([cell(v) for v in row])
        count += 1
    workbook.save(path)
    return count
