"""Demo security records; called by govcloud/web/demo.py with the demo organizations and users.

Builds on the systems demo's internet-facing system (预约挂号平台 of the health commission): its
address filing complete, 443 opened by an approved port request and 80 still closed (its request
rejected), an active access grant with a session inside it, and a flagged session recorded without
any grant. Platform-wide: last month's security bulletin with some read receipts, a center-wide
emergency plan at version 2, a drill last spring, and an upcoming major event. Security notices in
each state (accepted, a report awaiting the center, returned, overdue) and a month of security
events with five months of monthly totals before it.

Tolerant and idempotent: each part is skipped when it exists, or when what it builds on (the
system, a user) is missing. Everything goes through the services.
"""

from __future__ import annotations

import logging
import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from govcloud.core.actors import SYSTEM
from govcloud.core.roles import Role
from govcloud.ledger.models import Resource, ResourceState
from govcloud.security import services
from govcloud.security.models import (
    AccessGrant,
    AccessSession,
    AddressFiling,
    EmergencyPlan,
    MajorEvent,
    NoticeEvent,
    NoticeRectification,
    PlanScope,
    RectificationReport,
    SecurityBulletin,
    SecurityEvent,
    SecurityEventKind,
    SecurityNotice,
)
from govcloud.security.selectors.calendar import add_months, previous_month
from govcloud.systems.models import InformationSystem
from govcloud.workdays.selectors import deadline_from

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
    _notices(orgs, users)
    _security_events(users)


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
    # The system's own ledger resources (the ledger demo runs first); the grant names them.
    mine = list(Resource.objects.filter(system=system).exclude(state=ResourceState.TERMINATED).order_by("code")[:2])
    if not AccessGrant.objects.filter(organization=system.organization, grantee=operator).exists():
        grant = services.access_grant_create(
            actor=grantor,
            grantee=operator,
            system=None if mine else system,
            resources=mine,
            purpose="数据库补丁升级及预约挂号服务性能调优。",
            ends_at=timezone.now() + timedelta(hours=48),
        )
        services.access_session_record(
            actor=operator,
            grant=grant,
            system=system,
            resource=mine[-1] if mine else None,
            started_at=grant.starts_at + timedelta(minutes=1),
            ended_at=grant.starts_at + timedelta(minutes=4),
            work_done="检查数据库版本与补丁前备份情况，未做变更。",
        )
    if not AccessSession.objects.filter(system=system, operator=operator, grant__isnull=True).exists():
        night = timezone.localtime().replace(hour=2, minute=10, second=0, microsecond=0) - timedelta(days=1)
        services.access_session_record(
            actor=operator,
            system=system,
            resource=mine[0] if mine else None,
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


# --- Security notices and security events (Art. 16, 17) -------------------------------------------

NOTICES = [
    # (title, kind, severity, working days, days ago, [(org key, system name, what the department did)],
    # description, required measures)
    (
        "Apache Tomcat 远程代码执行漏洞（CVE-2025-24813）",
        "vulnerability",
        "critical",
        5,
        26,
        [("jyj", "教育资源公共服务平台", "accepted")],
        "Apache Tomcat 9.0.0.M1–9.0.98、10.1.0-M1–10.1.34、11.0.0-M1–11.0.2 在启用部分 PUT 时可导致远程代码执行，"
        "平台漏洞扫描发现贵单位系统使用受影响版本。",
        "将 Tomcat 升级至 9.0.99 / 10.1.35 / 11.0.3 及以上；升级前关闭默认 Servlet 的写入功能。",
    ),
    (
        "OpenSSH 远程代码执行漏洞（CVE-2024-6387）",
        "vulnerability",
        "high",
        10,
        9,
        [("wjw", "预约挂号平台", "submitted"), ("gaj", "出入境证件办理系统", "read")],
        "OpenSSH 8.5p1–9.7p1 的 sshd 存在信号处理竞争条件，可被远程利用。平台巡检发现相关云主机的 sshd 版本受影响。",
        "升级 OpenSSH 至 9.8p1 及以上；暂不能升级的，将 LoginGraceTime 设为 0 并限制 22 端口访问来源。",
    ),
    (
        "Redis 未授权访问风险",
        "risk",
        "high",
        3,
        8,
        [("zrzy", "不动产登记信息系统", "returned")],
        "扫描发现该系统所用 Redis 实例 6379 端口未设置访问口令，且对政务外网开放。",
        "设置强口令，绑定内网地址，开启保护模式，并提交复测结果。",
    ),
    (
        "门户网站页面被植入暗链事件",
        "event",
        "medium",
        5,
        15,
        [("hailing", "海陵区网格化社会治理平台", "overdue")],
        "监测发现该系统公开页面被植入博彩类暗链，疑似后台弱口令被利用。",
        "清除暗链，排查网页防篡改配置，修改后台口令并开启双因素认证，提交排查报告。",
    ),
]


def _moved(record, moment) -> None:
    """Demo only: give what the last service call wrote its believable time (the services stamp
    'now'; the demo tells a story over weeks). Audit events keep their real time."""
    NoticeEvent.objects.filter(rectification=record, created_at__gt=moment).update(created_at=moment)


def _notices(orgs: dict, users: dict) -> None:
    center = _user_with(users, "center_admin") or SYSTEM
    for title, kind, severity, days, ago, targets, description, measures in NOTICES:
        if SecurityNotice.objects.filter(title=title).exists():
            continue
        stories = {}
        for key, name, story in targets:
            system = InformationSystem.objects.filter(organization=orgs.get(key), name=name, is_active=True).first()
            if system is not None:
                stories[system] = story
        if not stories:
            continue
        notice = services.security_notice_issue(
            actor=center,
            kind=kind,
            severity=severity,
            title=title,
            description=description,
            required_measures=measures,
            systems=list(stories),
            working_days=days,
        )
        issued = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0) - timedelta(days=ago)
        due = deadline_from(issued, days)
        SecurityNotice.objects.filter(pk=notice.pk).update(
            issued_at=issued, due_at=due.due, due_provisional=due.provisional
        )
        NoticeEvent.objects.filter(rectification__notice=notice).update(created_at=issued)
        for system, story in stories.items():
            record = NoticeRectification.objects.get(notice=notice, organization=system.organization)
            _answer(record, story, issued, due.due, center, users)
    # What the scheduler would do within minutes: warn of near deadlines, escalate overdue ones.
    services.security_notices_sweep(actor=SYSTEM)


