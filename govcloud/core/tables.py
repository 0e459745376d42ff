"""One writer for every tabular export (XLSX or CSV), so all of them open the same way."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from openpyxl import Workbook


def write_table(path: Path, headers: list[str], rows: Iterable[list], *, fmt: str, sheet: str) -> int:
    """Write `rows` under `headers` to `path`; return the number of rows written."""
    count = 0
    if fmt == "csv":
        # UTF-8 with a byte-order mark, so spreadsheet programs open the Chinese text correctly.
        with path.open("w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.writer(handle)
            writer.writerow(headers)
            for row in rows:
                writer.writerow(row)
                count += 1
        return count
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet)
    worksheet.append(headers)
    for row in rows:
        worksheet.append(row)
        count += 1
    workbook.save(path)
    return count
