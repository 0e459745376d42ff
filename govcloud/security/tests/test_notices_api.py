"""The API of security notices, rectification records and security events: each endpoint with the
callers it allows and those it refuses."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from govcloud.security.models import NoticeRectification, RectificationReport, SecurityEvent, SecurityNotice
from govcloud.security.tests.helpers import PDF, PNG, upload
from govcloud.security.tests.test_api import api_for, ids

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")

NOTICE = {
    "kind": "vulnerability",
    "severity": "critical",
    "title": "Apache Tomcat 远程代码执行漏洞",
    "description": "CVE-2025-24813：部分 PUT 请求可导致远程代码执行。",
    "required_measures": "升级 Tomcat 至 9.0.99 / 10.1.35 / 11.0.3 及以上。",
}


def test_issuing_and_reading_notices(sec):
    center, a, b, provider = (api_for(u) for u in (sec.center, sec.a_head, sec.b_head, sec.provider))
    body = {**NOTICE, "systems": [sec.system_a.pk], "organizations": [sec.city.dept_b.pk], "working_days": 5}
    for refused in (a, provider):
        assert refused.post("/api/v1/security-notices/", body, format="json").status_code == 403
    assert center.post("/api/v1/security-notices/", {**body, "working_days": 0}, format="json").status_code == 400
    bad = center.post("/api/v1/security-notices/", {**NOTICE, "organizations": []}, format="json")
    assert bad.status_code == 400 and "organizations" in bad.data
    assert not SecurityNotice.objects.exists()
    created = center.post("/api/v1/security-notices/", body, format="json")
    assert created.status_code == 201, created.data
    pk = created.data["id"]
    assert created.data["record_count"] == 2 and created.data["number"].startswith("AQTB-")
    assert created.data["due_at"]
    # Each department sees the notice with its own record only.
    assert ids(a.get("/api/v1/security-notices/")) == [pk]
    assert a.get(f"/api/v1/security-notices/{pk}/").data["record_count"] == 1
    assert center.get(f"/api/v1/security-notices/{pk}/").data["record_count"] == 2
    records = a.get(f"/api/v1/security-notices/{pk}/records/").json()
    assert [r["organization"] for r in records] == [sec.city.dept_a.pk]
    assert records[0]["systems"] == [{"id": sec.system_a.pk, "name": "甲局门户"}]
    assert ids(provider.get("/api/v1/security-notices/")) == []
    assert provider.get(f"/api/v1/security-notices/{pk}/").status_code == 404
    # A notice to B only is not A's to see.
    only_b = center.post("/api/v1/security-notices/", {**NOTICE, "organizations": [sec.city.dept_b.pk]}, format="json")
    assert a.get(f"/api/v1/security-notices/{only_b.data['id']}/").status_code == 404
    assert b.get(f"/api/v1/security-notices/{only_b.data['id']}/").status_code == 200


def test_a_record_from_report_to_acceptance_with_forbidden_callers(sec):
    center = api_for(sec.center)
    pk = center.post("/api/v1/security-notices/", {**NOTICE, "systems": [sec.system_a.pk]}, format="json").data["id"]
    record = NoticeRectification.objects.get(notice_id=pk)
    url = f"/api/v1/notice-rectifications/{record.pk}/"
    a_security, a_applicant, b_security = (api_for(u) for u in (sec.a_security, sec.a_applicant, sec.b_security))
    assert ids(a_applicant.get("/api/v1/notice-rectifications/")) == [record.pk]
    assert ids(b_security.get("/api/v1/notice-rectifications/")) == []
    assert b_security.get(url).status_code == 404
    # Another department: 404 as for a missing record; the wrong role in the right department: 403.
    assert b_security.post(f"{url}read/").status_code == 404
    assert a_applicant.post(f"{url}read/").status_code == 403
    assert center.post(f"{url}read/").status_code == 403
    read = a_security.post(f"{url}read/")
    assert read.status_code == 200 and read.data["status"] == "read"

    def files():
        return {
            "measures": "已升级 Tomcat 至 10.1.35",
            "result": "复测通过",
            "evidence": [upload(), upload("b.png", PNG)],
        }

    assert b_security.post(f"{url}report/", files(), format="multipart").status_code == 404
    assert center.post(f"{url}report/", files(), format="multipart").status_code == 403
    assert a_applicant.post(f"{url}report/", files(), format="multipart").status_code == 403
    assert a_security.post(f"{url}report/", {"measures": "x"}, format="multipart").status_code == 400
    submitted = a_security.post(f"{url}report/", files(), format="multipart")
    assert submitted.status_code == 201, submitted.data
    assert submitted.data["number"] == 1 and len(submitted.data["evidence"]) == 2
    evidence_id = next(e["id"] for e in submitted.data["evidence"] if e["original_name"] == "a.pdf")

    download = a_applicant.get(f"{url}evidence/{evidence_id}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert b_security.get(f"{url}evidence/{evidence_id}/").status_code == 404
    assert center.get(f"{url}evidence/{evidence_id}/").status_code == 200

    assert a_security.post(f"{url}accept/", {}, format="json").status_code == 403
    assert b_security.post(f"{url}accept/", {}, format="json").status_code == 404
    assert center.post(f"{url}return/", {}, format="json").status_code == 400  # the reason is required
    returned = center.post(f"{url}return/", {"comment": "请补充版本截图"}, format="json")
    assert returned.status_code == 200 and returned.data["status"] == "returned"
    assert returned.data["reports"][0]["decision"] == "returned"
    assert center.post(f"{url}accept/", {}, format="json").status_code == 409  # nothing to decide on (state)
    again = a_security.post(f"{url}report/", {"measures": "补充截图", "result": "复测通过"}, format="multipart")
    assert again.status_code == 201 and again.data["number"] == 2
    accepted = center.post(f"{url}accept/", {"comment": "同意"}, format="json")
    assert accepted.status_code == 200 and accepted.data["status"] == "accepted"
    assert RectificationReport.objects.filter(rectification=record).count() == 2
    assert ids(center.get("/api/v1/notice-rectifications/?status=accepted")) == [record.pk]
    assert center.post(f"{url}cancel/", {"comment": "x"}, format="json").status_code == 409  # accepted: final


def test_security_events_and_their_statistics(sec):
    provider, a, b, center = (api_for(u) for u in (sec.provider, sec.a_head, sec.b_head, sec.center))
    with time_machine.travel(datetime(2026, 5, 20, 10, 0, tzinfo=SH), tick=False):
        body = {
            "kind": "attack_blocked",
            "occurred_at": "2026-05-03T02:00:00+08:00",
            "count": 1204,
            "systems": [sec.system_a.pk],
            "source": "WAF",
            "summary": "SQL 注入攻击",
        }
        assert a.post("/api/v1/security-events/", body, format="json").status_code == 403
        bad = provider.post("/api/v1/security-events/", {**body, "count": 0}, format="json")
        assert bad.status_code == 400
        created = provider.post("/api/v1/security-events/", body, format="json")
        assert created.status_code == 201, created.data
        assert created.data["organization"] == sec.city.dept_a.pk
        pk = created.data["id"]
        center.post(
            "/api/v1/security-events/", {**body, "systems": [], "kind": "vulnerability", "count": 3}, format="json"
        )
        assert ids(a.get("/api/v1/security-events/")) == [pk]
        assert ids(b.get("/api/v1/security-events/")) == []
        assert b.get(f"/api/v1/security-events/{pk}/").status_code == 404
        assert b.patch(f"/api/v1/security-events/{pk}/", {"count": 1}, format="json").status_code == 404
        assert a.patch(f"/api/v1/security-events/{pk}/", {"count": 1}, format="json").status_code == 404
        patched = provider.patch(f"/api/v1/security-events/{pk}/", {"count": 1205}, format="json")
        assert patched.status_code == 200 and patched.data["count"] == 1205
        stats = center.get("/api/v1/security-events/statistics/?month=2026-05").json()
        assert (stats["events"], stats["total"]) == (2, 1208)
        assert [d["name"] for d in stats["by_department"]] == ["甲局", "平台整体"]  # the API speaks Chinese by default
        own = a.get("/api/v1/security-events/statistics/?month=2026-05").json()
        assert (own["events"], own["total"]) == (1, 1205)
        assert center.get("/api/v1/security-events/statistics/?month=May").status_code == 400
        assert center.get("/api/v1/security-events/?month=2026-04").json()["results"] == []
    assert SecurityEvent.objects.count() == 2


def test_the_new_endpoints_are_in_the_schema(sec):
    schema = api_for(sec.center).get(reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path in (
        "/api/v1/security-notices/",
        "/api/v1/security-notices/{id}/records/",
        "/api/v1/notice-rectifications/{id}/report/",
        "/api/v1/notice-rectifications/{id}/return/",
        "/api/v1/notice-rectifications/{id}/evidence/{evidence_id}/",
        "/api/v1/security-events/statistics/",
    ):
        assert path in schema["paths"], path
