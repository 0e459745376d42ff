"""Every security action is an audit event with a readable label; the sweeps run as tasks; the demo
loader is tolerant and idempotent."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from govcloud.audit.actions import ACTION_LABELS
from govcloud.audit.chain import verify_chain
from govcloud.audit.models import AuditEvent
from govcloud.core.actors import SYSTEM
from govcloud.core.roles import Role
from govcloud.security import demo, services
from govcloud.security.models import (
    AccessGrant,
    AccessSession,
    AddressFiling,
    EmergencyDrill,
    EmergencyPlan,
    MajorEvent,
    OpenPort,
    PlanScope,
    SecurityBulletin,
)
from govcloud.security.tests.helpers import complete_filing, grant, upload
from govcloud.systems.models import InformationSystem
from govcloud.workdays.services import calendar_seed_from_package

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def test_every_action_writes_an_audit_event_with_a_label(client, sec):
    filing = complete_filing(sec)
    draft = services.address_filing_create(actor=sec.a_applicant, system=sec.system_a, address="58.222.17.11")
    services.address_filing_update(actor=sec.a_applicant, filing=draft, purpose="备用地址")
    services.address_filing_submit(actor=sec.a_applicant, filing=draft)
    services.address_filing_reject(actor=sec.center, filing=draft, comment="x")
    services.address_filing_withdraw(actor=sec.a_applicant, filing=draft)
    opened = services.port_request_submit(actor=sec.a_applicant, filing=filing, port=443, reason="HTTPS")
    services.port_request_approve(actor=sec.center, request=opened)
    rejected = services.port_request_submit(actor=sec.a_applicant, filing=filing, port=80, reason="HTTP")
    services.port_request_reject(actor=sec.center, request=rejected, comment="x")
    withdrawn = services.port_request_submit(actor=sec.a_applicant, filing=filing, port=22, reason="ssh")
    services.port_request_withdraw(actor=sec.a_applicant, request=withdrawn)
    services.port_close(actor=sec.a_applicant, filing=filing, port=443, protocol="tcp", reason="x")
    given = grant(sec, hours=1)
    services.access_session_record(
        actor=sec.provider,
        grant=given,
        system=sec.system_a,
        started_at=given.starts_at + timedelta(seconds=1),
        ended_at=given.starts_at + timedelta(minutes=1),
        work_done="x",
    )
    flagged = services.access_session_record(
        actor=sec.provider,
        system=sec.system_a,
        started_at=timezone.now() - timedelta(hours=2),
        ended_at=timezone.now() - timedelta(hours=1),
        work_done="x",
    )
    services.access_session_review(actor=sec.a_head, session=flagged, comment="x")
    services.access_grant_revoke(actor=sec.a_head, grant=grant(sec, hours=2))
    with time_machine.travel(timezone.now() + timedelta(hours=3)):
        services.access_grants_expire(actor=SYSTEM)
    bulletin = services.security_bulletin_create(
        actor=sec.provider, period=date(2025, 9, 1), title="x", content="x", attachment=upload()
    )
    services.security_bulletin_update(actor=sec.provider, bulletin=bulletin, content="y")
    services.security_bulletin_publish(actor=sec.provider, bulletin=bulletin)
    services.security_bulletin_read(actor=sec.a_applicant, bulletin=bulletin)
    services.attachment_open(actor=sec.a_applicant, attachment=bulletin.attachment, owner=bulletin)
    plan = services.emergency_plan_create(actor=sec.center, scope=PlanScope.CENTER_WIDE, title="x", content="x")
    services.emergency_plan_add_version(actor=sec.center, plan=plan, content="y", change_summary="y")
    drill = services.emergency_drill_record(
        actor=sec.provider, plan_version=plan.current_version, held_on=date.today(), scenario="x", participants="x"
    )
    item = services.drill_follow_up_add(
        actor=sec.provider, drill=drill, description="x", owner="y", due_on=date.today()
    )
    services.drill_follow_up_update(actor=sec.provider, follow_up=item, status="done")
    event = services.major_event_create(
        actor=sec.center, name="x", starts_on=date.today() + timedelta(days=3), ends_on=date.today() + timedelta(days=3)
    )
    services.major_event_update(actor=sec.center, event=event, name="y")
    services.protection_plans_remind(actor=SYSTEM)
    services.protection_plan_file(actor=sec.provider, occasion_key=f"event:{event.pk}", title="x", content="x")
    services.protection_plan_file(actor=sec.provider, occasion_key=f"event:{event.pk}", title="x", content="y")
    other = services.major_event_create(actor=sec.center, name="z", starts_on=date.today(), ends_on=date.today())
    services.major_event_delete(actor=sec.center, event=other)

    recorded = set(AuditEvent.objects.values_list("action", flat=True))
    security_actions = {a for a in ACTION_LABELS if a.split(".")[0] in _PREFIXES}
    expected = security_actions - {"security_bulletin.missing_warning", "emergency_drill.overdue_warning"}
    assert expected <= recorded, sorted(expected - recorded)
    assert {a for a in recorded if a.split(".")[0] in _PREFIXES} <= security_actions
    assert verify_chain().ok


_PREFIXES = {
    "address_filing",
    "port_request",
    "port",
    "access_grant",
    "access_session",
    "security_bulletin",
    "emergency_plan",
    "emergency_drill",
    "drill_follow_up",
    "major_event",
    "protection_plan",
    "attachment",
}


def test_the_sweep_tasks(sec):
    from govcloud.security.tasks import drills_overdue_task, protection_plans_remind_task

    calendar_seed_from_package(actor=SYSTEM)
    with time_machine.travel(datetime(2024, 9, 1, 9, 0, tzinfo=SH), tick=False):
        services.emergency_plan_create(actor=sec.center, scope=PlanScope.CENTER_WIDE, title="x", content="x")
    with time_machine.travel(datetime(2025, 9, 25, 9, 0, tzinfo=SH), tick=False):
        assert drills_overdue_task.call() == 1
        assert protection_plans_remind_task.call() == 1  # National Day 2025
        assert (drills_overdue_task.call(), protection_plans_remind_task.call()) == (0, 0)
    assert AuditEvent.objects.filter(action="emergency_drill.overdue_warning").count() == 1


def test_demo_without_an_internet_facing_system_creates_no_exposure_records(sec):
    InformationSystem.objects.filter(internet_facing=True).update(internet_facing=False)
    users = {"provider_ops": sec.provider, "center_admin": sec.center, "wjw_head": sec.a_head}
    demo.load_demo(orgs={}, users=users)
    assert not AddressFiling.objects.exists() and not AccessGrant.objects.exists()
    assert SecurityBulletin.objects.count() == 1 and EmergencyPlan.objects.count() == 1
    assert MajorEvent.objects.count() == 1 and EmergencyDrill.objects.count() == 1


def test_demo_is_idempotent_and_builds_the_described_story(sec, city):
    wjw_security = city.user(Role.DEPARTMENT_SECURITY_OFFICER, org=sec.system_a.organization)
    InformationSystem.objects.exclude(pk=sec.system_a.pk).update(internet_facing=False)
    users = {"provider_ops": sec.provider, "center_admin": sec.center, "wjw_security": wjw_security}
    demo.load_demo(orgs={}, users=users)
    counts = [m.objects.count() for m in (AddressFiling, OpenPort, AccessGrant, AccessSession, SecurityBulletin)]
    demo.load_demo(orgs={}, users=users)
    assert [
        m.objects.count() for m in (AddressFiling, OpenPort, AccessGrant, AccessSession, SecurityBulletin)
    ] == counts
    filing = AddressFiling.objects.get()
    assert [(p.port, p.protocol) for p in services.open_ports(filing=filing)] == [(443, "tcp")]
    assert services.address_go_live_clearance(system=sec.system_a).cleared
    assert sorted(AccessSession.objects.values_list("flagged", flat=True)) == [False, True]
    assert AccessGrant.objects.get().status == "active"
    assert EmergencyPlan.objects.get().current_version.number == 2
    assert SecurityBulletin.objects.get().is_published
