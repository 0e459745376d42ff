"""Demo utilization table import; called by govcloud/web/demo.py after the utilization demo.

The provider's operations engineer uploaded this week's 资源利用情况表 as their tables come: a
merged title, Chinese headers in their own order, a subtotal row, percentages as "85%" and
numbers, times as text. Two rows are wrong (a mistyped resource code, CPU 105 %), so the batch has
an error report to download. Idempotent: nothing is done when the engineer has a batch already.
"""

from __future__ import annotations

import io
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from govcloud.ledger.models import Resource, ResourceState
from govcloud.monitoring.models import ImportBatch
from govcloud.monitoring.xlsx_import import XLSX_CONTENT_TYPE

HEADERS = [
    "资源编号",
    "资源名称",
    "统计时间",
    "CPU利用率",
    "内存利用率（%）",
    "磁盘已用（GB）",
    "网络入(Mbps)",
    "网络出(Mbps)",
]


def _disk_gb(resource: Resource) -> float:
    from govcloud.monitoring.alerts import capacity_gb

    return capacity_gb(resource.spec) or 100.0


def _table(resources: list[Resource], days: list) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "本周利用情况"
    sheet["A1"] = "泰州政务云运营服务有限公司 资源利用情况表（周报）"
    sheet.merge_cells("A1:H1")
    sheet.append(HEADERS)
    for day in days:
        for index, resource in enumerate(resources):
            cpu = 18 + (index * 7 + day.day * 3) % 55
            sheet.append(
                [
                    resource.code,
                    resource.name,
                    f"{day:%Y-%m-%d} 09:30",
                    f"{cpu}%" if index % 2 else cpu,
                    40 + (index * 5) % 35,
                    # well below the disk's size: a demo table should not fill disks
                    round(_disk_gb(resource) * (0.3 + 0.05 * index), 1),
                    round(4 + cpu / 6, 1),
                    round(2 + cpu / 9, 1),
                ]
            )
    sheet.append(["小计", None, None, None, None, None, None, None])
    first = resources[0]
    sheet.append(
        [first.code.replace("-", "_"), first.name, f"{days[-1]:%Y-%m-%d} 15:00", 30, 40, 60, 5, 3]
    )  # a mistyped code
    sheet.append([first.code, first.name, f"{days[-1]:%Y/%m/%d} 16:00", 105, 40, 60, 5, 3])  # CPU 105 %
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def load_demo(*, orgs: dict | None = None, users: dict | None = None) -> int:
    """Import the demo table as the provider's engineer; the number of rows accepted."""
    from govcloud.monitoring.imports import import_batch_create
    from govcloud.monitoring.tasks import utilization_import_task

    engineer = (users or {}).get("provider_ops")
    if engineer is None or ImportBatch.objects.filter(uploaded_by=engineer).exists():
        return 0
    from govcloud.monitoring.demo import PROFILES

    # Not the hosts whose use tells a story elsewhere in the demo (the idle front server, the
    # overloaded one): the table's figures would change their alerts and advice.
    resources = list(
        Resource.objects.filter(
            state=ResourceState.IN_SERVICE, kind="host", in_service_at__lte=timezone.now() - timedelta(days=4)
        )
        .exclude(name__in=PROFILES)
        .order_by("pk")[:6]
    )
    if not resources:
        return 0
    today = timezone.localdate()
    days = [today - timedelta(days=n) for n in (3, 2, 1)]
    upload = SimpleUploadedFile(f"资源利用情况表-{today:%Y%m%d}.xlsx", _table(resources, days), XLSX_CONTENT_TYPE)
    batch = import_batch_create(actor=engineer, upload=upload)
    # Run now rather than wait for a worker; the queued task then finds the job finished.
    utilization_import_task.call(str(batch.job_id))
    batch.refresh_from_db()
    # Rolled up at once, so that the alerts demo (run after this one) judges them on the first load
    # and a second load finds nothing new to open.
    from govcloud.core.actors import SYSTEM
    from govcloud.monitoring.models import Period
    from govcloud.monitoring.services import rollups_run

    rollups_run(actor=SYSTEM, period=Period.HOUR)
    rollups_run(actor=SYSTEM, period=Period.DAY)
    return batch.rows_accepted
