"""The service desk pages and endpoints: the journey through the pages and the API, the board's order
and refresh, the month's figures, and constant query counts whatever the number of incidents."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from conftest import login
from govcloud.incidents import services
from govcloud.incidents.models import Incident, IncidentState
from govcloud.incidents.tests.conftest import report
from tests.test_query_counts import LIMIT, count

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
_serial = itertools.count(1)


def test_the_journey_through_the_pages(client, desk):
    login(client, desk.a_applicant)
    response = client.get(reverse("incidents:incident_create"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "甲局主机" in page and "乙局主机" not in page
    response = client.post(
        reverse("incidents:incident_create"),
        {
            "title": "门户 502",
            "symptom": "首页打不开",
            "severity": desk.severity().pk,
            "system": desk.system_a.pk,
            "resources": [desk.resource_a.pk],
            "contact_name": "张三",
            "contact_phone": "138",
        },
    )
    incident = Incident.objects.get(title="门户 502")
    assert response.status_code == 302 and response.url == reverse("incidents:incident_detail", args=[incident.pk])

    login(client, desk.primary)
    page = client.get(reverse("incidents:incident_detail", args=[incident.pk])).content.decode()
    assert 'data-testid="claim"' in page
    act = lambda action, data: client.post(reverse("incidents:incident_act", args=[incident.pk, action]), data)  # noqa: E731
    assert act("claim", {"message": "已收到，排查中"}).status_code == 302
    act("recover", {"resolution": "重启 nginx", "workaround": "", "root_cause": "配置错误"})
    assert Incident.objects.get(pk=incident.pk).state == IncidentState.RECOVERED

    login(client, desk.a_applicant)
    page = client.get(reverse("incidents:incident_detail", args=[incident.pk])).content.decode()
    assert 'data-testid="confirm"' in page and "已收到，排查中" in page
    act("confirm", {"comment": ""})
    act("rate", {"rating": "4", "comment": "不错"})
    incident.refresh_from_db()
    assert incident.state == IncidentState.CLOSED and incident.rating == 4


def test_another_department_gets_404_and_cannot_rate(client, desk):
    incident = report(desk)
    login(client, desk.b_head)
    assert client.get(reverse("incidents:incident_detail", args=[incident.pk])).status_code == 404
    response = client.post(reverse("incidents:incident_act", args=[incident.pk, "rate"]), {"rating": "1"})
    assert response.status_code == 404
    response = client.post(f"/api/v1/incidents/{incident.pk}/rate/", {"rating": 1}, content_type="application/json")
    assert response.status_code == 404
    assert client.get("/api/v1/incidents/").json()["count"] == 0


def test_the_api_journey(client, desk):
    login(client, desk.a_head)
    response = client.post(
        "/api/v1/incidents/",
        {
            "title": "API 报障",
            "symptom": "接口超时",
            "severity": desk.severity("serious").pk,
            "resources": [desk.resource_a.pk],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["channel"] == "api" and body["state"] == "reported"
    assert [r["code"] for r in body["resource_list"]] == [desk.resource_a.code]
    pk = body["id"]
    # Another department's resource is refused as if it did not exist.
    bad = client.post(
        "/api/v1/incidents/",
        {"title": "x", "symptom": "y", "severity": desk.severity().pk, "resources": [desk.resource_b.pk]},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "resources" in bad.json()
    login(client, desk.primary)
    claimed = client.post(f"/api/v1/incidents/{pk}/claim/", {"message": "收到"}, content_type="application/json")
    assert claimed.status_code == 200 and claimed.json()["responded_in_time"] is True
    # A second claim (someone else was first): 409 Conflict, the record has moved on.
    again = client.post(f"/api/v1/incidents/{pk}/claim/", {"message": "收到"}, content_type="application/json")
    assert again.status_code == 409
    client.post(f"/api/v1/incidents/{pk}/recover/", {"resolution": "扩容"}, content_type="application/json")
    login(client, desk.a_head)
    assert client.post(f"/api/v1/incidents/{pk}/confirm/", {}, content_type="application/json").status_code == 200
    rated = client.post(f"/api/v1/incidents/{pk}/rate/", {"rating": 5}, content_type="application/json")
    assert rated.status_code == 200 and rated.json()["rating"] == 5
    kinds = [e["kind"] for e in client.get(f"/api/v1/incidents/{pk}/timeline/").json()]
    assert kinds == ["reported", "claimed", "recovered", "confirmed", "rated"]


def test_a_phone_call_through_the_api_starts_at_the_call(client, desk):
    login(client, desk.primary)
    called = datetime(2026, 10, 3, 3, 0, tzinfo=SH)
    with time_machine.travel(called + timedelta(minutes=4), tick=False):
        response = client.post(
            "/api/v1/incidents/calls/",
            {
                "organization": desk.city.dept_a.pk,
                "caller": "甲局 李四",
                "called_at": called.isoformat(),
                "title": "专线",
                "symptom": "断",
                "severity": desk.severity().pk,
            },
            content_type="application/json",
        )
    assert response.status_code == 201, response.content
    assert response.json()["response_due_at"].startswith("2026-10-03T03:05:00")


def test_the_board_puts_the_least_time_left_first_and_refreshes(client, desk):
    t0 = datetime(2026, 10, 3, 10, 0, tzinfo=SH)
    with time_machine.travel(t0, tick=False):
        answered = report(desk, title="已响应", severity="critical")
        services.incident_claim(actor=desk.primary, incident=answered, message="ok")
    with time_machine.travel(t0 + timedelta(minutes=1), tick=False):
        waiting = report(desk, title="等待响应")
    with time_machine.travel(t0 + timedelta(minutes=2), tick=False):
        later = report(desk, title="稍后报告")
    with time_machine.travel(t0 + timedelta(minutes=6, seconds=30), tick=False):
        login(client, desk.center)
        page = client.get(reverse("incidents:board")).content.decode()
        assert 'hx-trigger="every 15s"' in page and reverse("incidents:board_rows") in page
        rows = client.get(reverse("incidents:board_rows")).content.decode()
    order = [rows.index(i.number) for i in (waiting, later, answered)]
    assert order == sorted(order)
    # The first one's response limit passed 30 s ago: highlighted.
    assert f'class="table-danger" data-testid="board-row" data-number="{waiting.number}"' in rows
    login(client, desk.a_head)
    assert client.get(reverse("incidents:board")).status_code == 403


def test_month_figures(client, desk):
    t0 = datetime(2026, 10, 3, 10, 0, tzinfo=SH)
    for seconds in (60, 200, 299, 301):
        with time_machine.travel(t0, tick=False):
            incident = report(desk)
        with time_machine.travel(t0 + timedelta(seconds=seconds), tick=False):
            services.incident_claim(actor=desk.primary, incident=incident, message="ok")
        with time_machine.travel(t0 + timedelta(hours=1), tick=False):
            services.incident_recover(actor=desk.primary, incident=incident, resolution="ok")
    login(client, desk.center)
    response = client.get(reverse("incidents:figures"), {"month": "2026-10"})
    figures = response.context["figures"]
    assert figures["total"] == 4
    assert figures["response_pct"] == 75.0
    assert figures["median_response_seconds"] == 249
    assert figures["recovery_pct"] == 100.0
    login(client, desk.b_head)
    assert client.get(reverse("incidents:figures"), {"month": "2026-10"}).context["figures"]["total"] == 0


def grow(desk, n: int) -> None:
    for _ in range(n):
        i = next(_serial)
        incident = report(desk, title=f"故障{i}", severity="major" if i % 3 == 0 else "general")
        if i % 2:
            services.incident_claim(actor=desk.primary, incident=incident, message="ok")
            services.follow_up_add(
                actor=desk.primary, incident=incident, description="x", owner="y", due_on=incident.reported_at.date()
            )
        report(desk, actor=desk.b_applicant, title=f"乙{i}", system=None, resources=[])


CASES = [
    ("center", "incidents:incident_list"),
    ("a_head", "incidents:incident_list"),
    ("primary", "incidents:board"),
    ("primary", "incidents:board_rows"),
    ("center", "incidents:figures"),
    ("center", "incident-list"),
    ("a_head", "incident-list"),
]


@pytest.mark.parametrize("who, name", CASES, ids=[f"{w}-{n}" for w, n in CASES])
def test_constant_queries(client, desk, who, name):
    login(client, getattr(desk, who))
    url = reverse(name)
    grow(desk, 2)
    count(client, url)
    small = count(client, url)
    grow(desk, 10)
    count(client, url)
    large = count(client, url)
    assert small == large, (small, large)
    assert large <= LIMIT, large


@pytest.mark.parametrize("name", ["incidents:incident_detail", "incident-detail", "incident-timeline"])
def test_an_incident_with_a_long_timeline(client, desk, name):
    login(client, desk.center)

    def incident_with(messages: int):
        incident = report(desk)
        for i in range(messages):
            services.incident_message(actor=desk.a_applicant, incident=incident, body=f"消息{i}")
        return incident

    small_one, large_one = incident_with(1), incident_with(12)
    count(client, reverse(name, args=[small_one.pk]))
    small = count(client, reverse(name, args=[small_one.pk]))
    large = count(client, reverse(name, args=[large_one.pk]))
    assert small == large <= LIMIT, (small, large)


def test_a_resource_and_a_system_link_to_their_incidents(client, desk):
    on_resource = report(desk, title="主机故障")
    report(desk, title="无关故障", resources=[], system=None)
    login(client, desk.a_head)
    page = client.get(reverse("ledger:resource_detail", args=[desk.resource_a.pk])).content.decode()
    link = f"{reverse('incidents:incident_list')}?resource={desk.resource_a.pk}"
    assert link in page
    listed = client.get(link).content.decode()
    assert on_resource.number in listed and "无关故障" not in listed
    page = client.get(reverse("systems:system_detail", args=[desk.system_a.pk])).content.decode()
    assert f"{reverse('incidents:incident_list')}?system={desk.system_a.pk}" in page


def test_the_center_edits_a_severity_and_the_desk_keeps_the_roster(client, desk):
    severity = desk.severity("serious")
    login(client, desk.center)
    response = client.post(
        reverse("incidents:severity_edit", args=[severity.pk]),
        {"name": "较大", "definition": "新定义", "is_major": "", "response_minutes": "", "recovery_hours": "6"},
    )
    assert response.status_code == 302
    severity.refresh_from_db()
    assert severity.recovery_hours == 6 and severity.definition == "新定义"
    login(client, desk.primary)
    assert client.get(reverse("incidents:severity_edit", args=[severity.pk])).status_code == 403
    page = client.get(reverse("incidents:roster")).content.decode()
    assert "值班甲" in page and "备班乙" in page
    response = client.post(
        reverse("incidents:roster"),
        {
            "team": desk.team.pk,
            "starts_at": "2031-01-01T08:00",
            "ends_at": "2031-01-01T20:00",
            "primary": desk.engineer.pk,
            "backup": desk.backup.pk,
        },
    )
    assert response.status_code == 302
    assert desk.team.shifts.count() == 2


def test_attachments_with_the_report_and_a_message(client, desk, settings, tmp_path):
    from pathlib import Path

    from django.core.files.uploadedfile import SimpleUploadedFile

    from govcloud.audit.models import AuditEvent

    settings.PRIVATE_MEDIA_ROOT = str(tmp_path)
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 64
    login(client, desk.a_applicant)
    client.post(
        reverse("incidents:incident_create"),
        {
            "title": "截图报障",
            "symptom": "见截图",
            "severity": desk.severity().pk,
            "attachments": [SimpleUploadedFile("首页.png", png, content_type="image/png")],
        },
    )
    incident = Incident.objects.get(title="截图报障")
    file = incident.attachments.get()
    assert file.original_name == "首页.png" and file.content_type == "image/png" and len(file.sm3) == 64
    url = reverse("incidents:attachment", args=[incident.pk, file.pk])
    page = client.get(reverse("incidents:incident_detail", args=[incident.pk])).content.decode()
    assert url in page
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == png
    assert AuditEvent.objects.filter(action="incident.attachment_download", object_id=str(incident.pk)).exists()
    api = client.get(f"/api/v1/incidents/{incident.pk}/attachments/{file.pk}/")
    assert api.status_code == 200
    # Not a PDF/PNG/JPEG by content: refused, nothing written.
    before = sorted(Path(tmp_path).rglob("*"))
    login(client, desk.primary)
    client.post(
        reverse("incidents:incident_act", args=[incident.pk, "message"]),
        {"body": "请看", "attachments": [SimpleUploadedFile("x.png", b"MZ not an image")]},
    )
    assert incident.entries.filter(kind="message").count() == 0
    assert sorted(Path(tmp_path).rglob("*")) == before
    client.post(
        reverse("incidents:incident_act", args=[incident.pk, "message"]),
        {"body": "日志见附件", "attachments": [SimpleUploadedFile("log.pdf", b"%PDF-1.4\n%%EOF\n")]},
    )
    assert incident.entries.get(kind="message").attachments.get().original_name == "log.pdf"
    login(client, desk.b_head)
    assert client.get(url).status_code == 404
