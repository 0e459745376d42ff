"""The security part of the isolation harness (see tests/isolation.py).

Department A owns an internet-facing system with a complete address filing, an open port and a
waiting port request, an access grant to a provider operator with a session in it, a system
emergency plan with a drill, a report and a follow-up item, a security notice answered with
evidence, and a security event of its system — each carrying the marker. Bulletins,
major events and protection plans are platform-wide (SHARED): they carry no department's data.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from govcloud.core.actors import SYSTEM
from govcloud.core.roles import Role
from govcloud.security import services
from govcloud.security.models import PlanScope
from govcloud.systems.models import InformationSystem
from tests.isolation import MARKER, MISSING_INT, Kind, Probe

A_ADDRESS = "58.222.17.10"


def pdf(name: str, text: str = "") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n" + text.encode() + b"\n%%EOF\n", content_type="application/pdf")


def populate(world) -> None:
    city = world.city
    world.sec_center = city.user(Role.CENTER_ADMIN)
    world.sec_provider = city.user(Role.PROVIDER_OPERATOR)
    world.sec_system = InformationSystem.objects.create(
        organization=world.a_org, name=f"安全演示门户{MARKER}", internet_facing=True, protection_level=3
    )
    filing = services.address_filing_create(
        actor=world.a_user,
        system=world.sec_system,
        address=A_ADDRESS,
        domain="www.example.gov.cn",
        requested_ports=[{"port": 443, "protocol": "tcp"}],
        purpose=f"filing{MARKER}",
    )
    services.address_filing_submit(actor=world.a_user, filing=filing)
    world.sec_filing = services.address_filing_complete(actor=world.sec_center, filing=filing, reference="TZ-2026-1")
    opened = services.port_request_submit(
        actor=world.a_user, filing=filing, port=443, protocol="tcp", reason=f"https{MARKER}"
    )
    services.port_request_approve(actor=world.sec_center, request=opened)
    world.sec_port_request = services.port_request_submit(
        actor=world.a_user, filing=filing, port=8443, protocol="tcp", reason=f"admin{MARKER}"
    )
    now = timezone.now()
    world.sec_grant = services.access_grant_create(
        actor=world.a_security,
        grantee=world.sec_provider,
        system=world.sec_system,
        resources=[world.a_resource] if getattr(world, "a_resource", None) else [],
        resource_note=f"host{MARKER}",
        purpose=f"grant{MARKER}",
        ends_at=now + timedelta(hours=24),
    )
    world.sec_session = services.access_session_record(
        actor=world.sec_provider,
        grant=world.sec_grant,
        system=world.sec_system,
        started_at=world.sec_grant.starts_at + timedelta(seconds=1),
        ended_at=world.sec_grant.starts_at + timedelta(minutes=2),
        work_done=f"patched{MARKER}",
    )
    world.sec_flagged = services.access_session_record(
        actor=world.sec_provider,
        system=world.sec_system,
        started_at=now - timedelta(hours=3),
        ended_at=now - timedelta(hours=2),
        work_done=f"nogrant{MARKER}",
    )
    world.sec_plan = services.emergency_plan_create(
        actor=world.a_user,
        scope=PlanScope.SYSTEM,
        system=world.sec_system,
        title=f"预案{MARKER}",
        content=f"plan{MARKER}",
        attachment=pdf("plan.pdf", MARKER),
    )
    world.sec_drill = services.emergency_drill_record(
        actor=world.a_user,
        plan_version=world.sec_plan.current_version,
        held_on=timezone.localdate(),
        scenario=f"drill{MARKER}",
        participants="甲局, 云服务商",
        follow_ups=[{"description": f"fix{MARKER}", "owner": "张三", "due_on": timezone.localdate()}],
        report=pdf("report.pdf", MARKER),
    )
    world.sec_follow_up = world.sec_drill.follow_ups.get()
    # A security notice to department A only, answered with evidence; a security event of A's system.
    world.sec_notice = services.security_notice_issue(
        actor=world.sec_center,
        kind="vulnerability",
        severity="high",
        title=f"通报{MARKER}",
        description=f"vulnerability{MARKER}",
        required_measures=f"patch{MARKER}",
        systems=[world.sec_system],
        attachment=pdf("advisory.pdf", MARKER),
    )
    world.sec_rectification = world.sec_notice.rectifications.get()
    report = services.notice_rectification_submit(
        actor=world.a_security,
        rectification=world.sec_rectification,
        measures=f"patched{MARKER}",
        result=f"fixed{MARKER}",
        evidence=[pdf("evidence.pdf", MARKER)],
    )
    world.sec_evidence = report.evidence.get()
    world.sec_security_event = services.security_event_record(
        actor=world.sec_provider,
        kind="attack_blocked",
        occurred_at=now - timedelta(hours=1),
        count=42,
        systems=[world.sec_system],
        summary=f"blocked{MARKER}",
    )
    # Platform-wide records (no department's data).
    world.sec_bulletin = services.security_bulletin_create(
        actor=world.sec_provider,
        period=timezone.localdate().replace(day=1),
        title="本月安全公告",
        content="漏洞通报",
        attachment=pdf("bulletin.pdf"),
        publish=True,
    )
    world.sec_event = services.major_event_create(
        actor=SYSTEM,
        name="重大活动",
        starts_on=timezone.localdate() + timedelta(days=5),
        ends_on=timezone.localdate() + timedelta(days=6),
    )
    world.sec_protection = services.protection_plan_file(
        actor=world.sec_provider,
        occasion_key=f"event:{world.sec_event.pk}",
        title="保障方案",
        content="值守安排",
        attachment=pdf("protection.pdf"),
    )


def _pk(name):
    return lambda w: {"pk": getattr(w, name).pk}


def _missing(w):
    return MISSING_INT


def detail(name: str, methods=("get",), owner: str = "", data=None) -> Probe:
    """One of A's objects: answers B exactly like a missing one."""
    return Probe(
        Kind.DETAIL,
        _pk(name),
        _missing,
        methods=methods,
        data=data or {},
        owner_sees_marker=bool(owner),
        owner=owner or "a_user",
    )


