"""The provider's utilization table (资源利用情况表) as XLSX: the template, the reading of a filled
table as real ones come, and the per-row error report. Pure workbook work — no database; the
import service (govcloud/monitoring/imports.py) checks the rows through `samples_ingest`.

The table: one row per resource and time, a column per metric (CPU使用率, 内存使用率, 磁盘已用(GB),
磁盘IOPS, 网络入(Mbps), 网络出(Mbps), 存储已用(GB)); a long layout (资源编码, 指标, 时间, 数值) is
read too. What real tables contain and how it is read:

- Title rows (merged or not) above the header: the header row is the first of the first
  `HEADER_SEARCH_ROWS` rows that names a resource-code column, a time column and at least one
  metric column (or 指标 and 数值), by their names or Chinese synonyms, in any column order, with
  or without units in brackets; the first sheet that has such a row is read.
- Blank rows, and subtotal/footer rows (合计, 小计, 总计, 汇总, 平均, 填表人, 审核, 备注 … in a row
  without a resource code), are skipped and counted, never errors.
- Numbers as numbers or text, with full-width digits (８５％ is 85 %), thousands separators and
  the column's unit written after them ("120 GB").
- Percent columns (CPU, memory), the rule: text with a % sign is a percentage ("85%" = 85); a
  number in a cell formatted as a percentage is a fraction (0.85 shown as 85% = 85); a plain
  number is a percentage (85 = 85) — unless every plain number of that column in the file lies
  between 0 and 1 and at least one is strictly between (the whole column was written as
  fractions: 0.85 = 85). A column of 0.3, 0.5 meant as 0.3 % and 0.5 % is therefore read as 30 %
  and 50 %: the instructions sheet asks for 0–100 or a % sign.
- Times as real date-times, Excel serial numbers (a cell not formatted as a date), or text:
  "2026-11-03 14:00", "2026/11/3", "2026.11.03 9:05", "2026年11月3日 14时", "2026年11月3日14时30分",
  ISO 8601 with an offset. A time without an offset is Asia/Shanghai local time.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.datavalidation import DataValidation

from govcloud.monitoring.models import METRIC_RANGES, PERCENT_METRICS, Metric

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_SEARCH_ROWS = 30
TEMPLATE_ROWS = 1000
TIME_FORMAT = "yyyy-mm-dd hh:mm"

CODE, NAME, TIME, METRIC, VALUE = "code", "name", "time", "metric", "value"

# The template's headers, in its order; also the names the error report and messages use.
METRIC_HEADERS: dict[str, str] = {
    Metric.CPU_PERCENT: "CPU使用率(%)",
    Metric.MEMORY_PERCENT: "内存使用率(%)",
    Metric.DISK_USED_GB: "磁盘已用(GB)",
    Metric.DISK_IOPS: "磁盘IOPS",
    Metric.NETWORK_IN_MBPS: "网络入(Mbps)",
    Metric.NETWORK_OUT_MBPS: "网络出(Mbps)",
    Metric.STORAGE_USED_GB: "存储已用(GB)",
}
TEMPLATE_HEADERS = ["资源编码", "资源名称", "时间", *METRIC_HEADERS.values()]

# Header names as providers write them (normalized by `_norm` before comparing).
_SYNONYMS: dict[str, tuple[str, ...]] = {
    CODE: (
        "资源编码",
        "资源编号",
        "资源代码",
        "台账编号",
        "资源台账编号",
        "资源号",
        "编码",
        "编号",
        "resource",
        "resourcecode",
        "code",
    ),
    NAME: ("资源名称", "名称", "主机名", "主机名称", "云主机名称", "资源名", "name"),
    TIME: (
        "时间",
        "采集时间",
        "统计时间",
        "监测时间",
        "采样时间",
        "记录时间",
        "数据时间",
        "日期",
        "日期时间",
        "时间点",
        "time",
        "datetime",
        "date",
    ),
    METRIC: ("指标", "指标名称", "监测指标", "metric"),
    VALUE: ("数值", "值", "指标值", "监测值", "value"),
    Metric.CPU_PERCENT: ("cpu使用率", "cpu利用率", "cpu占用率", "cpu", "处理器使用率", Metric.CPU_PERCENT),
    Metric.MEMORY_PERCENT: ("内存使用率", "内存利用率", "内存占用率", "内存", Metric.MEMORY_PERCENT),
    Metric.DISK_USED_GB: (
        "磁盘已用",
        "磁盘使用量",
        "磁盘已用容量",
        "磁盘用量",
        "已用磁盘",
        "磁盘已使用",
        Metric.DISK_USED_GB,
    ),
    Metric.DISK_IOPS: ("磁盘iops", "iops", "磁盘读写iops", Metric.DISK_IOPS),
    Metric.NETWORK_IN_MBPS: (
        "网络入",
        "网络流入",
        "入流量",
        "网络入流量",
        "入带宽",
        "网络入带宽",
        "入网流量",
        Metric.NETWORK_IN_MBPS,
    ),
    Metric.NETWORK_OUT_MBPS: (
        "网络出",
        "网络流出",
        "出流量",
        "网络出流量",
        "出带宽",
        "网络出带宽",
        "出网流量",
        Metric.NETWORK_OUT_MBPS,
    ),
    Metric.STORAGE_USED_GB: ("存储已用", "存储使用量", "存储已用容量", "存储用量", "已用存储", Metric.STORAGE_USED_GB),
}
# A row without a resource code holding one of these words is a subtotal or footer: skipped.
_SKIP_WORDS = ("合计", "小计", "总计", "汇总", "平均", "填表", "制表", "审核", "备注", "说明", "负责人", "联系人")
# Cells meaning "no value".
_BLANKS = frozenset({"", "-", "--", "—", "——", "/", "n/a", "na", "null", "无"})
# Units written after a number, by metric.
_UNITS = {
    Metric.DISK_USED_GB: ("gb", "g"),
    Metric.STORAGE_USED_GB: ("gb", "g"),
    Metric.DISK_IOPS: ("iops",),
    Metric.NETWORK_IN_MBPS: ("mbps", "mb/s", "m"),
    Metric.NETWORK_OUT_MBPS: ("mbps", "mb/s", "m"),
}
# Excel serials of 2000-01-01 and 2100-01-01: a number outside is no time.
_SERIAL_RANGE = (36526, 73051)
_TEXT_TIME = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:\s*[tT]?\s*(\d{1,2})\s*(?:[:时点]\s*(?:(\d{1,2})\s*(?:[:分]\s*(?:(\d{1,2})\s*秒?)?)?)?)?)?$"
)


def _norm(text: Any) -> str:
    """A header or word as compared: half-width, lower case, without spaces, brackets' contents
    (units) or punctuation."""
    value = unicodedata.normalize("NFKC", str(text or "")).lower()
    value = re.sub(r"\(.*?\)|\[.*?\]|【.*?】", "", value)
    return re.sub(r"[\s_%*:/\\\-—.]", "", value)


_HEADER_WORDS: dict[str, str] = {}
for _field, _names in _SYNONYMS.items():
    for _name in _names:
        _HEADER_WORDS.setdefault(_norm(_name), str(_field))
_METRIC_WORDS = {w: f for w, f in _HEADER_WORDS.items() if f in METRIC_HEADERS}
_METRIC_WORDS.update({_norm(Metric(m).label): m for m in Metric.values})
_METRIC_WORDS.update({_norm(h): m for m, h in METRIC_HEADERS.items()})


class UnreadableFile(Exception):
    """The file is not an XLSX workbook, or is damaged; the message says which, in words."""


# --- Template --------------------------------------------------------------------------------------


_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
_TITLE_FONT = Font(bold=True, size=14)
_BOLD = Font(bold=True)


def template_workbook() -> bytes:
    """The empty table to fill: a merged title row, the headers, formats and validations for
    `TEMPLATE_ROWS` rows, and an instructions sheet."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "资源利用情况表"
    last = get_column_letter(len(TEMPLATE_HEADERS))
    sheet["A1"] = "资源利用情况表（填报单位：          统计周期：          ）"
    sheet["A1"].font = _TITLE_FONT
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.merge_cells(f"A1:{last}1")
    sheet.append(TEMPLATE_HEADERS)
    for cell in sheet[2]:
        cell.font = _BOLD
        cell.fill = _HEAD_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    widths = [18, 24, 18] + [14] * len(METRIC_HEADERS)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A3"
    end = TEMPLATE_ROWS + 2
    for row in range(3, end + 1):
        sheet.cell(row=row, column=3).number_format = TIME_FORMAT
    time_check = DataValidation(
        type="date",
        operator="greaterThan",
        formula1="36526",
        allow_blank=True,
        errorStyle="warning",
        errorTitle="时间",
        error="请填写日期时间，例如 2026-11-03 14:00（北京时间）。",
        promptTitle="时间",
        prompt="北京时间，例如 2026-11-03 14:00",
    )
    time_check.add(f"C3:C{end}")
    sheet.add_data_validation(time_check)
    for index, metric in enumerate(METRIC_HEADERS, start=4):
        low, high = METRIC_RANGES[metric]
        check = DataValidation(
            type="decimal",
            operator="between",
            formula1=f"{low:g}",
            formula2=f"{high:g}",
            allow_blank=True,
            errorStyle="warning",
            errorTitle=METRIC_HEADERS[metric],
            error=f"应为 {low:g} 到 {high:g} 之间的数值。",
        )
        column = get_column_letter(index)
        check.add(f"{column}3:{column}{end}")
        sheet.add_data_validation(check)
    notes = workbook.create_sheet("填写说明")
    notes.column_dimensions["A"].width = 110
    lines = [
        ("资源利用情况表填写说明", _TITLE_FONT),
        ("1. 每行填写一项资源在一个时间点的利用情况；资源编码为资源台账中的编号（如 TZ-VM-000123）。", None),
        ("2. 时间为北京时间，例如 2026-11-03 14:00；也可写 2026/11/3 14:00 或 2026年11月3日 14时。", None),
        ("3. CPU使用率、内存使用率填 0–100 的数值（85 表示 85%），也可写 85%。", None),
        ("4. 磁盘已用、存储已用单位为 GB；网络入、网络出单位为 Mbps；磁盘IOPS 为每秒读写次数。", None),
        ("5. 不需要的指标可留空；整行为空、合计、小计行会被跳过。", None),
        ("6. 列的顺序可以调整，标题行上方可以有表名；请勿修改表头名称。", None),
        ("7. 上传后在“导入利用情况表”页面查看进度；有错误的行可下载错误报告，改正后重新上传。", None),
        ("8. 同一文件重复上传不会重复记录数据。", None),
        ("", None),
        ("示例：", _BOLD),
    ]
    for text, font in lines:
        notes.append([text])
        if font:
            notes.cell(row=notes.max_row, column=1).font = font
    notes.append([" | ".join(TEMPLATE_HEADERS)])
    notes.append(["TZ-VM-000123 | 门户网站应用服务器 | 2026-11-03 14:00 | 35.5 | 62% | 120 | 850 | 12.4 | 30.1 | 500"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Reading ---------------------------------------------------------------------------------------


@dataclass
class Row:
    number: int  # the row's number in the sheet, from 1
    cells: list[Any]  # the original values, as read
    formats: list[str]
    code: str = ""
    at: datetime | None = None
    values: dict[str, float] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    skipped: bool = False
    # The numbers as written, resolved into `values` once each percent column is known whole.
    numbers: dict[str, _Number] = field(default_factory=dict)


@dataclass
class Table:
    sheet: str
    header_row: int
    headers: list[Any]  # the header row's cells as written
    rows: list[Row]
    columns: dict[str, int] = field(default_factory=dict)  # field (CODE, TIME, a metric…): index
    fractions: set[str] = field(default_factory=set)  # percent columns written wholly as fractions

    @property
    def data_rows(self) -> list[Row]:
        return [r for r in self.rows if not r.skipped]


@dataclass
class _Number:
    value: float
    kind: str  # "plain", "percent_text" (85%), "percent_format" (0.85 shown as 85%)


def _text(value: Any) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip()


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and _text(value).lower() in _BLANKS)


def _number(value: Any, number_format: str, metric: str) -> _Number | None:
    """A cell as a number, or None when it is not one (a blank is handled by the caller)."""
    percent_format = "%" in (number_format or "")
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return _Number(float(value), "percent_format" if percent_format else "plain")
    if not isinstance(value, str):
        return None
    text = _text(value).lower().replace(",", "").replace(" ", "")
    kind = "plain"
    if text.endswith("%"):
        text, kind = text[:-1], "percent_text"
    else:
        for unit in _UNITS.get(metric, ()):
            if text.endswith(unit):
                text = text[: -len(unit)]
                break
    try:
        number = float(text)
    except ValueError:
        return None
    if number != number or number in (float("inf"), float("-inf")):
        return None
    return _Number(number, kind)


def _aware(moment: datetime) -> datetime:
    # A time without an offset is the platform's local time (Asia/Shanghai).
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _round_second(moment: datetime) -> datetime:
    # Excel serials carry floating-point noise (14:00 read back as 13:59:59.99997).
    return (moment + timedelta(microseconds=500_000)).replace(microsecond=0)


def parse_time(value: Any) -> datetime | None:
    """A time cell as an aware datetime, or None when it is not a time."""
    if isinstance(value, datetime):
        return _aware(_round_second(value))
    if isinstance(value, date):
        return _aware(datetime.combine(value, time()))
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        if not _SERIAL_RANGE[0] <= value <= _SERIAL_RANGE[1]:
            return None
        return _aware(_round_second(from_excel(value)))
    if not isinstance(value, str):
        return None
    text = _text(value)
    match = _TEXT_TIME.match(text)
    if match:
        parts = [int(p) if p else 0 for p in match.groups()]
        try:
            return _aware(datetime(*parts))
        except ValueError:
            return None
    try:
        return _aware(datetime.fromisoformat(text))
    except ValueError:
        pass
    try:  # a serial written as text
        return parse_time(float(text))
    except ValueError:
        return None


def _header_map(cells: list[Any]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        if cell is None:
            continue
        name = _HEADER_WORDS.get(_norm(cell))
        if name and name not in found:
            found[name] = index
    return found


def _is_header(found: dict[str, int]) -> bool:
    has_metric = any(m in found for m in METRIC_HEADERS) or (METRIC in found and VALUE in found)
    return CODE in found and TIME in found and has_metric


def _open(data: bytes):
    if not data.startswith(b"PK\x03\x04"):
        raise UnreadableFile(
            _("The file is not an XLSX workbook (Excel 2007 or later); save it as .xlsx and upload it again.")
        )
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, IndexError) as exc:
        raise UnreadableFile(_("The workbook is damaged and cannot be read: %(error)s") % {"error": exc}) from exc
    except Exception as exc:  # openpyxl raises many kinds for a broken package
        raise UnreadableFile(_("The workbook is damaged and cannot be read: %(error)s") % {"error": exc}) from exc


def read_table(data: bytes, *, max_rows: int) -> Table | None:
    """The first sheet's table that has a header row, its rows read and checked one by one;
    None when no sheet has a header row. UnreadableFile for a file that is no workbook."""
    workbook = _open(data)
    try:
        for sheet in workbook.worksheets:
            table = _read_sheet(sheet, max_rows=max_rows)
            if table is not None:
                return table
        return None
    except UnreadableFile:
        raise
    except Exception as exc:  # a sheet's XML broken half-way
        raise UnreadableFile(_("The workbook is damaged and cannot be read: %(error)s") % {"error": exc}) from exc
    finally:
        workbook.close()


def _read_sheet(sheet, *, max_rows: int) -> Table | None:
    if hasattr(sheet, "reset_dimensions"):
        # Files written by other tools often declare a wrong size; read every row there is.
        sheet.reset_dimensions()
    rows = sheet.iter_rows()
    header: list[Any] | None = None
    columns: dict[str, int] = {}
    header_number = 0
    for number, cells in enumerate(rows, start=1):
        if number > HEADER_SEARCH_ROWS:
            return None
        values = [getattr(c, "value", None) for c in cells]
        columns = _header_map(values)
        if _is_header(columns):
            header, header_number = values, number
            break
    if header is None:
        return None
    width = max(i for i, v in enumerate(header) if v is not None) + 1
    table = Table(sheet=sheet.title, header_row=header_number, headers=header[:width], rows=[], columns=columns)
    for number, cells in enumerate(rows, start=header_number + 1):
        cells = list(cells)
        values = [getattr(c, "value", None) for c in cells][:width]
        formats = [getattr(c, "number_format", "") or "" for c in cells][:width]
        values += [None] * (width - len(values))
        formats += [""] * (width - len(formats))
        if len(table.rows) >= max_rows and not all(_is_blank(v) for v in values):
            raise UnreadableFile(
                _("The table has more than %(max)s rows; split it into several files.") % {"max": max_rows}
            )
        table.rows.append(_read_row(number, values, formats, columns))
    # Blank rows after the table (a template's formatted rows) are not the table's.
    while table.rows and table.rows[-1].skipped and all(_is_blank(v) for v in table.rows[-1].cells):
        table.rows.pop()
    table.fractions = _fractions_to_percent(table.rows)
    for row in table.data_rows:
        _check_ranges(row)
    return table


def _read_row(number: int, values: list[Any], formats: list[str], columns: dict[str, int]) -> Row:
    row = Row(number=number, cells=values, formats=formats)
    if all(_is_blank(v) for v in values):
        row.skipped = True
        return row
    raw_code = values[columns[CODE]]
    code = "" if _is_blank(raw_code) else _text(raw_code).upper()
    words = [_text(v) for v in values if isinstance(v, str)]
    if (not code or not re.search(r"\d", code)) and any(w in text for text in words for w in _SKIP_WORDS):
        row.skipped = True  # a subtotal or footer row
        return row
    row.code = code
    if not code:
        row.errors.append(_("The resource code is missing."))
    elif len(code) > 40:
        row.errors.append(_("The resource code “%(code)s” is too long.") % {"code": code[:40]})
    raw_time = values[columns[TIME]]
    if _is_blank(raw_time):
        row.errors.append(_("The time is missing."))
    else:
        row.at = parse_time(raw_time)
        if row.at is None:
            row.errors.append(
                _("The time “%(value)s” is not a date and time (e.g. 2026-11-03 14:00).") % {"value": _shown(raw_time)}
            )
    pairs: list[tuple[str, Any, str]] = []
    if METRIC in columns and VALUE in columns and not any(m in columns for m in METRIC_HEADERS):
        raw_metric = values[columns[METRIC]]
        metric = _METRIC_WORDS.get(_norm(raw_metric))
        if metric is None:
            row.errors.append(_("Unknown metric “%(value)s”.") % {"value": _shown(raw_metric)})
        else:
            pairs.append((metric, values[columns[VALUE]], formats[columns[VALUE]]))
    else:
        pairs = [(m, values[columns[m]], formats[columns[m]]) for m in METRIC_HEADERS if m in columns]
    numbers: dict[str, _Number] = {}
    for metric, raw, number_format in pairs:
        if _is_blank(raw):
            continue
        number = _number(raw, number_format, metric)
        if number is None:
            row.errors.append(
                _("%(column)s: “%(value)s” is not a number.") % {"column": METRIC_HEADERS[metric], "value": _shown(raw)}
            )
        else:
            numbers[metric] = number
    if not numbers and not row.errors:
        row.errors.append(_("The row has no values."))
    row.numbers = numbers
    return row


def _fractions_to_percent(rows: list[Row]) -> set[str]:
    """Apply the percent rule (module docstring) to every percent column; the columns read as
    fractions."""
    fractions = set()
    data = [r for r in rows if not r.skipped]
    for metric in PERCENT_METRICS:
        plain = [r.numbers[metric].value for r in data if metric in r.numbers and r.numbers[metric].kind == "plain"]
        as_fractions = bool(plain) and all(0 <= v <= 1 for v in plain) and any(0 < v < 1 for v in plain)
        if as_fractions:
            fractions.add(metric)
        for row in data:
            number = row.numbers.get(metric)
            if number is None:
                continue
            if number.kind == "percent_format" or (number.kind == "plain" and as_fractions):
                row.numbers[metric] = _Number(round(number.value * 100, 6), number.kind)
    for row in data:
        row.values = {m: n.value for m, n in row.numbers.items()}
    return fractions


def _check_ranges(row: Row) -> None:
    for metric, value in row.values.items():
        low, high = METRIC_RANGES[metric]
        if not low <= value <= high:
            row.errors.append(
                _("%(column)s: %(value)s is outside %(low)s–%(high)s.")
                % {"column": METRIC_HEADERS[metric], "value": f"{value:g}", "low": f"{low:g}", "high": f"{high:g}"}
            )


def _shown(value: Any) -> str:
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    return str(value)[:60]


# --- The error report ------------------------------------------------------------------------------


_ERROR_FILL = PatternFill("solid", fgColor="FDE2E1")
_ERROR_FONT = Font(color="9C0006")


def _safe(value: Any) -> Any:
    # Text that Excel would take for a formula is written as text (no formula injection).
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") and len(value) > 1:
        return "'" + value
    return value


def _width(value: Any) -> int:
    # Display width: a CJK character takes two columns.
    text = _shown(value) if not isinstance(value, float) else f"{value:g}"
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text or ""))