def _responder(users: dict, record):
    return next(
        (
            u
            for u in users.values()
            if u.organization_id == record.organization_id
            and u.roles & {Role.DEPARTMENT_SECURITY_OFFICER, Role.DEPARTMENT_HEAD}
        ),
        SYSTEM,
    )


def _answer(record, story: str, issued, due, center, users: dict) -> None:
    if story == "overdue":
        return
    who = _responder(users, record)
    read_at = issued + timedelta(hours=3)
    services.notice_rectification_read(actor=who, rectification=record)
    NoticeRectification.objects.filter(pk=record.pk).update(read_at=read_at)
    _moved(record, read_at)
    if story == "read":
        return  # the report is still being written
    submitted = issued + timedelta(days={"accepted": 3, "submitted": 4, "returned": 2}[story], hours=2)
    report = services.notice_rectification_submit(
        actor=who,
        rectification=record,
        measures="已完成受影响组件升级，关闭不必要的对外端口，并对同类主机进行了排查。",
        result="平台复测未发现该漏洞；附升级记录和复测截图。",
        evidence=[_demo_pdf("整改复测报告.pdf")],
    )
    RectificationReport.objects.filter(pk=report.pk).update(submitted_at=submitted, on_time=submitted <= due)
    NoticeRectification.objects.filter(pk=record.pk).update(submitted_at=submitted)
    _moved(record, submitted)
    if story == "accepted":
        services.notice_rectification_accept(actor=center, rectification=record, comment="复测通过，整改到位。")
    elif story == "returned":
        services.notice_rectification_return(
            actor=center, rectification=record, comment="未见口令设置和端口绑定的配置截图，请补充后重新提交。"
        )
    else:
        return
    decided = submitted + timedelta(hours=20)
    NoticeRectification.objects.filter(pk=record.pk).update(decided_at=decided)
    RectificationReport.objects.filter(pk=report.pk).update(decided_at=decided)
    _moved(record, decided)


