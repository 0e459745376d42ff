"""The security pages, driven as people use them (assertions on data and test ids, not on text:
pages are in Chinese by default)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import login
from govcloud.security import services
from govcloud.security.models import (
    AccessGrant,
    AccessSession,
    AddressFiling,
    BulletinReceipt,
    EmergencyDrill,
    EmergencyPlan,
    FilingStatus,
    FollowUpStatus,
    MajorEvent,
    PortRequest,
    ProtectionPlan,
)
from govcloud.security.tests.helpers import complete_filing, grant

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_filing_and_port_opening_through_the_pages(client, sec):
    login(client, sec.a_applicant)
    response = client.post(
        reverse("security:filing_create"),
        {"system": sec.system_a.pk, "address": "58.222.17.10", "requested_ports": "443/tcp, 80/tcp", "purpose": "门户"},
    )
    filing = AddressFiling.objects.get()
    assert response.status_code == 302 and filing.requested_ports_display == "80/tcp, 443/tcp"
    # A private address comes back on the form with the service's message.
    response = client.post(reverse("security:filing_create"), {"system": sec.system_a.pk, "address": "10.0.0.1"})
    assert response.status_code == 200 and "address" in response.context["form"].errors
    page = html(client.get(reverse("security:filing_detail", args=[filing.pk])))
    assert 'data-testid="filing-submit"' in page and 'data-testid="filing-decision"' not in page
    client.post(reverse("security:filing_transition", args=[filing.pk]), {"action": "submit"})
    login(client, sec.center)
    page = html(client.get(reverse("security:filing_detail", args=[filing.pk])))
    assert 'data-testid="filing-decision"' in page
    client.post(reverse("security:filing_transition", args=[filing.pk]), {"action": "complete", "reference": "TZ-7"})
    filing.refresh_from_db()
    assert filing.status == FilingStatus.COMPLETE and filing.reference == "TZ-7"
    login(client, sec.a_applicant)
    client.post(
        reverse("security:port_request_create", args=[filing.pk]), {"port": 443, "protocol": "tcp", "reason": "HTTPS"}
    )
    request = PortRequest.objects.get()
    login(client, sec.a_head)
    # The department cannot approve its own request: the decision buttons are not there, and the
    # action is refused.
    assert 'data-testid="port-decision"' not in html(
        client.get(reverse("security:port_request_detail", args=[request.pk]))
    )
    client.post(reverse("security:port_request_decide", args=[request.pk]), {"action": "approve"})
    assert services.open_ports(filing=filing) == []
    login(client, sec.center)
    client.post(reverse("security:port_request_decide", args=[request.pk]), {"action": "approve"})
    page = html(client.get(reverse("security:filing_detail", args=[filing.pk])))
    assert "443/tcp" in page.split('data-testid="open-ports"')[1].split("</table>")[0]
    client.post(reverse("security:port_close", args=[filing.pk]), {"port": 443, "protocol": "tcp", "reason": "维护"})
    assert services.open_ports(filing=filing) == []


def test_grant_session_and_review_through_the_pages(client, sec):
    login(client, sec.a_security)
    now = timezone.now()
    response = client.post(
        reverse("security:grant_create"),
        {
            "grantee": sec.provider.pk,
            "system": sec.system_a.pk,
            "purpose": "升级",
            "ends_at": local(now + timedelta(hours=100)),
        },
    )
    assert response.status_code == 200 and "ends_at" in response.context["form"].errors
    client.post(
        reverse("security:grant_create"),
        {
            "grantee": sec.provider.pk,
            "system": sec.system_a.pk,
            "purpose": "升级",
            "ends_at": local(now + timedelta(hours=4)),
        },
    )
    given = AccessGrant.objects.get()
    assert 'data-testid="grant-revoke"' in html(client.get(reverse("security:grant_detail", args=[given.pk])))
    login(client, sec.provider)
    response = client.post(
        reverse("security:session_create"),
        {
            "system": sec.system_a.pk,
            "started_at": local(now - timedelta(hours=3)),
            "ended_at": local(now - timedelta(hours=2)),
            "work_done": "夜间重启",
        },
    )
    session = AccessSession.objects.get()
    assert response.status_code == 302 and session.flagged
    login(client, sec.a_security)
    page = html(client.get(reverse("security:session_detail", args=[session.pk])))
    assert 'data-testid="flag-reasons"' in page and 'data-testid="session-review"' in page
    client.post(reverse("security:session_review", args=[session.pk]), {"comment": "已核实"})
    session.refresh_from_db()
    assert session.reviewed_by == sec.a_security
    assert 'data-testid="flagged"' in html(client.get(reverse("security:session_list") + "?flagged=true"))
    client.post(reverse("security:grant_revoke", args=[given.pk]), {"reason": "完成"})
    given.refresh_from_db()
    assert given.revoked_at is not None


def test_opening_a_bulletin_leaves_a_receipt_and_the_provider_sees_who_read_it(client, sec):
    bulletin = services.security_bulletin_create(
        actor=sec.provider, period=date(2025, 9, 1), title="九月", content="x", publish=True
    )
    login(client, sec.a_applicant)
    assert 'data-testid="unread"' in html(client.get(reverse("security:bulletin_list")))
    client.get(reverse("security:bulletin_detail", args=[bulletin.pk]))
    assert BulletinReceipt.objects.filter(reader=sec.a_applicant).exists()
    assert 'data-testid="read"' in html(client.get(reverse("security:bulletin_list")))
    login(client, sec.provider)
    page = html(client.get(reverse("security:bulletin_detail", args=[bulletin.pk])))
    assert 'data-testid="read-status"' in page and sec.city.dept_a.name in page


def test_plans_drills_events_and_protection_plans_through_the_pages(client, sec):
    login(client, sec.center)
    client.post(reverse("security:plan_create"), {"scope": "center_wide", "title": "平台预案", "content": "v1"})
    plan = EmergencyPlan.objects.get()
    client.post(reverse("security:plan_version_create", args=[plan.pk]), {"change_summary": "修订", "content": "v2"})
    plan.refresh_from_db()
    assert plan.current_version.number == 2
    login(client, sec.provider)
    client.post(
        reverse("security:drill_create"),
        {
            "plan_version": plan.current_version.pk,
            "held_on": date.today().isoformat(),
            "scenario": "断电",
            "participants": "中心, 服务商",
            "follow_ups": f"更换UPS | 服务商 | {(date.today() + timedelta(days=30)).isoformat()}",
        },
    )
    drill = EmergencyDrill.objects.get()
    item = drill.follow_ups.get()
    client.post(reverse("security:follow_up_update", args=[item.pk]), {"status": "done", "note": "已换"})
    item.refresh_from_db()
    assert item.status == FollowUpStatus.DONE
    assert 'data-testid="follow-ups"' in html(client.get(reverse("security:drill_detail", args=[drill.pk])))
    login(client, sec.center)
    start = date.today() + timedelta(days=5)
    client.post(
        reverse("security:event_list"),
        {"name": "观摩活动", "starts_on": start.isoformat(), "ends_on": (start + timedelta(days=1)).isoformat()},
    )
    event = MajorEvent.objects.get()
    assert 'data-testid="protection-due"' in html(client.get(reverse("security:protection_list")))
    login(client, sec.provider)
    client.post(
        reverse("security:protection_file"), {"occasion": f"event:{event.pk}", "title": "保障方案", "content": "值守"}
    )
    assert ProtectionPlan.objects.get().major_event == event


def test_the_overview_per_role(client, sec):
    complete_filing(sec)
    grant(sec)
    for user, present, absent in [
        (sec.center, ["panel-bulletin", "panel-protection", "session-chart-data"], []),
        (sec.a_head, ["panel-unread", "panel-drills"], ["panel-protection"]),
        (sec.provider, ["panel-bulletin", "panel-protection"], ["panel-unread"]),
    ]:
        login(client, user)
        page = html(client.get(reverse("security:overview")))
        for testid in present:
            assert testid in page, (user, testid)
        for testid in absent:
            assert testid not in page, (user, testid)
    login(client, sec.a_head)
    page = html(client.get(reverse("security:overview")))
    assert '<div class="value" data-testid="stat-active-grants">1</div>' in page
    login(client, sec.b_head)
    page = html(client.get(reverse("security:overview")))
    assert '<div class="value" data-testid="stat-active-grants">0</div>' in page


def test_the_grant_form_offers_only_the_departments_resources_and_the_list_shows_flags(client, sec):
    from govcloud.security.tests.helpers import ledger_resource

    mine = ledger_resource(sec.city.dept_a, "甲局数据库")
    theirs = ledger_resource(sec.city.dept_b, "乙局数据库")
    login(client, sec.a_security)
    page = html(client.get(reverse("security:grant_create")))
    assert mine.code in page and theirs.code not in page
    now = timezone.now()
    data = {"grantee": sec.provider.pk, "purpose": "升级", "ends_at": local(now + timedelta(hours=4))}
    refused = client.post(reverse("security:grant_create"), {**data, "resources": [theirs.pk]})
    assert refused.status_code == 200 and "resources" in refused.context["form"].errors
    client.post(reverse("security:grant_create"), {**data, "resources": [mine.pk], "resource_note": "只读"})
    given = AccessGrant.objects.get()
    detail = html(client.get(reverse("security:grant_detail", args=[given.pk])))
    assert mine.code in detail and "只读" in detail
    login(client, sec.provider)
    client.post(
        reverse("security:session_create"),
        {
            "resource": mine.pk,
            "started_at": local(now - timedelta(hours=3)),
            "ended_at": local(now - timedelta(hours=2)),
            "work_done": "夜间重启",
        },
    )
    session = AccessSession.objects.get()
    assert session.flagged and session.resource == mine
    login(client, sec.a_security)
    listing = html(client.get(reverse("security:session_list")))
    assert 'data-testid="flag-reasons-row"' in listing and mine.code in listing
