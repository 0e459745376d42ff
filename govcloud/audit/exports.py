"""Writing audit events to XLSX or CSV, streaming, for exports of any size."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

from django.db.models import QuerySet
from django.utils import timezone
from openpyxl import Workbook

from govcloud.audit.actions import action_label

COLUMNS = [
    ("seq", "序号 / Seq"),
    ("occurred_at", "时间 / Time"),
    ("actor_username", "操作人 / Actor"),
    ("actor_name", "姓名 / Name"),
    ("actor_roles", "角色 / Roles"),
    ("organization_name", "单位 / Organization"),
    ("action", "操作 / Action"),
    ("action_label", "操作说明 / Action label"),
    ("outcome", "结果 / Outcome"),
    ("object_type", "对象类型 / Object type"),
    ("object_id", "对象编号 / Object id"),
    ("object_repr", "对象 / Object"),
    ("changes", "变更 / Changes"),
    ("message", "说明 / Message"),
    ("request_id", "请求编号 / Request id"),
    ("source_ip", "来源地址 / Source address"),
    ("hash", "SM3"),
]
BATCH = 2000


def _row(event) -> list:
    values = []
    for name, _title in COLUMNS:
        if name == "occurred_at":
            values.append(timezone.localtime(event.occurred_at).strftime("%Y-%m-%d %H:%M:%S"))
        elif name == "action_label":
            values.append(str(action_label(event.action)))
        else:
            values.append(getattr(event, name))
    return values


def write_events(queryset: QuerySet, fmt: str, path: Path, progress: Callable[[int, int], None]) -> int:
    total = queryset.count()
    count = 0
    if fmt == "csv":
        # UTF-8 with a byte-order mark, so spreadsheet programs open the Chinese text correctly.
        with path.open("w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.writer(handle)
            writer.writerow([title for _name, title in COLUMNS])
            for event in queryset.iterator(chunk_size=BATCH):
                writer.writerow(_row(event))
                count += 1
                if count % BATCH == 0:
                    progress(count, total)
    else:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("audit")
        sheet.append([title for _name, title in COLUMNS])
        for event in queryset.iterator(chunk_size=BATCH):
            sheet.append(_row(event))
            count += 1
            if count % BATCH == 0:
                progress(count, total)
        workbook.save(path)
    progress(count, max(total, count))
    return count
