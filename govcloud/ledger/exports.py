"""XLSX (or CSV) export of the resource ledger, as a background job with progress.

The export contains exactly what the requester may see: the job re-applies their scope and their
filters when it runs. The request is an audit event (with the filters used)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from govcloud.audit.services import export_start
from govcloud.catalog.models import NetworkKind, ResourceKind
from govcloud.catalog.selectors import os_image_choices
from govcloud.core.actors import Actor
from govcloud.core.models import Job
from govcloud.core.permissions import require_role
from govcloud.core.roles import DEPARTMENT_ROLES
from govcloud.core.tables import write_table
from govcloud.ledger.filters import ResourceFilter
from govcloud.ledger.models import LEDGER_VIEWERS, Resource, ResourceState
from govcloud.ledger.selectors import resources_for

EXPORTERS = LEDGER_VIEWERS | DEPARTMENT_ROLES
BATCH = 2000

COLUMNS = [
    ("code", "资源编号 / Resource number"),
    ("name", "名称 / Name"),
    ("organization", "使用部门 / Department"),
    ("system", "信息系统 / Information system"),
    ("kind", "资源类型 / Type"),
    ("catalog_item", "目录项 / Catalog item"),
    ("state", "状态 / State"),
    ("vcpu", "vCPU"),
    ("memory_gb", "内存(GB) / Memory (GB)"),
    ("disk_gb", "硬盘(GB) / Disk (GB)"),
    ("storage_tb", "存储(TB) / Storage (TB)"),
    ("bandwidth_mbps", "带宽(Mbps) / Bandwidth (Mbps)"),
    ("public_addresses", "公网地址 / Public addresses"),
    ("os_image", "操作系统 / Operating system"),
    ("network", "网络 / Network"),
    ("addresses", "地址 / Addresses"),
    ("application", "来源申请 / Application of origin"),
    ("delivered_at", "交付时间 / Delivered"),
    ("in_service_at", "开通时间 / In service since"),
    ("terminated_at", "终止时间 / Terminated"),
]


def resources_export_start(*, actor: Actor, filters: dict[str, str], fmt: str = "xlsx") -> Job:
    """Export the resources this user may see, filtered, in the background."""
    from govcloud.ledger.tasks import resources_export_task

    require_role(actor, EXPORTERS)
    return export_start(
        actor=actor,
        kind="ledger.export",
        label=_("Resource ledger export (%(fmt)s)") % {"fmt": fmt.upper()},
        task=resources_export_task,
        action="resource.export",
        filters=filters,
        allowed=ResourceFilter.base_filters,
        fmt=fmt,
    )


def export_queryset(*, user, filters: dict) -> QuerySet[Resource]:
    request = SimpleNamespace(user=user)
    queryset = resources_for(user=user).select_related("origin_application")
    return ResourceFilter(filters, queryset=queryset, request=request).qs


def _local(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _rows(queryset: QuerySet[Resource], progress: Callable[[int, int], None]) -> Iterator[list]:
    os_labels = dict(os_image_choices())
    total = queryset.count()
    done = 0
    for resource in queryset.iterator(chunk_size=BATCH):
        values = {
            "code": resource.code,
            "name": resource.name,
            "organization": resource.organization.name,
            "system": resource.system.name if resource.system else "",
            "kind": str(ResourceKind(resource.kind).label),
            "catalog_item": resource.catalog_item.name,
            "state": str(ResourceState(resource.state).label),
            "vcpu": resource.vcpu,
            "memory_gb": resource.memory_gb,
            "disk_gb": resource.disk_gb,
            "storage_tb": float(resource.storage_tb),
            "bandwidth_mbps": resource.bandwidth_mbps,
            "public_addresses": resource.public_addresses,
            "os_image": os_labels.get(resource.os_image, resource.os_image),
            "network": str(NetworkKind(resource.network).label) if resource.network else "",
            "addresses": resource.addresses_text,
            "application": resource.origin_application.number if resource.origin_application else "",
            "delivered_at": _local(resource.delivered_at),
            "in_service_at": _local(resource.in_service_at),
            "terminated_at": _local(resource.terminated_at),
        }
        done += 1
        if done % 500 == 0:
            progress(done, total)
        yield [values[name] for name, _title in COLUMNS]
    progress(done, max(total, done))


def write_ledger(queryset: QuerySet[Resource], path: Path, progress: Callable[[int, int], None], fmt: str) -> int:
    headers = [title for _name, title in COLUMNS]
    return write_table(path, headers, _rows(queryset, progress), fmt=fmt, sheet="ledger")