def _demo_pdf(name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, b"%PDF-1.4\n% GovCloud demo evidence\n%%EOF\n", content_type="application/pdf")


# A month of events, and one summary row per kind for each of the five months before (the trend).
_DAILY_KINDS = [("attack_blocked", 280, 960, "WAF"), ("attack_blocked", 40, 180, "IPS")]
_MONTHLY = {"attack_blocked": 21_400, "vulnerability": 14, "malware": 3, "denial_of_service": 2}


def _security_events(users: dict) -> None:
    if SecurityEvent.objects.exists():
        return
    recorder = _user_with(users, "provider_ops") or SYSTEM
    rng = random.Random(17)  # the same city every time
    systems = list(
        InformationSystem.objects.filter(is_active=True, classified=False).select_related("organization")[:8]
    )
    now = timezone.localtime()
    for days_ago in range(30, 0, -1):
        day = (now - timedelta(days=days_ago)).replace(hour=23, minute=50, second=0, microsecond=0)
        for kind, low, high, source in _DAILY_KINDS:
            services.security_event_record(
                actor=recorder,
                kind=kind,
                occurred_at=day,
                count=rng.randint(low, high),
                source=source,
                summary="当日拦截的 SQL 注入、跨站脚本、目录遍历和暴力破解等攻击（平台出口汇总）。",
            )
        if days_ago % 7 == 3 and systems:
            system = systems[days_ago % len(systems)]
            services.security_event_record(
                actor=recorder,
                kind="vulnerability",
                occurred_at=day.replace(hour=16),
                count=rng.randint(1, 4),
                systems=[system],
                source="漏洞扫描",
                summary=f"周度漏洞扫描发现{system.name}存在中高危漏洞，已通知部门处置。",
            )
        if days_ago in (12, 25) and systems:
            system = systems[(days_ago // 5) % len(systems)]
            services.security_event_record(
                actor=recorder,
                kind="attack_blocked",
                occurred_at=day.replace(hour=10),
                count=rng.randint(600, 2400),
                systems=[system],
                source="WAF",
                summary=f"针对{system.name}的集中扫描和撞库攻击，已封禁来源地址。",
            )
    if systems:
        services.security_event_record(
            actor=recorder,
            kind="malware",
            occurred_at=(now - timedelta(days=6)).replace(hour=9, minute=20),
            systems=[systems[0]],
            source="主机安全",
            summary=f"{systems[0].name}一台云主机检出挖矿程序，已隔离清除并溯源为弱口令登录。",
        )
        services.security_event_record(
            actor=recorder,
            kind="denial_of_service",
            occurred_at=(now - timedelta(days=18)).replace(hour=20, minute=5),
            count=1,
            source="抗 DDoS",
            summary="政务外网出口遭受约 12 Gbps 的 UDP 反射攻击，清洗设备自动牵引，持续 26 分钟，业务未中断。",
        )
    this_month = now.date().replace(day=1)
    for back in range(1, 6):
        month = add_months(this_month, -back)
        moment = timezone.make_aware(datetime.combine(month.replace(day=28), time(23, 0)))
        for kind, base in _MONTHLY.items():
            services.security_event_record(
                actor=recorder,
                kind=kind,
                occurred_at=moment,
                count=max(1, int(base * rng.uniform(0.7, 1.3))),
                source="月度汇总",
                summary=f"{month:%Y年%m月}平台{SecurityEventKind(kind).label}月度汇总。",
            )
