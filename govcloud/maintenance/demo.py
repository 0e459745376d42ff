"""Demo maintenance windows; called by govcloud/web/demo.py after the ledger demo.

A window in each state the provider and the center see: approved ones (a department's two
resources next week at night, a platform-wide core network upgrade, an emergency patch tomorrow
night), one awaiting the center's approval, one returned with the reason, a draft, and one
completed last week (dated back after approval, then moved along by the sweep, as the clock would).

Idempotent: a window whose title exists is left as it is; nothing is created when the provider, the
center or the ledger's resources are missing. Everything goes through the services.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta

from django.utils import timezone

from govcloud.core.actors import SYSTEM
from govcloud.ledger.models import Resource, ResourceState
from govcloud.maintenance import services
from govcloud.maintenance.models import MaintenanceWindow, WindowKind
from govcloud.workdays.calendar import SHANGHAI

logger = logging.getLogger(__name__)


def _night(days: int, hour: int = 22) -> datetime:
    day = timezone.localtime(timezone.now(), SHANGHAI).date() + timedelta(days=days)
    return datetime.combine(day, time(hour, 0), tzinfo=SHANGHAI)


def load_demo(*, orgs: dict, users: dict) -> None:
    provider, center = users.get("provider_ops"), users.get("center_admin")
    resources = list(
        Resource.objects.filter(state=ResourceState.IN_SERVICE).select_related("organization").order_by("pk")[:6]
    )
    if provider is None or center is None or len(resources) < 4:
        logger.info("maintenance demo: no provider, center or resources; no windows created")
        return
    done = set(MaintenanceWindow.objects.values_list("title", flat=True))

    def window(title, *, days, hours, impact, stage, kind=WindowKind.PLANNED, comment="", **scope):
        if title in done:
            return None
        start = _night(days)
        made = services.window_create(
            actor=provider,
            title=title,
            kind=kind,
            start=start,
            end=start + timedelta(hours=hours),
            impact=impact,
            **scope,
        )
        if stage == "draft":
            return made
        services.window_submit(actor=provider, window=made)
        if stage == "returned":
            return services.window_return(actor=center, window=made, comment=comment)
        if stage == "approved":
            return services.window_approve(actor=center, window=made, comment=comment)
        return made

    window(
        "政务外网核心交换机固件升级",
        days=12,
        hours=4,
        impact="升级期间政务外网将出现两次各约 5 分钟的中断，互联网访问不受影响。请避免在此期间办理业务。",
        stage="approved",
        comment="同意，请提前在平台公告。",
        platform_wide=True,
    )
    first = resources[0].organization
    own = [r for r in resources if r.organization_id == first.pk][:2] or resources[:1]
    window(
        f"{first.short_name or first.name}业务主机操作系统安全补丁",
        days=6,
        hours=3,
        impact="主机依次重启，每台约 10 分钟不可用。",
        stage="approved",
        resources=own,
    )
    window(
        "存储阵列控制器紧急更换",
        days=1,
        hours=2,
        kind=WindowKind.EMERGENCY,
        impact="控制器切换时存储读写延迟升高约 1 分钟。",
        stage="approved",
        comment="紧急维护，同意。",
        resources=resources[2:4],
    )
    window(
        "数据库集群小版本升级",
        days=9,
        hours=2,
        impact="数据库主备切换，连接中断约 30 秒，应用需支持重连。",
        stage="submitted",
        resources=resources[3:5],
    )
    window(
        "负载均衡集群扩容",
        days=15,
        hours=6,
        impact="扩容期间新建连接可能失败。",
        stage="returned",
        comment="时间过长，请拆分为两个窗口并避开月末结算日。",
        resources=resources[1:3],
    )
    window(
        "备份系统软件升级",
        days=20,
        hours=3,
        impact="升级期间暂停备份任务，次日补做。",
        stage="draft",
        resources=resources[:1],
    )
    past = window(
        "云管理平台版本升级",
        days=3,
        hours=2,
        kind=WindowKind.EMERGENCY,
        impact="升级期间自助服务门户不可用，已运行的云资源不受影响。",
        stage="approved",
        resources=resources[4:6] or resources[:1],
    )
    if past is not None:
        # Dated back for the demo (a week ago); the sweep then starts and completes it as the clock would.
        start = _night(-7)
        MaintenanceWindow.objects.filter(pk=past.pk).update(start=start, end=start + timedelta(hours=2))
        services.maintenance_sweep(actor=SYSTEM)