def shared(name: str, methods=("get",)) -> Probe:
    return Probe(Kind.SHARED, _pk(name), methods=methods)


ENDPOINTS = {
    # --- pages ---------------------------------------------------------------------------------------
    "security:overview": Probe(Kind.LIST),
    "security:filing_list": Probe(Kind.LIST),
    "security:filing_create": Probe(Kind.SHARED, methods=("get", "post")),
    "security:filing_detail": detail("sec_filing", owner="a_user"),
    "security:filing_edit": detail("sec_filing", methods=("get", "post")),
    "security:filing_transition": detail("sec_filing", methods=("post",), data={"action": "withdraw"}),
    "security:port_request_create": detail("sec_filing", methods=("get", "post")),
    "security:port_close": detail(
        "sec_filing", methods=("post",), data={"port": 443, "protocol": "tcp", "reason": "x"}
    ),
    "security:port_request_list": Probe(Kind.LIST),
    "security:port_request_detail": detail("sec_port_request", owner="a_user"),
    "security:port_request_decide": detail("sec_port_request", methods=("post",), data={"action": "withdraw"}),
    "security:grant_list": Probe(Kind.LIST),
    "security:grant_create": Probe(Kind.SHARED, methods=("get", "post")),
    "security:grant_detail": detail("sec_grant", owner="a_security"),
    "security:grant_revoke": detail("sec_grant", methods=("post",)),
    "security:session_list": Probe(Kind.LIST),
    "security:session_create": Probe(Kind.SHARED, methods=("get", "post")),
    "security:session_detail": detail("sec_session", owner="a_security"),
    "security:session_review": detail("sec_flagged", methods=("post",), data={"comment": "x"}),
    "security:bulletin_list": Probe(Kind.LIST),
    "security:bulletin_create": Probe(Kind.SHARED, methods=("get", "post")),
    "security:bulletin_detail": shared("sec_bulletin"),
    "security:bulletin_edit": shared("sec_bulletin", methods=("get", "post")),
    "security:bulletin_publish": shared("sec_bulletin", methods=("post",)),
    "security:bulletin_attachment": shared("sec_bulletin"),
    "security:plan_list": Probe(Kind.LIST),
    "security:plan_create": Probe(Kind.SHARED, methods=("get", "post")),
    "security:plan_detail": detail("sec_plan", owner="a_user"),
    "security:plan_version_create": detail("sec_plan", methods=("get", "post")),
    "security:plan_version_attachment": Probe(
        Kind.DETAIL,
        lambda w: {"pk": w.sec_plan.pk, "number": 1},
        lambda w: {**MISSING_INT, "number": 1},
        owner_sees_marker=True,
    ),
    "security:drill_list": Probe(Kind.LIST),
    "security:drill_create": Probe(Kind.SHARED, methods=("get", "post")),
    "security:drill_detail": detail("sec_drill", owner="a_user"),
    "security:drill_report": detail("sec_drill", owner="a_user"),
    "security:follow_up_add": detail(
        "sec_drill", methods=("post",), data={"description": "x", "owner": "y", "due_on": "2030-01-01"}
    ),
    "security:follow_up_update": detail("sec_follow_up", methods=("post",), data={"status": "done"}),
    "security:notice_list": Probe(Kind.LIST),
    "security:notice_create": Probe(Kind.SHARED, methods=("get", "post")),
    "security:notice_detail": detail("sec_notice", owner="a_user"),
    "security:notice_attachment": detail("sec_notice", owner="a_user"),
    "security:rectification_list": Probe(Kind.LIST),
    "security:rectification_detail": detail("sec_rectification", owner="a_user"),
    "security:rectification_report": detail(
        "sec_rectification", methods=("get", "post"), data={"measures": "x", "result": "y"}
    ),
    "security:rectification_transition": detail(
        "sec_rectification", methods=("post",), data={"action": "accept", "comment": "x"}
    ),
    "security:rectification_evidence": Probe(
        Kind.DETAIL,
        lambda w: {"pk": w.sec_rectification.pk, "attachment_id": w.sec_evidence.pk},
        lambda w: {**MISSING_INT, "attachment_id": w.sec_evidence.pk},
        owner_sees_marker=True,
    ),
    "security:security_event_list": Probe(Kind.LIST),
    "security:security_event_create": Probe(Kind.SHARED, methods=("get", "post")),
    "security:security_event_stats": Probe(Kind.LIST),
    "security:security_event_edit": detail("sec_security_event", methods=("get", "post")),
    "security:event_list": Probe(Kind.SHARED, methods=("get", "post")),
    "security:event_edit": shared("sec_event", methods=("get", "post")),
    "security:event_delete": shared("sec_event", methods=("post",)),
    "security:protection_list": Probe(Kind.SHARED),
    "security:protection_file": Probe(Kind.SHARED, methods=("get", "post")),
    "security:protection_detail": shared("sec_protection"),
    "security:protection_attachment": shared("sec_protection"),
    # --- REST API ------------------------------------------------------------------------------------
    "address-filing-list": Probe(Kind.LIST, methods=("get", "post")),
    "address-filing-detail": detail("sec_filing", methods=("get", "patch"), owner="a_user"),
    "address-filing-submit": detail("sec_filing", methods=("post",)),
    "address-filing-complete": detail("sec_filing", methods=("post",), data={"reference": "x"}),
    "address-filing-reject": detail("sec_filing", methods=("post",), data={"comment": "x"}),
    "address-filing-withdraw": detail("sec_filing", methods=("post",)),
    "address-filing-ports": detail("sec_filing", owner="a_user"),
    "address-filing-close-port": detail(
        "sec_filing", methods=("post",), data={"port": 443, "protocol": "tcp", "reason": "x"}
    ),
    "address-filing-clearance": Probe(Kind.SHARED, query="system=987654321"),
    "port-request-list": Probe(Kind.LIST, methods=("get", "post")),
    "port-request-detail": detail("sec_port_request", owner="a_user"),
    "port-request-approve": detail("sec_port_request", methods=("post",)),
    "port-request-reject": detail("sec_port_request", methods=("post",), data={"comment": "x"}),
    "port-request-withdraw": detail("sec_port_request", methods=("post",)),
    "access-grant-list": Probe(Kind.LIST, methods=("get", "post")),
    "access-grant-detail": detail("sec_grant", owner="a_security"),
    "access-grant-revoke": detail("sec_grant", methods=("post",)),
    "access-session-list": Probe(Kind.LIST, methods=("get", "post")),
    "access-session-detail": detail("sec_session", owner="a_security"),
    "access-session-review": detail("sec_flagged", methods=("post",), data={"comment": "x"}),
    "security-bulletin-list": Probe(Kind.LIST, methods=("get", "post")),
    "security-bulletin-detail": shared("sec_bulletin", methods=("get", "patch")),
    "security-bulletin-publish": shared("sec_bulletin", methods=("post",)),
    "security-bulletin-read": shared("sec_bulletin", methods=("post",)),
    "security-bulletin-receipts": shared("sec_bulletin"),
    "security-bulletin-attachment": shared("sec_bulletin"),
    "emergency-plan-list": Probe(Kind.LIST, methods=("get", "post")),
    "emergency-plan-detail": detail("sec_plan", owner="a_user"),
    "emergency-plan-versions": detail("sec_plan", methods=("get", "post"), owner="a_user"),
    "emergency-plan-attachment": detail("sec_plan", owner="a_user"),
    "emergency-drill-list": Probe(Kind.LIST, methods=("get", "post")),
    "emergency-drill-detail": detail("sec_drill", owner="a_user"),
    "emergency-drill-report": detail("sec_drill", owner="a_user"),
    "drill-follow-up-list": Probe(Kind.LIST, methods=("get", "post")),
    "drill-follow-up-detail": detail("sec_follow_up", methods=("get", "patch"), owner="a_user"),
    "security-notice-list": Probe(Kind.LIST, methods=("get", "post")),
    "security-notice-detail": detail("sec_notice", owner="a_user"),
    "security-notice-records": detail("sec_notice", owner="a_user"),
    "security-notice-attachment": detail("sec_notice", owner="a_user"),
    "notice-rectification-list": Probe(Kind.LIST),
    "notice-rectification-detail": detail("sec_rectification", owner="a_user"),
    "notice-rectification-read": detail("sec_rectification", methods=("post",)),
    "notice-rectification-report": detail(
        "sec_rectification", methods=("post",), data={"measures": "x", "result": "y"}
    ),
    "notice-rectification-accept": detail("sec_rectification", methods=("post",), data={"comment": "x"}),
    "notice-rectification-return": detail("sec_rectification", methods=("post",), data={"comment": "x"}),
    "notice-rectification-cancel": detail("sec_rectification", methods=("post",), data={"comment": "x"}),
    "notice-rectification-evidence": Probe(
        Kind.DETAIL,
        lambda w: {"pk": w.sec_rectification.pk, "evidence_id": w.sec_evidence.pk},
        lambda w: {**MISSING_INT, "evidence_id": w.sec_evidence.pk},
        owner_sees_marker=True,
    ),
    "security-event-list": Probe(Kind.LIST, methods=("get", "post")),
    "security-event-detail": detail("sec_security_event", methods=("get", "patch"), owner="a_user"),
    "security-event-statistics": Probe(Kind.LIST),
    "major-event-list": Probe(Kind.SHARED, methods=("get", "post")),
    "major-event-detail": shared("sec_event", methods=("get", "patch", "delete")),
    "protection-plan-list": Probe(Kind.SHARED, methods=("get", "post")),
    "protection-plan-occasions": Probe(Kind.SHARED),
    "protection-plan-detail": shared("sec_protection"),
    "protection-plan-attachment": shared("sec_protection"),
}
