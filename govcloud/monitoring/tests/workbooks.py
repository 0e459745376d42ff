"""A utilization table as providers really fill them, built with openpyxl: a merged title row and a
subtitle above the header, Chinese headers (synonyms, full-width brackets) in their own order,
blank, subtotal and footer rows, percentages as "85%", 85, 0.85 in a percent-formatted cell and a
memory column written wholly as fractions, full-width digits, times as text in three forms, an
Excel serial and a real datetime — and seven bad rows, each with one fault.

Times are in November 2026, for the monitoring tests' clock (2026-12-05 10:30, resources in
service since 2026-11-01 09:00); `shift` moves every time by whole days for a test on the real
clock (the browser journey)."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

from openpyxl import Workbook
from openpyxl.utils.datetime import to_excel

HEADERS = ["时间", "内存使用率（%）", "资源编号", "CPU利用率", "资源名称", "网络出(Mbps)", "磁盘已用（GB）", "备注"]

# Row number in the sheet: what becomes of it.
ACCEPTED = {
    4: "text time, 85%",
    5: "date only, plain 85",
    7: "serial, full-width",
    8: "0.85 percent cell",
    17: "datetime",
}
REJECTED = {
    10: "CPU 140",
    11: "unknown resource",
    12: "bad time",
    13: "repeats row 4",
    14: "in the future",
    15: "before in service",
    16: "not a number",
}
SKIPPED = {6: "blank", 9: "小计", 18: "blank", 19: "合计", 20: "填表人"}


def messy_workbook(
    a_code: str, b_code: str, *, title: str = "测试云服务商资源利用情况表（2026年11月）", shift: timedelta = timedelta()
) -> bytes:
    def t(*parts) -> datetime:
        return datetime(*parts) + shift

    def text(*parts) -> str:
        return f"{t(*parts):%Y-%m-%d %H:%M}"

    d3, d4 = t(2026, 11, 3), t(2026, 11, 4, 14)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "11月利用情况"
    sheet["A1"] = title
    sheet.merge_cells("A1:H1")
    sheet["A2"] = "填报单位：测试云服务商        统计周期：2026年11月"
    sheet.merge_cells("A2:H2")
    sheet.append(HEADERS)  # row 3
    rows = [
        # 4: text time, CPU "85%", memory 0.62 (the column is all fractions), disk with its unit
        [text(2026, 11, 3, 14), 0.62, a_code, "85%", "甲局门户服务器", "12.5", "120 GB", ""],
        # 5: a date alone (midnight), CPU a plain 85, lower-case code
        [f"{d3.year}/{d3.month}/{d3.day}", 0.5, b_code.lower(), 85, "乙局业务服务器", 3, 80, "数据汇总服务器"],
        # 6: blank
        [None] * 8,
        # 7: an Excel serial, full-width digits and percent sign
        [to_excel(t(2026, 11, 4, 9, 0)), "７０％", a_code, "８５", "甲局门户服务器", "１２．５", None, None],
        # 8: Chinese date text, CPU 0.85 in a percent-formatted cell (set below)
        [f"{d4.year}年{d4.month}月{d4.day}日 {d4.hour}时", 0.4, a_code, 0.85, "甲局门户服务器", None, 121, None],
        # 9: a subtotal row
        [None, None, "小计", 255, None, 25, 241, None],
        # 10: CPU 140 %
        [text(2026, 11, 4, 15), 0.3, a_code, 140, "甲局门户服务器", None, None, None],
        # 11: not in the ledger
        [text(2026, 11, 4, 15), 0.3, "TZ-VM-404404", 20, "不存在的服务器", None, None, None],
        # 12: no time
        ["下午三点", 0.3, a_code, 20, "甲局门户服务器", None, None, None],
        # 13: the same resource and time as row 4
        [text(2026, 11, 3, 14), 0.3, a_code, 20, "甲局门户服务器", None, None, None],
        # 14: in the future
        [text(2027, 1, 6, 10), 0.3, a_code, 20, "甲局门户服务器", None, None, None],
        # 15: before the resource went into service (2026-11-01 09:00)
        [text(2026, 11, 1, 8), 0.3, a_code, 20, "甲局门户服务器", None, None, None],
        # 16: not a number
        [text(2026, 11, 5, 10), 0.3, a_code, "高", "甲局门户服务器", None, None, None],
        # 17: a real datetime
        [t(2026, 11, 5, 8, 0), None, b_code, 33.3, "乙局业务服务器", None, None, None],
        # 18: blank (spaces only)
        ["  ", None, None, None, None, None, None, None],
        # 19: the total
        ["合计", None, None, 473.3, None, 40, 321, None],
        # 20: the footer
        ["填表人：张三    审核人：李四", None, None, None, None, None, None, None],
    ]
    for row in rows:
        sheet.append(row)
    sheet["D8"].number_format = "0%"
    sheet["A17"].number_format = "yyyy-mm-dd hh:mm"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def simple_workbook(rows: list[list], headers=("资源编码", "时间", "CPU使用率(%)", "内存使用率(%)")) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