def _percent_as_read(table: Table, row: Row, index: int, value: Any) -> tuple[Any, str | None]:
    """A percent cell as the report writes it, so that the report alone reads as the file did: a
    plain number of a column read as fractions gets a percent format (0.3 shows and reads as
    30%); a plain fraction of a column read as percentages becomes "0.5%" (alone, it could look
    like a fraction column)."""
    metric = next((m for m in PERCENT_METRICS if table.columns.get(m) == index), None)
    number = row.numbers.get(metric) if metric else None
    if number is None or number.kind != "plain" or isinstance(value, str):
        return value, None
    if metric in table.fractions:
        return value, "0%" if float(round(number.value * 100, 6)).is_integer() else "0.0#%"
    if 0 < number.value < 1:
        return f"{number.value:g}%", None
    return value, None


def error_report(table: Table, rows: Iterable[tuple[Row, list[str]]], *, title: str) -> bytes:
    """The rejected rows as written in the file, with the original row number before them and
    the reasons (错误原因) beside them; the header row as in the file, so that the corrected report
    can be uploaded again."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "错误报告"
    headers = ["原行号", *[h if h is not None else "" for h in table.headers], "错误原因"]
    last = get_column_letter(len(headers))
    sheet["A1"] = title
    sheet["A1"].font = _TITLE_FONT
    sheet.merge_cells(f"A1:{last}1")
    sheet.append(headers)
    for cell in sheet[2]:
        cell.font = _BOLD
        cell.fill = _HEAD_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet[f"{last}2"].fill = _ERROR_FILL
    widths = [_width(h) for h in headers]
    count = 0
    for row, reasons in rows:
        count += 1
        values, formats = [], []
        for index, value in enumerate(row.cells):
            value, number_format = _percent_as_read(table, row, index, value)
            values.append(_safe(value))
            formats.append(number_format or row.formats[index])
        sheet.append([row.number, *values, "；".join(reasons)])
        line = sheet.max_row
        for offset, number_format in enumerate(formats, start=2):
            cell = sheet.cell(row=line, column=offset)
            widths[offset - 1] = max(widths[offset - 1], _width(cell.value))
            if isinstance(cell.value, datetime):
                cell.number_format = TIME_FORMAT
            elif number_format and number_format != "General":
                cell.number_format = number_format
        reason = sheet.cell(row=line, column=len(headers))
        reason.fill = _ERROR_FILL
        reason.font = _ERROR_FONT
        reason.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 8
    for index in range(2, len(headers)):
        sheet.column_dimensions[get_column_letter(index)].width = max(8, min(40, widths[index - 1] + 2))
    sheet.column_dimensions[last].width = 60
    sheet.freeze_panes = "B3"
    sheet.auto_filter.ref = f"A2:{last}{max(2, count + 2)}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
