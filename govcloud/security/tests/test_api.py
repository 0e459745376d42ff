"""The security API: every endpoint, with the callers it allows and those it refuses."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from govcloud.audit.models import AuditEvent
from govcloud.security import services
from govcloud.security.models import (
    AccessGrant,
    AccessSession,
    AddressFiling,
    EmergencyDrill,
    MajorEvent,
    PlanScope,
    PortRequest,
    ProtectionPlan,
    SecurityBulletin,
)
from govcloud.security.tests.helpers import PDF, complete_filing, grant, upload
from tests.factories import api_token_for

pytestmark = pytest.mark.django_db


def api_for(user) -> APIClient:
    raw = api_token_for(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def ids(response) -> list[int]:
    assert response.status_code == 200, response.data
    return [row["id"] for row in response.json()["results"]]


# --- Address filings and ports ----------------------------------------------------------------------


def test_address_filing_endpoints(sec):
    a, b, center, provider = (
        api_for(sec.a_applicant),
        api_for(sec.b_applicant),
        api_for(sec.center),
        api_for(sec.provider),
    )
    body = {"system": sec.system_a.pk, "address": "58.222.17.10", "requested_ports": [{"port": 443}]}
    assert provider.post("/api/v1/address-filings/", body, format="json").status_code == 403
    # Another department's system answers like a missing one.
    refused = b.post("/api/v1/address-filings/", body, format="json")
    assert refused.status_code == 400 and "system" in refused.data
    bad = a.post("/api/v1/address-filings/", {**body, "address": "192.168.1.1"}, format="json")
    assert bad.status_code == 400 and "address" in bad.data
    created = a.post("/api/v1/address-filings/", body, format="json")
    assert created.status_code == 201, created.data
    pk = created.data["id"]
    assert created.data["status"] == "draft" and created.data["requested_ports"] == [{"port": 443, "protocol": "tcp"}]
    url = f"/api/v1/address-filings/{pk}/"
    assert ids(a.get("/api/v1/address-filings/")) == [pk] and ids(b.get("/api/v1/address-filings/")) == []
    assert ids(provider.get("/api/v1/address-filings/")) == [pk]
    assert b.get(url).status_code == 404
    assert a.patch(url, {"domain": "www.a.gov.cn"}, format="json").data["domain"] == "www.a.gov.cn"
    assert b.patch(url, {"domain": "x.cn"}, format="json").status_code == 404
    # Still a draft: the step conflicts with the filing's state.
    assert center.post(f"{url}complete/", {"reference": "x"}, format="json").status_code == 409
    assert a.post(f"{url}submit/").status_code == 200
    assert a.post(f"{url}complete/", {"reference": "x"}, format="json").status_code == 403
    assert provider.post(f"{url}reject/", {"comment": "x"}, format="json").status_code == 403
    assert center.post(f"{url}reject/", {}, format="json").status_code == 400
    done = center.post(f"{url}complete/", {"reference": "TZ-IP-1", "filed_on": "2026-01-05"}, format="json")
    assert done.status_code == 200 and done.data["status"] == "complete" and done.data["filed_on"] == "2026-01-05"
    clearance = a.get(f"/api/v1/address-filings/clearance/?system={sec.system_a.pk}")
    assert clearance.data == {"cleared": True, "reasons": []}
    assert b.get(f"/api/v1/address-filings/clearance/?system={sec.system_a.pk}").status_code == 404
    assert a.get("/api/v1/address-filings/clearance/").status_code == 400
    assert a.get(f"{url}ports/").data == {"open_ports": [], "history": []}
    assert b.get(f"{url}ports/").status_code == 404
    assert b.post(f"{url}withdraw/").status_code == 404
    assert a.post(f"{url}withdraw/", {"comment": "下线"}, format="json").data["status"] == "withdrawn"


def test_port_request_endpoints(sec):
    filing = complete_filing(sec)
    a, a_head, b, center, provider = (
        api_for(sec.a_applicant),
        api_for(sec.a_head),
        api_for(sec.b_applicant),
        api_for(sec.center),
        api_for(sec.provider),
    )
    body = {"filing": filing.pk, "port": 443, "protocol": "tcp", "reason": "HTTPS"}
    assert provider.post("/api/v1/port-requests/", body, format="json").status_code == 403
    assert b.post("/api/v1/port-requests/", body, format="json").status_code == 400
    created = a.post("/api/v1/port-requests/", body, format="json")
    assert created.status_code == 201, created.data
    url = f"/api/v1/port-requests/{created.data['id']}/"
    assert b.get(url).status_code == 404 and ids(b.get("/api/v1/port-requests/")) == []
    # The department cannot approve ports; the provider neither.
    assert a_head.post(f"{url}approve/").status_code == 403
    assert provider.post(f"{url}approve/").status_code == 403
    assert services.open_ports(filing=filing) == []
    approved = center.post(f"{url}approve/", {"comment": "同意"}, format="json")
    assert approved.status_code == 200 and approved.data["status"] == "approved"
    ports = a.get(f"/api/v1/address-filings/{filing.pk}/ports/").data
    assert [(p["port"], p["protocol"]) for p in ports["open_ports"]] == [(443, "tcp")]
    assert [h["change"] for h in ports["history"]] == ["opened"]
    # Already decided: a conflict with the request's state.
    assert center.post(f"{url}reject/", {"comment": "x"}, format="json").status_code == 409
    http = a.post("/api/v1/port-requests/", {**body, "port": 80}, format="json").data["id"]
    assert center.post(f"/api/v1/port-requests/{http}/reject/", {}, format="json").status_code == 400
    assert center.post(f"/api/v1/port-requests/{http}/reject/", {"comment": "仅443"}, format="json").status_code == 200
    other = a.post("/api/v1/port-requests/", {**body, "port": 8443}, format="json").data["id"]
    assert b.post(f"/api/v1/port-requests/{other}/withdraw/").status_code == 404
    assert a.post(f"/api/v1/port-requests/{other}/withdraw/").data["status"] == "withdrawn"
    closing = {"port": 443, "protocol": "tcp", "reason": "维护"}
    assert provider.post(f"/api/v1/address-filings/{filing.pk}/close-port/", closing, format="json").status_code == 403
    assert b.post(f"/api/v1/address-filings/{filing.pk}/close-port/", closing, format="json").status_code == 404
    closed = a_head.post(f"/api/v1/address-filings/{filing.pk}/close-port/", closing, format="json")
    assert closed.status_code == 200 and closed.data["change"] == "closed"
    assert services.open_ports(filing=filing) == []
    assert PortRequest.objects.count() == 3


# --- Access ----------------------------------------------------------------------------------------


def test_access_grant_endpoints(sec):
    ends = (timezone.now() + timedelta(hours=8)).isoformat()
    body = {"grantee": sec.provider.pk, "system": sec.system_a.pk, "purpose": "升级", "ends_at": ends}
    # The provider cannot grant itself access; nor can an applicant.
    assert api_for(sec.provider).post("/api/v1/access-grants/", body, format="json").status_code == 403
    assert api_for(sec.a_applicant).post("/api/v1/access-grants/", body, format="json").status_code == 403
    security = api_for(sec.a_security)
    too_long = {**body, "ends_at": (timezone.now() + timedelta(hours=73)).isoformat()}
    assert security.post("/api/v1/access-grants/", too_long, format="json").status_code == 400
    assert security.post("/api/v1/access-grants/", {**body, "grantee": sec.a_head.pk}, format="json").status_code == 400
    assert api_for(sec.b_head).post("/api/v1/access-grants/", body, format="json").status_code == 400
    created = security.post("/api/v1/access-grants/", body, format="json")
    assert created.status_code == 201, created.data
    assert created.data["status"] == "active" and created.data["grantee_name"] == sec.provider.full_name
    url = f"/api/v1/access-grants/{created.data['id']}/"
    assert ids(api_for(sec.provider).get("/api/v1/access-grants/")) == [created.data["id"]]
    assert ids(api_for(sec.provider2).get("/api/v1/access-grants/")) == []
    assert ids(api_for(sec.b_head).get("/api/v1/access-grants/")) == []
    assert ids(api_for(sec.center).get("/api/v1/access-grants/?status=active")) == [created.data["id"]]
    assert ids(api_for(sec.center).get("/api/v1/access-grants/?status=expired")) == []
    assert api_for(sec.b_head).get(url).status_code == 404
    assert api_for(sec.provider).post(f"{url}revoke/").status_code == 403
    assert api_for(sec.b_head).post(f"{url}revoke/").status_code == 404
    revoked = api_for(sec.a_head).post(f"{url}revoke/", {"reason": "完成"}, format="json")
    assert revoked.status_code == 200 and revoked.data["status"] == "revoked"


def test_access_session_endpoints(sec):
    given = grant(sec, hours=8)
    start = given.starts_at + timedelta(seconds=1)
    body = {
        "grant": given.pk,
        "system": sec.system_a.pk,
        "started_at": start.isoformat(),
        "ended_at": (start + timedelta(minutes=2)).isoformat(),
        "work_done": "检查",
    }
    # Departments do not record sessions — neither the owner nor another department.
    assert api_for(sec.a_head).post("/api/v1/access-sessions/", body, format="json").status_code == 403
    assert api_for(sec.b_applicant).post("/api/v1/access-sessions/", body, format="json").status_code == 403
    provider = api_for(sec.provider)
    ok = provider.post("/api/v1/access-sessions/", body, format="json")
    assert ok.status_code == 201, ok.data
    assert ok.data["flagged"] is False
    flagged = api_for(sec.provider2).post("/api/v1/access-sessions/", body, format="json")
    assert flagged.status_code == 201 and flagged.data["flag_reasons"] == ["other_grantee"]
    no_grant = {
        **body,
        "grant": None,
        "started_at": (timezone.now() - timedelta(hours=2)).isoformat(),
        "ended_at": (timezone.now() - timedelta(hours=1)).isoformat(),
    }
    assert provider.post("/api/v1/access-sessions/", no_grant, format="json").data["flag_reasons"] == [
        "no_covering_grant"
    ]
    assert provider.post("/api/v1/access-sessions/", {**body, "grant": 987654}, format="json").status_code == 400
    assert (
        provider.post("/api/v1/access-sessions/", {**body, "grant": None, "system": None}, format="json").status_code
        == 400
    )
    assert len(ids(api_for(sec.a_applicant).get("/api/v1/access-sessions/"))) == 3
    assert len(ids(api_for(sec.a_applicant).get("/api/v1/access-sessions/?flagged=true"))) == 2
    assert len(ids(provider.get("/api/v1/access-sessions/"))) == 2
    assert ids(api_for(sec.b_head).get("/api/v1/access-sessions/")) == []
    url = f"/api/v1/access-sessions/{flagged.data['id']}/"
    assert api_for(sec.b_head).get(url).status_code == 404
    assert provider.post(f"{url}review/", {"comment": "x"}, format="json").status_code == 404  # not theirs
    assert api_for(sec.provider2).post(f"{url}review/", {"comment": "x"}, format="json").status_code == 403
    assert api_for(sec.a_applicant).post(f"{url}review/", {"comment": "x"}, format="json").status_code == 403
    reviewed = api_for(sec.a_security).post(f"{url}review/", {"comment": "已核实"}, format="json")
    assert reviewed.status_code == 200 and reviewed.data["review_comment"] == "已核实"
    assert AccessSession.objects.filter(flagged=True).count() == 2


# --- Bulletins -----------------------------------------------------------------------------------


def test_security_bulletin_endpoints(sec):
    body = {"period": "2025-09-01", "title": "九月", "content": "通报"}
    for forbidden in (sec.center, sec.a_head):
        assert api_for(forbidden).post("/api/v1/security-bulletins/", body, format="json").status_code == 403
    provider = api_for(sec.provider)
    bad = provider.post("/api/v1/security-bulletins/", {**body, "upload": upload("x.pdf", b"nope")}, format="multipart")
    assert bad.status_code == 400 and not SecurityBulletin.objects.exists()
    created = provider.post("/api/v1/security-bulletins/", {**body, "upload": upload()}, format="multipart")
    assert created.status_code == 201, created.data
    assert created.data["status"] == "draft" and created.data["attachment"]["content_type"] == "application/pdf"
    url = f"/api/v1/security-bulletins/{created.data['id']}/"
    department = api_for(sec.a_applicant)
    assert department.get(url).status_code == 404  # a draft is the provider's
    assert department.patch(url, {"title": "x"}, format="json").status_code == 404
    assert provider.patch(url, {"title": "九月公告"}, format="json").data["title"] == "九月公告"
    assert department.post(f"{url}publish/").status_code == 404
    assert provider.post(f"{url}publish/").data["status"] == "published"
    assert provider.patch(url, {"title": "x"}, format="json").status_code == 400
    assert department.get(url).data["read_by_me"] is False
    read = department.post(f"{url}read/")
    assert read.status_code == 200 and read.data["read_at"]
    assert department.get(url).data["read_by_me"] is True
    assert provider.post(f"{url}read/").data == {"read_at": None}
    assert department.get(f"{url}receipts/").status_code == 403
    rows = {row["organization"]: row["readers"] for row in provider.get(f"{url}receipts/").data}
    assert rows[sec.city.dept_a.pk] == 1 and rows[sec.city.dept_b.pk] == 0
    download = department.get(f"{url}attachment/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert AuditEvent.objects.filter(action="attachment.download", actor_id=sec.a_applicant.pk).exists()


# --- Emergency -----------------------------------------------------------------------------------


def test_emergency_plan_endpoints(sec):
    center = api_for(sec.center)
    body = {"scope": "center_wide", "title": "平台预案", "content": "v1"}
    assert api_for(sec.a_head).post("/api/v1/emergency-plans/", body, format="json").status_code == 403
    assert api_for(sec.provider).post("/api/v1/emergency-plans/", body, format="json").status_code == 403
    created = center.post("/api/v1/emergency-plans/", {**body, "upload": upload()}, format="multipart")
    assert created.status_code == 201, created.data
    url = f"/api/v1/emergency-plans/{created.data['id']}/"
    own = api_for(sec.a_head).post(
        "/api/v1/emergency-plans/",
        {"scope": "system", "system": sec.system_a.pk, "title": "甲", "content": "x"},
        format="json",
    )
    assert own.status_code == 201
    assert api_for(sec.b_head).get(f"/api/v1/emergency-plans/{own.data['id']}/").status_code == 404
    assert len(ids(api_for(sec.b_head).get("/api/v1/emergency-plans/"))) == 1  # the center-wide one
    version = {"content": "v2", "change_summary": "修订"}
    assert api_for(sec.a_head).post(f"{url}versions/", version, format="json").status_code == 404
    assert api_for(sec.provider).post(f"{url}versions/", version, format="json").status_code == 403
    assert center.post(f"{url}versions/", version, format="json").data["number"] == 2
    assert [v["number"] for v in api_for(sec.b_head).get(f"{url}versions/").data] == [2, 1]
    assert center.get(f"{url}attachment/?version=1").status_code == 200
    assert center.get(f"{url}attachment/").status_code == 404  # version 2 has none


def test_drill_and_follow_up_endpoints(sec):
    plan = services.emergency_plan_create(actor=sec.center, scope=PlanScope.CENTER_WIDE, title="平台预案", content="v1")
    body = {
        "plan_version": plan.current_version.pk,
        "held_on": date.today().isoformat(),
        "scenario": "断电",
        "participants": "中心, 服务商",
        "follow_ups": [{"description": "更换UPS", "owner": "服务商", "due_on": "2030-01-01"}],
    }
    assert api_for(sec.a_head).post("/api/v1/emergency-drills/", body, format="json").status_code == 403
    created = api_for(sec.provider).post("/api/v1/emergency-drills/", body, format="json")
    assert created.status_code == 201, created.data
    assert created.data["open_follow_ups"] == 1
    drill = EmergencyDrill.objects.get()
    assert api_for(sec.b_head).get(f"/api/v1/emergency-drills/{drill.pk}/").status_code == 200  # center-wide
    assert api_for(sec.b_head).get(f"/api/v1/emergency-drills/{drill.pk}/report/").status_code == 404  # no report
    item = drill.follow_ups.get()
    assert (
        api_for(sec.a_head).patch(f"/api/v1/drill-follow-ups/{item.pk}/", {"status": "done"}, format="json").status_code
        == 404
    )
    done = api_for(sec.provider).patch(
        f"/api/v1/drill-follow-ups/{item.pk}/", {"status": "done", "note": "ok"}, format="json"
    )
    assert done.status_code == 200 and done.data["status"] == "done"
    add = {"drill": drill.pk, "description": "演练复盘", "owner": "中心", "due_on": "2030-02-01"}
    # A department records follow-ups of its own system drills only: this drill is not one of them.
    assert api_for(sec.a_head).post("/api/v1/drill-follow-ups/", add, format="json").status_code == 400
    assert api_for(sec.center).post("/api/v1/drill-follow-ups/", add, format="json").status_code == 201
    assert len(ids(api_for(sec.b_applicant).get("/api/v1/drill-follow-ups/"))) == 2


def test_major_event_and_protection_plan_endpoints(sec):
    start = date.today() + timedelta(days=5)
    body = {"name": "观摩活动", "starts_on": start.isoformat(), "ends_on": (start + timedelta(days=1)).isoformat()}
    assert api_for(sec.provider).post("/api/v1/major-events/", body, format="json").status_code == 403
    created = api_for(sec.center).post("/api/v1/major-events/", body, format="json")
    assert created.status_code == 201
    url = f"/api/v1/major-events/{created.data['id']}/"
    assert api_for(sec.a_head).get(url).status_code == 200
    assert api_for(sec.a_head).patch(url, {"name": "x"}, format="json").status_code == 404
    assert api_for(sec.center).patch(url, {"name": "重点项目观摩"}, format="json").data["name"] == "重点项目观摩"
    occasions = api_for(sec.provider).get("/api/v1/protection-plans/occasions/")
    assert occasions.status_code == 200
    assert f"event:{created.data['id']}" in [o["key"] for o in occasions.data]
    assert api_for(sec.a_head).get("/api/v1/protection-plans/occasions/").status_code == 403
    plan = {"occasion": f"event:{created.data['id']}", "title": "保障方案", "content": "值守"}
    assert api_for(sec.center).post("/api/v1/protection-plans/", plan, format="json").status_code == 403
    filed = api_for(sec.provider).post("/api/v1/protection-plans/", {**plan, "upload": upload()}, format="multipart")
    assert filed.status_code == 201, filed.data
    assert filed.data["occasion_name"] == "重点项目观摩"
    detail = f"/api/v1/protection-plans/{filed.data['id']}/"
    assert api_for(sec.a_head).get(detail).status_code == 404
    assert api_for(sec.center).get(f"{detail}attachment/").status_code == 200
    assert api_for(sec.center).delete(url).status_code == 400  # a plan refers to it
    other = api_for(sec.center).post("/api/v1/major-events/", {**body, "name": "取消的活动"}, format="json").data["id"]
    assert api_for(sec.center).delete(f"/api/v1/major-events/{other}/").status_code == 204
    assert MajorEvent.objects.count() == 1 and ProtectionPlan.objects.count() == 1


def test_everything_is_in_the_openapi_schema(sec):
    schema = api_for(sec.center).get("/api/v1/schema/?format=json").json()
    for path in (
        "/api/v1/address-filings/",
        "/api/v1/address-filings/{id}/complete/",
        "/api/v1/address-filings/clearance/",
        "/api/v1/port-requests/{id}/approve/",
        "/api/v1/access-grants/{id}/revoke/",
        "/api/v1/access-sessions/",
        "/api/v1/security-bulletins/{id}/read/",
        "/api/v1/emergency-plans/{id}/versions/",
        "/api/v1/emergency-drills/",
        "/api/v1/drill-follow-ups/{id}/",
        "/api/v1/major-events/",
        "/api/v1/protection-plans/occasions/",
    ):
        assert path in schema["paths"], path
    assert AddressFiling.objects.count() == 0 and AccessGrant.objects.count() == 0


def test_grants_and_sessions_name_ledger_resources_through_the_api(sec):
    from govcloud.security.tests.helpers import ledger_resource

    mine = ledger_resource(sec.city.dept_a, "db-01", system=sec.intranet_a)
    theirs = ledger_resource(sec.city.dept_b, "乙局数据库")
    ends = (timezone.now() + timedelta(hours=8)).isoformat()
    body = {"grantee": sec.provider.pk, "resources": [mine.pk], "purpose": "升级", "ends_at": ends}
    security = api_for(sec.a_security)
    # Another department's resource answers like a missing one.
    refused = security.post("/api/v1/access-grants/", {**body, "resources": [theirs.pk]}, format="json")
    assert refused.status_code == 400 and "resources" in refused.data
    created = security.post("/api/v1/access-grants/", body, format="json")
    assert created.status_code == 201, created.data
    assert created.data["resources"] == [mine.pk] and created.data["resource_codes"] == [mine.code]
    provider = api_for(sec.provider)
    start = timezone.now() - timedelta(minutes=3)
    session = {
        "resource": mine.pk,
        "started_at": start.isoformat(),
        "ended_at": (start + timedelta(minutes=2)).isoformat(),
        "work_done": "检查",
    }
    # Started before the grant: outside its hours, so flagged.
    early = provider.post("/api/v1/access-sessions/", session, format="json")
    assert early.status_code == 201, early.data
    assert early.data["flagged"] is True and early.data["resource_code"] == mine.code
    assert api_for(sec.a_head).post("/api/v1/access-sessions/", session, format="json").status_code == 403
