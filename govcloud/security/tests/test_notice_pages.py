"""The pages of security notices and security events, driven as people use them (assertions on data
and test ids, not on text: pages are in Chinese by default)."""

from __future__ import annotations

import json
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from conftest import login
from govcloud.security import services
from govcloud.security.models import NoticeRectification, RectificationStatus, SecurityEvent, SecurityNotice
from govcloud.security.tests.helpers import PNG, upload

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)


def html(response) -> str:
    return response.content.decode()


def test_issue_answer_with_evidence_and_accept_through_the_pages(client, sec):
    login(client, sec.center)
    form = client.get(reverse("security:notice_create"))
    assert form.status_code == 200 and form.context["form"]["working_days"].value() == 10
    # Nothing addressed: the form comes back with the service's message.
    response = client.post(
        reverse("security:notice_create"),
        {"title": "x", "kind": "vulnerability", "severity": "high", "description": "x", "required_measures": "x"},
    )
    assert response.status_code == 200 and "organizations" in response.context["form"].errors
    response = client.post(
        reverse("security:notice_create"),
        {
            "title": "Redis 未授权访问",
            "kind": "vulnerability",
            "severity": "high",
            "description": "扫描发现 6379 端口对外开放且无口令。",
            "required_measures": "设置访问口令并限制来源地址。",
            "systems": [sec.system_a.pk],
            "organizations": [sec.city.dept_b.pk],
            "working_days": 3,
            "attachment": upload("advisory.pdf"),
        },
    )
    notice = SecurityNotice.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("security:notice_detail", args=[notice.pk])
    record = NoticeRectification.objects.get(notice=notice, organization=sec.city.dept_a)
    page = html(client.get(reverse("security:notice_detail", args=[notice.pk])))
    assert page.count('data-status="issued"') == 2 and "乙局" in page

    # The department's security officer opens it (read) and answers with two evidence files.
    login(client, sec.a_security)
    page = html(client.get(reverse("security:rectification_detail", args=[record.pk])))
    record.refresh_from_db()
    assert record.status == RectificationStatus.READ and 'data-testid="report-submit"' in page
    assert "乙局" not in html(client.get(reverse("security:notice_detail", args=[notice.pk])))
    response = client.post(
        reverse("security:rectification_report", args=[record.pk]),
        {
            "measures": "已设置强口令，并将 6379 端口限制为内网访问。",
            "result": "复测无法未授权访问。",
            "evidence": [upload("retest.pdf"), upload("acl.png", PNG, "image/png")],
        },
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == RectificationStatus.SUBMITTED
    report = record.reports.get()
    assert sorted(report.evidence.values_list("original_name", flat=True)) == ["acl.png", "retest.pdf"]
    page = html(client.get(reverse("security:rectification_detail", args=[record.pk])))
    assert 'data-testid="rectification-decision"' not in page and page.count('data-testid="report"') == 1

    # The center accepts it.
    login(client, sec.center)
    page = html(client.get(reverse("security:rectification_detail", args=[record.pk])))
    assert 'data-testid="rectification-decision"' in page
    evidence = report.evidence.get(original_name="retest.pdf")
    download = client.get(reverse("security:rectification_evidence", args=[record.pk, evidence.pk]))
    assert download.status_code == 200
    client.post(reverse("security:rectification_transition", args=[record.pk]), {"action": "accept"})
    record.refresh_from_db()
    assert record.status == RectificationStatus.ACCEPTED


def test_a_return_without_a_reason_is_refused_on_the_page(client, sec):
    notice = services.security_notice_issue(
        actor=sec.center,
        kind="event",
        severity="medium",
        title="x",
        description="x",
        required_measures="x",
        organizations=[sec.city.dept_a],
    )
    record = notice.rectifications.get()
    services.notice_rectification_submit(actor=sec.a_head, rectification=record, measures="m", result="r")
    login(client, sec.center)
    response = client.post(
        reverse("security:rectification_transition", args=[record.pk]), {"action": "return"}, follow=True
    )
    assert response.status_code == 200 and list(response.context["messages"])
    record.refresh_from_db()
    assert record.status == RectificationStatus.SUBMITTED


def test_who_may_open_which_form(client, sec):
    notice = services.security_notice_issue(
        actor=sec.center,
        kind="event",
        severity="medium",
        title="x",
        description="x",
        required_measures="x",
        organizations=[sec.city.dept_a],
    )
    record = notice.rectifications.get()
    login(client, sec.a_applicant)
    # The applicant sees the record (not marking it read) but neither answers nor issues.
    assert client.get(reverse("security:rectification_detail", args=[record.pk])).status_code == 200
    record.refresh_from_db()
    assert record.status == RectificationStatus.ISSUED
    assert client.get(reverse("security:rectification_report", args=[record.pk])).status_code == 403
    assert client.get(reverse("security:notice_create")).status_code == 403
    login(client, sec.b_head)
    assert client.get(reverse("security:rectification_detail", args=[record.pk])).status_code == 404
    assert client.get(reverse("security:rectification_report", args=[record.pk])).status_code == 404
    login(client, sec.provider)
    assert client.get(reverse("security:notice_detail", args=[notice.pk])).status_code == 404
    assert client.get(reverse("security:security_event_create")).status_code == 200


def test_events_recorded_corrected_and_charted(client, sec):
    with time_machine.travel(datetime(2026, 5, 20, 10, 0, tzinfo=SH), tick=False):
        login(client, sec.provider)
        response = client.post(
            reverse("security:security_event_create"),
            {
                "kind": "attack_blocked",
                "occurred_at": "2026-05-19T23:00",
                "count": 812,
                "systems": [sec.system_a.pk],
                "source": "WAF",
                "summary": "SQL 注入与目录遍历攻击",
            },
        )
        assert response.status_code == 302
        event = SecurityEvent.objects.get()
        assert event.organization == sec.city.dept_a and event.count == 812
        response = client.post(
            reverse("security:security_event_edit", args=[event.pk]),
            {
                "kind": "attack_blocked",
                "occurred_at": "2026-05-19T23:00",
                "count": 900,
                "systems": [sec.system_a.pk],
                "summary": "更正",
            },
        )
        assert response.status_code == 302 and SecurityEvent.objects.get().count == 900
        page = client.get(reverse("security:security_event_stats"), {"month": "2026-05"})
        text = html(page)
        assert page.context["stats"].total == 900
        # The charts' data travels as JSON (json_script), never as inline script.
        option = json.loads(re.search(r'id="security-kind-chart"[^>]*>(.*?)</script>', text, re.S).group(1))
        assert option["series"][0]["data"][0] == 900
        assert not INLINE_SCRIPT.search(text)
        login(client, sec.a_head)
        assert client.get(reverse("security:security_event_edit", args=[event.pk])).status_code == 404
        listed = client.get(reverse("security:security_event_list"), {"month": "2026-05"})
        assert [e.pk for e in listed.context["page"]] == [event.pk]
        login(client, sec.b_head)
        assert not list(client.get(reverse("security:security_event_list")).context["page"])
        assert client.get(reverse("security:security_event_stats")).context["stats"].total == 0


def test_the_pages_speak_chinese_and_the_operations_menu_leads_there(client, sec):
    login(client, sec.a_head)
    page = html(client.get(reverse("security:notice_list")))
    assert "安全通报" in page and 'data-group="operations"' in page
    assert reverse("security:notice_list") in page and reverse("security:security_event_stats") in page
