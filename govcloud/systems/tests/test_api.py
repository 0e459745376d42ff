"""The systems REST API: every endpoint with its allowed and forbidden callers."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from govcloud.audit.models import AuditEvent
from govcloud.core.actors import SYSTEM
from govcloud.core.models import Job, JobStatus
from govcloud.core.roles import Role
from govcloud.systems import services
from govcloud.systems.models import (
    ExemptionState,
    HostingStatus,
    InformationSystem,
    MlpsFiling,
    Rectification,
    SystemAttachment,
)
from govcloud.systems.tests.helpers import PDF_BYTES, api_for, experts, make_compliant, people, register, upload

pytestmark = pytest.mark.django_db

SYSTEMS = "/api/v1/information-systems/"
PEOPLE = [{"duty": duty, **person} for duty, person in people().items()]


@pytest.fixture
def a_system(city):
    return register(city.dept_a, "甲局系统", hosting_status=HostingStatus.OWN_ROOM)


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


# --- information-systems ------------------------------------------------------------------------------


def test_list_follows_the_scope(city, a_system):
    b_system = register(city.dept_b, "乙局系统")
    unit_system = register(city.unit_a, "下属单位系统")
    assert _ids(api_for(city.user(Role.DEPARTMENT_APPLICANT)).get(SYSTEMS)) == {a_system.pk, unit_system.pk}
    assert _ids(api_for(city.user(Role.DEPARTMENT_HEAD, org=city.unit_a)).get(SYSTEMS)) == {unit_system.pk}
    everything = {a_system.pk, b_system.pk, unit_system.pk}
    for role in (Role.CENTER_ADMIN, Role.CENTER_REVIEWER, Role.PROVIDER_OPERATOR, Role.LEADING_GROUP):
        assert _ids(api_for(city.user(role)).get(SYSTEMS)) == everything, role
    for role in (Role.FINANCE_VIEWER, Role.EXPERT, Role.SYSTEM_ADMIN, Role.AUDIT_ADMIN):
        assert _ids(api_for(city.user(role)).get(SYSTEMS)) == set(), role
    filtered = api_for(city.user(Role.CENTER_ADMIN)).get(SYSTEMS, {"organization": city.dept_a.pk})
    assert _ids(filtered) == {a_system.pk, unit_system.pk}
    assert _ids(api_for(city.user(Role.CENTER_ADMIN)).get(SYSTEMS, {"compliance": "not_cleared"})) == everything


def test_create_and_update_by_the_department(city):
    client = api_for(city.user(Role.DEPARTMENT_APPLICANT))
    body = {
        "organization": city.unit_a.pk,
        "name": "网上办事大厅",
        "purpose": "在线办事",
        "hosting_status": "migrating",
        "planned_migration_date": "2027-03-01",
        "users_served": "市民和企业",
        "internet_facing": True,
        "holds_personal_information": True,
        "protection_level": 3,
        "responsible_people": PEOPLE,
    }
    created = client.post(SYSTEMS, body, format="json")
    assert created.status_code == 201, created.data
    data = created.json()
    assert data["compliance"]["cleared"] is False and data["compliance"]["reasons"]
    assert {p["phone"] for p in data["responsible_people"]} == {"0523-86831001", "0523-86831002", "13905231003"}
    patched = client.patch(f"{SYSTEMS}{data['id']}/", {"purpose": "一网通办"}, format="json")
    assert patched.status_code == 200 and patched.json()["purpose"] == "一网通办"
    assert AuditEvent.objects.filter(action="system.update").count() == 1
    bad = client.post(SYSTEMS, {**body, "name": "x", "responsible_people": PEOPLE[:1]}, format="json")
    assert bad.status_code == 400 and "security_auditor_name" in bad.json()
    other = client.post(SYSTEMS, {**body, "name": "y", "organization": city.dept_b.pk}, format="json")
    assert other.status_code == 400 and "organization" in other.json()


def test_classified_systems_take_and_show_the_name_only(city):
    client = api_for(city.user(Role.DEPARTMENT_SECURITY_OFFICER))
    refused = client.post(
        SYSTEMS,
        {"organization": city.dept_a.pk, "name": "涉密", "classified": True, "purpose": "指挥", "protection_level": 3},
        format="json",
    )
    assert refused.status_code == 400 and {"purpose", "protection_level"} <= set(refused.json())
    assert not InformationSystem.objects.exists()
    created = client.post(SYSTEMS, {"organization": city.dept_a.pk, "name": "涉密", "classified": True}, format="json")
    assert created.status_code == 201
    shown = client.get(f"{SYSTEMS}{created.json()['id']}/").json()
    assert set(shown) == {"id", "organization", "organization_name", "name", "classified", "is_active", "compliance"}
    assert shown["compliance"]["cleared"] is False
    patch = client.patch(f"{SYSTEMS}{shown['id']}/", {"users_served": "x"}, format="json")
    assert patch.status_code == 400


@pytest.mark.parametrize("role", [Role.PROVIDER_OPERATOR, Role.LEADING_GROUP, Role.EXPERT, Role.FINANCE_VIEWER])
def test_others_cannot_register_or_change(city, a_system, role):
    client = api_for(city.user(role))
    body = {"organization": city.dept_a.pk, "name": "x", "hosting_status": "own_room", "responsible_people": PEOPLE}
    assert client.post(SYSTEMS, body, format="json").status_code in (400, 403)
    assert client.patch(f"{SYSTEMS}{a_system.pk}/", {"purpose": "x"}, format="json").status_code == 404
    assert InformationSystem.objects.count() == 1


def test_another_department_gets_404_like_a_missing_system(city, a_system):
    client = api_for(city.user(Role.DEPARTMENT_HEAD, org=city.dept_b))
    for url in (f"{SYSTEMS}{a_system.pk}/", f"{SYSTEMS}{a_system.pk}/clearance/"):
        assert client.get(url).status_code == 404
    assert client.patch(f"{SYSTEMS}{a_system.pk}/", {"purpose": "x"}, format="json").status_code == 404
    assert client.get(f"{SYSTEMS}987654/").status_code == 404
    assert AuditEvent.objects.filter(action="access.out_of_scope").count() == 3


def test_phones_are_masked_for_the_leading_group(city, a_system):
    data = api_for(city.user(Role.LEADING_GROUP)).get(f"{SYSTEMS}{a_system.pk}/").json()
    assert {p["phone"] for p in data["responsible_people"]} == {"******"}
    data = api_for(city.user(Role.PROVIDER_OPERATOR)).get(f"{SYSTEMS}{a_system.pk}/").json()
    assert "0523-86831001" in {p["phone"] for p in data["responsible_people"]}


def test_clearance_endpoint(city, a_system, time_machine):
    time_machine.move_to("2026-06-01 10:00:00+08:00", tick=False)
    client = api_for(city.user(Role.DEPARTMENT_APPLICANT))
    data = client.get(f"{SYSTEMS}{a_system.pk}/clearance/").json()
    assert data["cleared"] is False and len(data["reasons"]) == 2 and data["checked_on"] == "2026-06-01"
    make_compliant(a_system, filed_on=date(2026, 1, 1), assessed_on=date(2026, 2, 1))
    assert client.get(f"{SYSTEMS}{a_system.pk}/clearance/").json() == {
        "cleared": True,
        "reasons": [],
        "checked_on": "2026-06-01",
    }


def test_migration_stats_endpoint(city, a_system, time_machine):
    time_machine.move_to("2026-06-01 10:00:00+08:00", tick=False)
    register(city.unit_a, "单位系统", hosting_status="migrating", planned_migration_date=date(2026, 5, 1))
    register(city.dept_b, "乙局系统", hosting_status="on_platform")
    mine = api_for(city.user(Role.DEPARTMENT_APPLICANT)).get(f"{SYSTEMS}migration-stats/").json()
    assert [(r["name"], r["own_room"], r["migrating"], r["overdue"]) for r in mine["rows"]] == [("甲局", 1, 1, 1)]
    everyone = api_for(city.user(Role.CENTER_ADMIN)).get(f"{SYSTEMS}migration-stats/").json()
    assert everyone["total"]["total"] == 3 and everyone["total"]["on_platform"] == 1
    assert [s["name"] for s in everyone["overdue_systems"]] == ["单位系统"]


def test_export_is_a_job_an_audit_event_and_within_scope(city, a_system, django_capture_on_commit_callbacks):
    register(city.dept_b, "乙局系统")
    client = api_for(city.user(Role.DEPARTMENT_HEAD))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{SYSTEMS}export/?hosting_status=own_room", {"format": "csv"}, format="json")
    assert response.status_code == 202
    job = Job.objects.get(pk=response.json()["id"])
    assert job.status == JobStatus.SUCCEEDED and job.result == {"rows": 1}
    event = AuditEvent.objects.get(action="system.export")
    assert '"hosting_status":"own_room"' in event.message
    assert api_for(city.user(Role.FINANCE_VIEWER)).post(f"{SYSTEMS}export/", {}, format="json").status_code == 403
    assert client.post(f"{SYSTEMS}export/", {"format": "pdf"}, format="json").status_code == 400


# --- MLPS records ---------------------------------------------------------------------------------------


def test_filings_endpoint(city, a_system):
    client = api_for(city.user(Role.DEPARTMENT_SECURITY_OFFICER))
    body = {
        "system": a_system.pk,
        "filing_number": "32120099001-00009",
        "filed_on": "2026-01-05",
        "filing_authority": "泰州市公安局网络安全保卫支队",
    }
    created = client.post("/api/v1/mlps/filings/", body, format="json")
    assert created.status_code == 201, created.data
    assert created.json()["protection_level"] == 3
    with_file = client.post(
        "/api/v1/mlps/filings/",
        {**body, "filing_number": "32120099001-00010", "certificate": upload(PDF_BYTES, "证明.pdf")},
        format="multipart",
    )
    assert with_file.status_code == 201 and with_file.json()["attachments"][0]["original_name"] == "证明.pdf"
    assert _ids(client.get("/api/v1/mlps/filings/", {"system": a_system.pk})) == set(
        MlpsFiling.objects.values_list("pk", flat=True)
    )
    detail = client.get(f"/api/v1/mlps/filings/{created.json()['id']}/")
    assert detail.status_code == 200
    b = api_for(city.user(Role.DEPARTMENT_APPLICANT, org=city.dept_b))
    assert b.post("/api/v1/mlps/filings/", {**body, "filing_number": "z"}, format="json").status_code == 404
    assert b.get(f"/api/v1/mlps/filings/{created.json()['id']}/").status_code == 404
    assert _ids(b.get("/api/v1/mlps/filings/")) == set()
    provider = api_for(city.user(Role.PROVIDER_OPERATOR))
    assert provider.post("/api/v1/mlps/filings/", {**body, "filing_number": "p"}, format="json").status_code == 404
    assert provider.get(f"/api/v1/mlps/filings/{created.json()['id']}/").status_code == 200
    bad = client.post("/api/v1/mlps/filings/", {**body, "filed_on": "2099-01-01"}, format="json")
    assert bad.status_code == 400 and "filed_on" in bad.json()
    assert MlpsFiling.objects.count() == 2


def test_assessments_endpoint(city, a_system):
    client = api_for(city.user(Role.DEPARTMENT_HEAD))
    body = {
        "system": a_system.pk,
        "assessing_body": "江苏省信息安全测评中心",
        "assessed_on": "2026-02-01",
        "score": "87.50",
        "conclusion": "pass",
    }
    created = client.post("/api/v1/mlps/assessments/", body, format="json")
    assert created.status_code == 201, created.data
    assert created.json()["next_due_on"] == "2027-02-01" and created.json()["protection_level"] == 3
    assert client.get(f"/api/v1/mlps/assessments/{created.json()['id']}/").status_code == 200
    assert _ids(client.get("/api/v1/mlps/assessments/", {"conclusion": "pass"})) == {created.json()["id"]}
    assert client.post("/api/v1/mlps/assessments/", {**body, "score": "101"}, format="json").status_code == 400
    b = api_for(city.user(Role.DEPARTMENT_HEAD, org=city.dept_b))
    assert b.post("/api/v1/mlps/assessments/", body, format="json").status_code == 404
    assert b.get(f"/api/v1/mlps/assessments/{created.json()['id']}/").status_code == 404
    assert (
        api_for(city.user(Role.LEADING_GROUP)).post("/api/v1/mlps/assessments/", body, format="json").status_code == 404
    )


def test_rectifications_endpoint(city, a_system, time_machine):
    time_machine.move_to("2026-06-01 10:00:00+08:00", tick=False)
    client = api_for(city.user(Role.DEPARTMENT_APPLICANT))
    body = {"system": a_system.pk, "description": "补齐日志审计", "owner": "王强", "due_on": "2026-05-20"}
    created = client.post("/api/v1/mlps/rectifications/", body, format="json")
    assert created.status_code == 201 and created.json()["overdue"] is True
    pk = created.json()["id"]
    assert _ids(client.get("/api/v1/mlps/rectifications/", {"overdue": "true"})) == {pk}
    patched = client.patch(f"/api/v1/mlps/rectifications/{pk}/", {"due_on": "2026-06-30"}, format="json")
    assert patched.status_code == 200 and patched.json()["overdue"] is False
    bad_assessment = client.post("/api/v1/mlps/rectifications/", {**body, "assessment": 99999}, format="json")
    assert bad_assessment.status_code == 400
    b = api_for(city.user(Role.DEPARTMENT_APPLICANT, org=city.dept_b))
    assert b.post(f"/api/v1/mlps/rectifications/{pk}/close/", {"closing_note": "x"}, format="json").status_code == 404
    assert b.patch(f"/api/v1/mlps/rectifications/{pk}/", {"owner": "x"}, format="json").status_code == 404
    assert client.post(f"/api/v1/mlps/rectifications/{pk}/close/", {}, format="json").status_code == 400
    closed = client.post(f"/api/v1/mlps/rectifications/{pk}/close/", {"closing_note": "已完成"}, format="json")
    assert closed.status_code == 200 and closed.json()["status"] == "done"
    again = client.post(f"/api/v1/mlps/rectifications/{pk}/close/", {"closing_note": "again"}, format="json")
    assert again.status_code == 400
    assert Rectification.objects.get().closed_on == date(2026, 6, 1)


def test_attachments_endpoint(city, a_system):
    filing = services.filing_record(
        actor=SYSTEM, system=a_system, filing_number="1", filed_on=date(2026, 1, 1), filing_authority="x"
    )
    client = api_for(city.user(Role.DEPARTMENT_APPLICANT))
    form = {"system": a_system.pk, "kind": "filing_certificate", "filing": filing.pk}
    created = client.post("/api/v1/system-attachments/", {**form, "file": upload()}, format="multipart")
    assert created.status_code == 201, created.data
    pk = created.json()["id"]
    refused = client.post(
        "/api/v1/system-attachments/", {**form, "file": upload(b"<html></html>", "x.pdf")}, format="multipart"
    )
    assert refused.status_code == 400 and "file" in refused.json()
    assert SystemAttachment.objects.count() == 1
    assert _ids(client.get("/api/v1/system-attachments/", {"system": a_system.pk})) == {pk}
    assert client.get(f"/api/v1/system-attachments/{pk}/").json()["download_url"].endswith(f"/{pk}/download/")
    download = client.get(f"/api/v1/system-attachments/{pk}/download/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF_BYTES
    assert download["Content-Type"] == "application/pdf"
    assert AuditEvent.objects.filter(action="system_attachment.download").count() == 1
    b = api_for(city.user(Role.DEPARTMENT_APPLICANT, org=city.dept_b))
    assert b.get(f"/api/v1/system-attachments/{pk}/download/").status_code == 404
    assert b.post("/api/v1/system-attachments/", {**form, "file": upload()}, format="multipart").status_code == 404
    assert _ids(b.get("/api/v1/system-attachments/")) == set()


# --- exemptions -----------------------------------------------------------------------------------------


def test_exemption_workflow_through_the_api(city, a_system):
    applicant = api_for(city.user(Role.DEPARTMENT_APPLICANT))
    center = api_for(city.user(Role.CENTER_ADMIN))
    panel = experts(city)
    leader = api_for(city.user(Role.LEADING_GROUP))
    created = applicant.post(
        "/api/v1/exemptions/", {"system": a_system.pk, "reasons": "依赖专用硬件，无法迁移。"}, format="json"
    )
    assert created.status_code == 201, created.data
    url = f"/api/v1/exemptions/{created.json()['id']}/"
    assert created.json()["allowed_actions"] == ["submit", "withdraw"]
    assert applicant.patch(url, {"reasons": "依赖专用硬件和专网，无法迁移。"}, format="json").status_code == 200
    evidence = applicant.post(
        "/api/v1/system-attachments/",
        {"system": a_system.pk, "kind": "exemption_evidence", "exemption": created.json()["id"], "file": upload()},
        format="multipart",
    )
    assert evidence.status_code == 201
    assert applicant.post(f"{url}submit/", {}, format="json").status_code == 200
    assert applicant.patch(url, {"reasons": "再改一次理由说明"}, format="json").status_code == 400
    ids = [e.pk for e in panel]
    assert applicant.post(f"{url}assign-experts/", {"experts": ids}, format="json").status_code == 403
    assert center.post(f"{url}assign-experts/", {"experts": ids[:2]}, format="json").status_code == 400
    assigned = center.post(f"{url}assign-experts/", {"experts": ids}, format="json")
    assert assigned.status_code == 200 and assigned.json()["state"] == "expert_review"
    assert center.post(f"{url}forward/", {}, format="json").status_code == 400
    outsider = api_for(city.user(Role.EXPERT))
    assert outsider.post(f"{url}vote/", {"vote": "approve", "opinion": "x"}, format="json").status_code == 404
    first = api_for(panel[0])
    voted = first.post(f"{url}vote/", {"vote": "approve", "opinion": "同意"}, format="json")
    assert voted.status_code == 200
    # The second expert has not voted: the first expert's vote is hidden from them.
    second = api_for(panel[1])
    seen = {a["expert"]: a["vote"] for a in second.get(url).json()["assignments"]}
    assert seen[panel[0].pk] == ""
    for expert in panel[1:]:
        assert (
            api_for(expert).post(f"{url}vote/", {"vote": "approve", "opinion": "同意"}, format="json").status_code
            == 200
        )
    assert leader.post(f"{url}decide/", {"decision": "approve"}, format="json").status_code == 404
    assert center.post(f"{url}forward/", {"comment": "报领导小组"}, format="json").status_code == 200
    assert center.post(f"{url}decide/", {"decision": "approve"}, format="json").status_code == 403
    decided = leader.post(f"{url}decide/", {"decision": "approve", "comment": "同意"}, format="json")
    assert decided.status_code == 200 and decided.json()["state"] == ExemptionState.APPROVED
    assert decided.json()["valid_until"]
    assert [e["action"] for e in decided.json()["events"]][-1] == "approve"
    assert InformationSystem.objects.get(pk=a_system.pk).hosting_status == HostingStatus.EXEMPTED
    assert _ids(api_for(city.user(Role.DEPARTMENT_HEAD, org=city.dept_b)).get("/api/v1/exemptions/")) == set()
    assert _ids(applicant.get("/api/v1/exemptions/", {"state": "approved"})) == {created.json()["id"]}


def test_exemption_return_and_withdraw_through_the_api(city, a_system):
    applicant = api_for(city.user(Role.DEPARTMENT_HEAD))
    center = api_for(city.user(Role.CENTER_ADMIN))
    created = applicant.post(
        "/api/v1/exemptions/", {"system": a_system.pk, "reasons": "依赖专用硬件，无法迁移。"}, format="json"
    ).json()
    url = f"/api/v1/exemptions/{created['id']}/"
    assert center.post(f"{url}submit/", {}, format="json").status_code == 403
    assert center.post(f"{url}withdraw/", {}, format="json").status_code == 403
    assert api_for(city.user(Role.PROVIDER_OPERATOR)).post(f"{url}submit/", {}, format="json").status_code == 404
    applicant.post(f"{url}submit/", {}, format="json")
    assert center.post(f"{url}return/", {}, format="json").status_code == 400
    returned = center.post(f"{url}return/", {"comment": "补充费用测算"}, format="json")
    assert returned.status_code == 200 and returned.json()["state"] == "draft"
    assert applicant.post(f"{url}return/", {"comment": "x"}, format="json").status_code == 403
    withdrawn = applicant.post(f"{url}withdraw/", {"comment": "决定迁移"}, format="json")
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "withdrawn"
    b = api_for(city.user(Role.DEPARTMENT_HEAD, org=city.dept_b))
    assert b.post("/api/v1/exemptions/", {"system": a_system.pk, "reasons": "x" * 20}, format="json").status_code == 404
    assert b.get(url).status_code == 404


def test_schema_lists_the_endpoints(city):
    client = api_for(city.user(Role.DEPARTMENT_APPLICANT))
    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in (
        "/api/v1/information-systems/",
        "/api/v1/information-systems/{id}/clearance/",
        "/api/v1/information-systems/migration-stats/",
        "/api/v1/information-systems/export/",
        "/api/v1/mlps/filings/",
        "/api/v1/mlps/assessments/",
        "/api/v1/mlps/rectifications/{id}/close/",
        "/api/v1/system-attachments/{id}/download/",
        "/api/v1/exemptions/{id}/assign-experts/",
        "/api/v1/exemptions/{id}/vote/",
        "/api/v1/exemptions/{id}/decide/",
        "/api/v1/exemptions/{id}/return/",
    ):
        assert path in paths, path
