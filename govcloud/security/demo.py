"""Demo security records; called by govcloud/web/demo.py with the demo organizations and users.

Builds on the systems demo's internet-facing system (预约挂号平台 of the health commission): its
address filing complete, 443 opened by an approved port request and 80 still closed (its request
rejected), an active access grant with a session inside it, and a flagged session recorded without
any grant. Platform-wide: last month's security bulletin with some read receipts, a center-wide
emergency plan at version 2, a drill last spring, and an upcoming major event.

Tolerant and idempotent: each part is skipped when it exists, or when what it builds on (the
system, a user) is missing. Everything goes through the services.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.utils import timezone

from govcloud.core.actors import SYSTEM
from govcloud.security import services
from govcloud.security.models import (
    AccessGrant,
    AccessSession,
    AddressFiling,
    EmergencyPlan,
    MajorEvent,
    PlanScope,
    SecurityBulletin,
)
from govcloud.security.selectors.calendar import previous_month
from govcloud.systems.models import InformationSystem

logger = logging.getLogger(__name__)

DEMO_ADDRESS = "218.92.170.21"
CENTER_PLAN_TITLE = "泰州市政务云平台网络安全事件应急预案"
EVENT_NAME = "泰州市重点项目现场观摩活动"


def load_demo(*, orgs: dict, users: dict) -> None:
    system = InformationSystem.objects.filter(internet_facing=True, classified=False).order_by("pk").first()
    if system is None:
        logger.info("security demo: no internet-facing system yet; no filing, ports, grants or sessions created")
    else:
        _exposure(system)
        _access(system, users)
    _bulletin(users)
    _plans(users)
    _major_event()


def _exposure(system: InformationSystem) -> None:
    if AddressFiling.objects.filter(system=system).exists():
        return
    filing = services.address_filing_create(
        actor=SYSTEM,
        system=system,
        address=DEMO_ADDRESS,
        domain="guahao.taizhou.gov.cn",
        requested_ports=[{"port": 443, "protocol": "tcp"}, {"port": 80, "protocol": "tcp"}],
        purpose="市民预约挂号门户，经互联网向公众提供服务。",
    )
    services.address_filing_submit(actor=SYSTEM, filing=filing)
    services.address_filing_complete(
        actor=SYSTEM,
        filing=filing,
        reference="TZZW-IP-2026-017",
        filed_on=timezone.localdate() - timedelta(days=20),
        comment="已在市网信部门完成地址报备。",
    )
    https = services.port_request_submit(
        actor=SYSTEM, filing=filing, port=443, protocol="tcp", reason="对公众提供HTTPS预约挂号服务。"
    )
    services.port_request_approve(actor=SYSTEM, request=https, comment="同意开放443，仅限HTTPS。")
    http = services.port_request_submit(
        actor=SYSTEM, filing=filing, port=80, protocol="tcp", reason="HTTP访问自动跳转到HTTPS。"
    )
    services.port_request_reject(
        actor=SYSTEM, request=http, comment="不开放80端口：请在负载均衡上以443提供服务，域名启用HSTS。"
    )


def _user_with(users: dict, *usernames: str):
    return next((users[name] for name in usernames if name in users), None)


def _access(system: InformationSystem, users: dict) -> None:
    grantor = _user_with(users, "wjw_security", "wjw_head")
    operator = _user_with(users, "provider_ops")
    if grantor is None or operator is None or grantor.organization_id != system.organization_id:
        return
    if not AccessGrant.objects.filter(system=system, grantee=operator).exists():
        grant = services.access_grant_create(
            actor=grantor,
            grantee=operator,
            system=system,
            resources=["guahao-web-01", "guahao-db-01"],
            purpose="数据库补丁升级及预约挂号服务性能调优。",
            ends_at=timezone.now() + timedelta(hours=48),
        )
        services.access_session_record(
            actor=operator,
            grant=grant,
            system=system,
            resource="guahao-db-01",
            started_at=grant.starts_at + timedelta(minutes=1),
            ended_at=grant.starts_at + timedelta(minutes=4),
            work_done="检查数据库版本与补丁前备份情况，未做变更。",
        )
    if not AccessSession.objects.filter(system=system, operator=operator, grant__isnull=True).exists():
        night = timezone.localtime().replace(hour=2, minute=10, second=0, microsecond=0) - timedelta(days=1)
        services.access_session_record(
            actor=operator,
            system=system,
            resource="guahao-web-01",
            started_at=night,
            ended_at=night + timedelta(minutes=35),
            work_done="夜间告警后登录重启应用服务（未取得授权）。",
        )


def _bulletin(users: dict) -> None:
    period = previous_month(timezone.localdate())
    author = _user_with(users, "provider_ops") or SYSTEM
    bulletin = SecurityBulletin.objects.filter(period=period).first()
    if bulletin is None:
        bulletin = services.security_bulletin_create(
            actor=author,
            period=period,
            title=f"{period:%Y年%m月}政务云安全公告",
            content=(
                "一、本月共拦截外部攻击 12,406 次，其中 Web 攻击 9,812 次，暴力破解 2,594 次。\n"
                "二、通报高危漏洞 3 个（OpenSSH、Apache Tomcat、MySQL），已完成平台侧修复，请各部门核查自有应用。\n"
                "三、数据备份：全部云数据库完成每日备份，恢复演练抽查 5 个实例，均成功。\n"
                "四、提醒：请各部门按时轮换管理员口令，勿在互联网暴露管理端口。"
            ),
            publish=True,
        )
    for username in ("wjw_head", "wjw_security", "gaj_security", "jyj_head"):
        reader = users.get(username)
        if reader is not None:
            services.security_bulletin_read(actor=reader, bulletin=bulletin)


def _plans(users: dict) -> None:
    if EmergencyPlan.objects.filter(scope=PlanScope.CENTER_WIDE, title=CENTER_PLAN_TITLE).exists():
        return
    center = _user_with(users, "center_admin") or SYSTEM
    today = timezone.localdate()
    spring = date(today.year if today.month > 5 else today.year - 1, 4, 16)
    plan = services.emergency_plan_create(
        actor=center,
        scope=PlanScope.CENTER_WIDE,
        title=CENTER_PLAN_TITLE,
        content=(
            "1 总则：适用于政务云平台网络安全事件的预防、监测、处置和恢复。\n"
            "2 组织体系：市电子政务中心牵头，云服务商负责技术处置，各使用部门配合。\n"
            "3 分级响应：特别重大、重大、较大、一般四级。\n"
            "4 处置流程：发现报告 → 研判定级 → 先期处置 → 应急响应 → 恢复 → 总结。"
        ),
        effective_from=spring - timedelta(days=90),
    )
    first = plan.current_version
    services.emergency_plan_add_version(
        actor=center,
        plan=plan,
        content=first.content + "\n5 新增：勒索病毒专项处置流程及数据恢复时限（RTO ≤ 4 小时）。",
        change_summary="根据春季演练发现的问题，增加勒索病毒处置流程和恢复时限。",
        effective_from=spring + timedelta(days=45),
    )
    operator = _user_with(users, "provider_ops") or SYSTEM
    drill = services.emergency_drill_record(
        actor=operator,
        plan_version=first,
        held_on=spring,
        scenario="模拟勒索病毒感染两台政务云主机，检验隔离、研判、备份恢复和通报流程。",
        participants="市电子政务中心、云服务商运维团队、市卫健委、市公安局",
        findings="隔离用时 18 分钟，符合要求；数据库备份恢复用时 6 小时，超过预期；通报渠道个别联系人信息过期。",
        follow_ups=[
            {
                "description": "优化备份恢复方案，恢复时间缩短到 4 小时以内",
                "owner": "云服务商运维团队",
                "due_on": spring + timedelta(days=60),
            },
            {
                "description": "更新各部门应急联系人名单",
                "owner": "市电子政务中心",
                "due_on": spring + timedelta(days=30),
            },
        ],
    )
    for item in drill.follow_ups.order_by("due_on")[:1]:
        services.drill_follow_up_update(actor=operator, follow_up=item, status="done", note="联系人名单已于5月更新。")


def _major_event() -> None:
    if MajorEvent.objects.filter(name=EVENT_NAME).exists():
        return
    start = timezone.localdate() + timedelta(days=8)
    services.major_event_create(
        actor=SYSTEM,
        name=EVENT_NAME,
        starts_on=start,
        ends_on=start + timedelta(days=2),
        description="全市重点项目现场观摩，期间政务外网和门户网站需重点保障。",
    )
