"""Demo service desk records; called by govcloud/web/demo.py with the demo organizations and users.

A duty roster (the provider's first-line team, day and night shifts for the week around today), and
incidents in each state: closed and rated, a major one recovered with its report filed, one in
progress, a phone call answered late, and one still waiting for a response. Everything goes through
the services, then the times are moved back so the clocks look like a real week.

Tolerant and idempotent: skipped when the demo incidents exist, or when the users they need are
missing.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta

from django.utils import timezone

from govcloud.core.actors import SYSTEM
from govcloud.incidents import services
from govcloud.incidents.models import DutyTeam, Incident, IncidentEntry, IncidentSeverity
from govcloud.incidents.severities import severities_seed
from govcloud.ledger.models import Resource
from govcloud.systems.models import InformationSystem

logger = logging.getLogger(__name__)

TEAM = "云平台一线值班组"


def load_demo(*, orgs: dict, users: dict) -> None:
    engineer = users.get("provider_ops")
    if engineer is None:
        logger.info("incidents demo: no provider engineer; nothing created")
        return
    severities_seed()
    _roster(engineer, users)
    if Incident.objects.exists():
        return
    _incidents(orgs, users, engineer)


def _roster(engineer, users) -> None:
    if DutyTeam.objects.filter(name=TEAM).exists():
        return
    team = services.duty_team_create(actor=SYSTEM, name=TEAM)
    backup = next(
        (u for key, u in users.items() if key != "provider_ops" and u.roles & engineer.roles and u.pk != engineer.pk),
        None,
    )
    today = timezone.localdate()
    for day in range(-1, 7):
        start = timezone.make_aware(datetime.combine(today + timedelta(days=day), time(8, 0)))
        for hours in (0, 12):
            services.duty_shift_add(
                actor=SYSTEM,
                team=team,
                starts_at=start + timedelta(hours=hours),
                ends_at=start + timedelta(hours=hours + 12),
                primary=engineer,
                backup=backup,
            )


def _resource(org):
    return Resource.objects.filter(organization=org).exclude(state="terminated").order_by("pk").first()


def _system(org):
    return InformationSystem.objects.filter(organization=org, is_active=True).order_by("pk").first()


def _shift(incident: Incident, back: timedelta, response: timedelta | None = None) -> None:
    """Move the incident's clock `back`, and make its response take `response`."""
    incident.refresh_from_db()
    fields = {
        "reported_at": incident.reported_at - back,
        "response_due_at": incident.response_due_at - back,
        "recovery_due_at": incident.recovery_due_at - back,
    }
    for name in ("recovered_at", "closed_at", "rated_at"):
        value = getattr(incident, name)
        if value is not None:
            fields[name] = value - back + (response or timedelta())
    if incident.responded_at is not None:
        fields["responded_at"] = fields["reported_at"] + (response or timedelta(minutes=2))
        fields["responded_in_time"] = fields["responded_at"] <= fields["response_due_at"]
    if incident.recovered_at is not None:
        fields["recovered_in_time"] = fields["recovered_at"] <= fields["recovery_due_at"]
    Incident.objects.filter(pk=incident.pk).update(**fields)
    for entry in IncidentEntry.objects.filter(incident=incident):
        moved = entry.created_at - back
        if entry.kind != "reported":
            moved += response or timedelta()
        IncidentEntry.objects.filter(pk=entry.pk).update(created_at=moved)


def _incidents(orgs, users, engineer) -> None:
    severity = {s.code: s for s in IncidentSeverity.objects.all()}
    gaj, wjw, jyj = users.get("gaj_applicant"), users.get("wjw_applicant"), users.get("jyj_applicant")
    if not (gaj and wjw and jyj):
        logger.info("incidents demo: department users missing; no incidents created")
        return

    closed = services.incident_report(
        actor=gaj,
        title="警务综合平台登录缓慢",
        symptom="上午 9 点起登录页面加载超过 30 秒，影响全局民警办公。",
        severity=severity["serious"],
        system=_system(orgs["gaj"]),
        resources=[r for r in [_resource(orgs["gaj"])] if r],
        contact_phone="0523-86830011",
    )
    services.incident_claim(actor=engineer, incident=closed, message="已收到，正在检查负载均衡和数据库连接数。")
    services.incident_start(actor=engineer, incident=closed, note="数据库连接池耗尽，正在扩容。")
    services.incident_recover(
        actor=engineer,
        incident=closed,
        resolution="连接池由 200 调整为 500，登录恢复正常。",
        root_cause="月初批量统计任务占满数据库连接。",
        workaround="统计任务改到夜间执行。",
    )
    services.incident_confirm(actor=gaj, incident=closed, comment="已恢复，谢谢。")
    services.incident_rate(actor=gaj, incident=closed, rating=5, comment="响应及时，处理专业。")
    _shift(closed, timedelta(days=6), timedelta(minutes=3, seconds=12))

    major = services.incident_report(
        actor=wjw,
        title="预约挂号平台中断",
        symptom="全市预约挂号平台无法访问，返回 502。",
        severity=severity["major"],
        system=_system(orgs["wjw"]),
        resources=[r for r in [_resource(orgs["wjw"])] if r],
        contact_phone="0523-86830022",
    )
    services.incident_claim(actor=engineer, incident=major, message="已响应，正在切换到备用存储。")
    services.incident_recover(
        actor=engineer, incident=major, resolution="切换到备用存储控制器，服务恢复。", root_cause="存储控制器故障。"
    )
    services.follow_up_add(
        actor=engineer,
        incident=major,
        description="更换故障存储控制器并完成切换演练",
        owner="云服务商运维部",
        due_on=timezone.localdate() + timedelta(days=7),
    )
    services.major_report_submit(
        actor=engineer,
        incident=major,
        timeline="10:02 部门报告；10:05 值班工程师响应；10:40 切换备用控制器；11:20 服务恢复。",
        impact="市卫健委预约挂号平台中断约 78 分钟，影响线上预约。",
        cause="存储控制器硬件故障，自动切换未生效。",
        measures="手工切换备用控制器，恢复服务；更换故障部件。",
        lessons="每季度开展存储切换演练，完善监控告警。",
    )
    services.incident_confirm(actor=wjw, incident=major)
    _shift(major, timedelta(days=3), timedelta(minutes=4, seconds=40))

    working = services.incident_report(
        actor=jyj,
        title="教育资源平台视频卡顿",
        symptom="直播课堂视频频繁卡顿。",
        severity=severity["general"],
        system=_system(orgs["jyj"]),
        contact_phone="0523-86830033",
    )
    services.incident_claim(actor=engineer, incident=working, message="已收到，正在排查带宽使用情况。")
    services.incident_start(actor=engineer, incident=working, note="出口带宽峰值 95%，申请临时扩容。")
    _shift(working, timedelta(hours=2), timedelta(minutes=2, seconds=5))

    call = services.incident_log_call(
        actor=engineer,
        organization=orgs["hailing"],
        caller="海陵区大数据中心 蒋勇",
        called_at=timezone.now() - timedelta(minutes=9),
        title="政务外网专线中断",
        symptom="海陵区政务外网无法访问政务云。",
        severity=severity["serious"],
    )
    services.incident_claim(actor=engineer, incident=call, message="已联系运营商排查专线。")
    _shift(call, timedelta(minutes=40), timedelta(minutes=6, seconds=20))

    services.incident_report(
        actor=jyj,
        title="学籍管理系统导出报表失败",
        symptom="导出 Excel 时提示服务器错误。",
        severity=severity["general"],
        system=_system(orgs["jyj"]),
        contact_phone="0523-86830033",
    )
