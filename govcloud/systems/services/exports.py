"""XLSX (or CSV) export of the registry and its compliance status, as a background job with progress.

The export contains exactly what the requester may see (the job re-applies their scope and their
filters); a classified system appears by name and flag only; responsible people appear by name,
never with their phone numbers (a spreadsheet leaves the platform). The request is an audit event.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from govcloud.audit.services import export_start
from govcloud.core.actors import Actor
from govcloud.core.models import Job
from govcloud.core.permissions import require_role
from govcloud.core.tables import write_table
from govcloud.systems.filters import SystemFilter
from govcloud.systems.gate import clearance_of
from govcloud.systems.models import REGISTRY_WRITERS, SYSTEM_VIEWERS, HostingStatus, ResponsibleDuty
from govcloud.systems.selectors import systems_for

EXPORTERS = SYSTEM_VIEWERS | REGISTRY_WRITERS
BATCH = 500

COLUMNS = [
    ("organization", "单位 / Owning unit"),
    ("name", "系统名称 / System"),
    ("classified", "涉密 / Classified"),
    ("purpose", "用途 / Purpose"),
    ("hosting_status", "部署状态 / Hosting status"),
    ("planned_migration_date", "计划迁移日期 / Planned migration"),
    ("migration_overdue", "迁移逾期 / Migration overdue"),
    ("users_served", "服务对象 / Users served"),
    ("internet_facing", "互联网访问 / Internet-facing"),
    ("holds_personal_information", "个人信息 / Personal information"),
    ("holds_important_data", "重要数据 / Important data"),
    ("protection_level", "等保级别 / Protection level"),
    ("filing_number", "备案编号 / Filing number"),
    ("filed_on", "备案日期 / Filed on"),
    ("assessed_on", "最近测评 / Last assessment"),
    ("assessing_body", "测评机构 / Assessing body"),
    ("assessment_conclusion", "测评结论 / Conclusion"),
    ("next_due", "下次测评 / Next assessment due"),
    ("open_rectifications", "未完成整改 / Open rectifications"),
    ("overdue_rectifications", "逾期整改 / Overdue rectifications"),
    ("cleared", "上线核验 / Cleared to go live"),
    ("reasons", "未通过原因 / Reasons"),
    (ResponsibleDuty.SYSTEM_MANAGER.value, "系统管理负责人 / System manager"),
    (ResponsibleDuty.SECURITY_CONFIDENTIALITY.value, "安全保密负责人 / Security and confidentiality"),
    (ResponsibleDuty.SECURITY_AUDITOR.value, "安全审计负责人 / Security auditor"),
]
CLASSIFIED_COLUMNS = {"organization", "name", "classified"}


def systems_export_start(*, actor: Actor, filters: dict[str, str], fmt: str = "xlsx") -> Job:
    """Export the systems this user may see, filtered, as XLSX (or CSV) in the background. The
    export request is an audit event (with the filters used)."""
    from govcloud.systems.tasks import systems_export_task

    require_role(actor, EXPORTERS)
    return export_start(
        actor=actor,
        kind="systems.export",
        label=_("Information systems and MLPS compliance export (%(fmt)s)") % {"fmt": fmt.upper()},
        task=systems_export_task,
        action="system.export",
        filters=filters,
        allowed=SystemFilter.base_filters,
        fmt=fmt,
    )


def export_queryset(*, user, filters: dict) -> QuerySet:
    request = SimpleNamespace(user=user)
    return SystemFilter(filters, queryset=systems_for(user=user), request=request).qs


def _yes(value: bool) -> str:
    return "是 / Yes" if value else "否 / No"


def _row(system, today) -> list:
    if system.classified:
        values = {"organization": system.organization.name, "name": system.name, "classified": _yes(True)}
        return [values.get(name, "") for name, _title in COLUMNS]
    verdict = clearance_of(system, today)
    people = {p.duty: p.name for p in system.responsible_people.all()}
    overdue = bool(
        system.planned_migration_date
        and system.planned_migration_date < today
        and system.hosting_status in (HostingStatus.OWN_ROOM, HostingStatus.MIGRATING)
    )
    values = {
        "organization": system.organization.name,
        "name": system.name,
        "classified": _yes(False),
        "purpose": system.purpose,
        "hosting_status": str(HostingStatus(system.hosting_status).label) if system.hosting_status else "",
        "planned_migration_date": system.planned_migration_date,
        "migration_overdue": _yes(overdue),
        "users_served": system.users_served,
        "internet_facing": _yes(system.internet_facing),
        "holds_personal_information": _yes(system.holds_personal_information),
        "holds_important_data": _yes(system.holds_important_data),
        "protection_level": system.protection_level,
        "filing_number": system.mlps_filing_number or "",
        "filed_on": system.mlps_filed_on,
        "assessed_on": system.mlps_assessed_on,
        "assessing_body": system.mlps_assessing_body or "",
        "assessment_conclusion": system.mlps_assessment_conclusion or "",
        "next_due": system.mlps_next_due,
        "open_rectifications": system.mlps_open_count,
        "overdue_rectifications": system.mlps_overdue_count,
        "cleared": _yes(verdict.cleared),
        "reasons": "\n".join(verdict.reasons),
        **people,
    }
    return [values.get(name, "") for name, _title in COLUMNS]


def _rows(queryset: QuerySet, progress: Callable[[int, int], None]):
    today = timezone.localdate()
    total = queryset.count()
    count = 0
    # Chunks keep memory flat; prefetching works per chunk.
    for start in range(0, total, BATCH):
        for system in queryset[start : start + BATCH]:
            count += 1
            yield _row(system, today)
        progress(count, total)
    progress(count, max(total, count))


def write_registry(queryset: QuerySet, path: Path, progress: Callable[[int, int], None], fmt: str = "xlsx") -> int:
    headers = [title for _name, title in COLUMNS]
    return write_table(path, headers, _rows(queryset, progress), fmt=fmt, sheet="systems")
