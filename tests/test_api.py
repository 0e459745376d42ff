"""The REST API: every endpoint with its allowed and forbidden callers."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from conftest import login
from govcloud.audit.models import AuditEvent
from govcloud.core.roles import Role
from govcloud.organizations import services
from govcloud.organizations.credit_codes import make_credit_code
from govcloud.organizations.models import Organization, User
from govcloud.workdays.services import calendar_seed_from_package
from tests.factories import api_token_for

pytestmark = pytest.mark.django_db


def api_for(user) -> APIClient:
    """A client authenticated the way programs are: a personal access token."""
    raw = api_token_for(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_anonymous_and_bad_tokens_are_refused(city):
    assert APIClient().get("/api/v1/organizations/").status_code in (401, 403)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer gct_nothing_here")
    assert client.get("/api/v1/organizations/").status_code == 401


def test_revoked_token_stops_working_at_once(city):
    user = city.user(Role.DEPARTMENT_APPLICANT)
    token, raw = services.token_create(actor=user, name="t", expires_in_days=7)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/v1/users/me/").status_code == 200
    assert client.post(f"/api/v1/tokens/{token.pk}/revoke/").status_code == 200
    assert client.get("/api/v1/users/me/").status_code == 401


def test_token_api_create_shows_the_token_once(city):
    # Created from a signed-in session: a token may not create another (see organizations' tests).
    client = login(APIClient(), city.user(Role.DEPARTMENT_APPLICANT))
    response = client.post("/api/v1/tokens/", {"name": "report", "expires_in_days": 30}, format="json")
    assert response.status_code == 201 and response.data["token"].startswith("gct_")
    listed = client.get("/api/v1/tokens/").json()["results"]
    assert all("token" not in t for t in listed)
    assert client.post("/api/v1/tokens/", {"name": "x", "expires_in_days": 9999}, format="json").status_code == 400


ORG = {
    "name": "新局",
    "kind": "department",
    "level": "department",
    "contact_name": "张三",
    "contact_phone": "0523-1234567",
}


def test_system_admin_creates_and_edits_organizations(city):
    client = api_for(city.user(Role.SYSTEM_ADMIN))
    body = {**ORG, "parent": city.root.pk, "credit_code": make_credit_code(31337)}
    created = client.post("/api/v1/organizations/", body, format="json")
    assert created.status_code == 201, created.data
    assert created.data["path"].endswith(f"/{created.data['id']}/")
    patched = client.patch(f"/api/v1/organizations/{created.data['id']}/", {"contact_name": "李四"}, format="json")
    assert patched.status_code == 200 and patched.data["contact_name"] == "李四"
    assert AuditEvent.objects.filter(action="organization.update", object_id=str(created.data["id"])).exists()


def test_bad_credit_code_is_a_clear_400_and_changes_nothing(city):
    client = api_for(city.user(Role.SYSTEM_ADMIN))
    count = Organization.objects.count()
    response = client.post(
        "/api/v1/organizations/", {**ORG, "parent": city.root.pk, "credit_code": "11321200000012343Y"}, format="json"
    )
    assert response.status_code == 400 and "credit_code" in response.data
    assert Organization.objects.count() == count


def test_api_errors_follow_accept_language_and_default_to_chinese(city):
    client = api_for(city.user(Role.SYSTEM_ADMIN))
    bad = {**ORG, "parent": city.root.pk, "credit_code": "11321200000012343Y"}
    chinese = client.post("/api/v1/organizations/", bad, format="json")
    english = client.post("/api/v1/organizations/", bad, format="json", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert chinese["Content-Language"] == "zh-hans" and english["Content-Language"] == "en"
    assert str(chinese.data["credit_code"][0]) != str(english.data["credit_code"][0])
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in str(english.data["credit_code"][0]))


@pytest.mark.parametrize("role", [Role.CENTER_ADMIN, Role.DEPARTMENT_HEAD, Role.SECURITY_ADMIN])
def test_others_cannot_create_or_change_organizations(city, role):
    client = api_for(city.user(role))
    body = {**ORG, "parent": city.root.pk, "credit_code": make_credit_code(4040)}
    assert client.post("/api/v1/organizations/", body, format="json").status_code == 403
    assert client.patch(f"/api/v1/organizations/{city.dept_a.pk}/", {"name": "x"}, format="json").status_code == 404


def test_user_creation_and_roles_through_the_api(city):
    sys_client = api_for(city.user(Role.SYSTEM_ADMIN))
    created = sys_client.post(
        "/api/v1/users/",
        {"username": "api_user", "full_name": "接口用户", "organization": city.dept_a.pk, "phone": "13900000000"},
        format="json",
    )
    assert created.status_code == 201, created.data
    assert created.data["temporary_password"]
    user_id = created.data["id"]
    # The system admin does accounts, not authorization (三员分立).
    assert (
        sys_client.post(f"/api/v1/users/{user_id}/roles/", {"roles": ["department_head"]}, format="json").status_code
        == 403
    )
    sec_client = api_for(city.user(Role.SECURITY_ADMIN))
    ok = sec_client.post(f"/api/v1/users/{user_id}/roles/", {"roles": ["department_head"]}, format="json")
    assert ok.status_code == 200 and ok.data["roles"] == ["department_head"]
    center_user = city.user(org=city.center)
    clash = sec_client.post(
        f"/api/v1/users/{center_user.pk}/roles/", {"roles": ["system_admin", "audit_admin"]}, format="json"
    )
    assert clash.status_code == 400 and "三员分立" in str(clash.data)
    assert not User.objects.get(pk=center_user.pk).roles


def test_department_head_lists_only_their_people(city):
    head = city.user(Role.DEPARTMENT_HEAD)
    other = city.user(Role.DEPARTMENT_APPLICANT, org=city.dept_b)
    data = api_for(head).get("/api/v1/users/").json()
    ids = {u["id"] for u in data["results"]}
    assert head.pk in ids and other.pk not in ids


def test_audit_events_for_the_audit_admin_only(city):
    auditor = city.user(Role.AUDIT_ADMIN)
    client = api_for(auditor)
    assert client.get("/api/v1/audit-events/").status_code == 200
    assert api_for(city.user(Role.CENTER_ADMIN)).get("/api/v1/audit-events/").status_code == 403
    verify = client.post("/api/v1/audit-chain/verify/")
    assert verify.status_code == 200 and verify.data["ok"]
    assert api_for(city.user(Role.SYSTEM_ADMIN)).post("/api/v1/audit-chain/verify/").status_code == 403


def test_audit_export_job_and_its_event(city, django_capture_on_commit_callbacks):
    client = api_for(city.user(Role.AUDIT_ADMIN))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/audit-events/export/?action=token", {"format": "csv"}, format="json")
    assert response.status_code == 202
    job = client.get(f"/api/v1/jobs/{response.data['id']}/").json()
    assert job["status"] == "succeeded" and job["download_url"]
    event = AuditEvent.objects.get(action="audit.export")
    assert '"action":"token"' in event.message


def test_calendar_endpoints(city):
    calendar_seed_from_package(actor=city.user(Role.CENTER_ADMIN))
    client = api_for(city.user(Role.DEPARTMENT_APPLICANT))
    years = client.get("/api/v1/calendar/years/").json()
    assert years[0]["year"] == 2004 and years[-1]["year"] == 2026
    deadline = client.get("/api/v1/calendar/deadline/", {"start": "2025-09-30T10:00:00+08:00", "working_days": 2})
    assert deadline.json()["due"] == "2025-10-10T17:30:00+08:00" and deadline.json()["provisional"] is False
    late = client.get("/api/v1/calendar/deadline/", {"start": "2026-12-30T10:00:00+08:00", "working_days": 2})
    assert late.json()["provisional"] is True
    notice = {"year": 2027, "days": [{"date": "2027-01-01", "kind": "holiday", "name": "元旦"}]}
    assert client.post("/api/v1/calendar/years/", notice, format="json").status_code == 403
    admin = api_for(city.user(Role.CENTER_ADMIN))
    assert admin.post("/api/v1/calendar/years/", notice, format="json").status_code == 201
    bad = {"year": 2027, "days": [{"date": "2027-03-03", "kind": "workday"}]}
    assert admin.post("/api/v1/calendar/years/", bad, format="json").status_code == 400


@pytest.mark.parametrize("start", ["1072-10-11T11:11:29Z", "9999-12-31T10:00:00Z", "1999-12-31T10:00:00+08:00"])
def test_calendar_deadline_refuses_a_start_outside_the_calendar_years(city, start):
    """Found by fuzzing (tests/test_fuzz_api.py): a start in 1072 answered a local time with the
    offset +08:05:43, which no ISO 8601 reader takes; one in 9999 ran past the last date."""
    client = api_for(city.user(Role.DEPARTMENT_APPLICANT))
    response = client.get("/api/v1/calendar/deadline/", {"start": start, "working_days": 60})
    assert response.status_code == 400
    assert response.json() == {"start": ["请填写 2000 年至 2100 年之间的日期。"]}


def test_policies_belong_to_their_roles(city):
    security = api_for(city.user(Role.SECURITY_ADMIN))
    assert security.patch("/api/v1/policies/lockout_minutes/", {"value": "20"}, format="json").status_code == 200
    assert security.patch("/api/v1/policies/audit_retention_days/", {"value": "90"}, format="json").status_code == 400
    center = api_for(city.user(Role.CENTER_ADMIN))
    assert center.patch("/api/v1/policies/lockout_minutes/", {"value": "30"}, format="json").status_code == 403
    assert center.patch("/api/v1/policies/approval_working_days/", {"value": "3"}, format="json").status_code == 200
    listed = {p["key"]: p for p in center.get("/api/v1/policies/").json()}
    assert listed["lockout_minutes"]["value"] == "20" and not listed["lockout_minutes"]["editable"]
    assert AuditEvent.objects.filter(action="policy.set").count() == 2


def test_schema_and_docs_are_served(city):
    client = api_for(city.user(Role.DEPARTMENT_APPLICANT))
    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in ("/api/v1/organizations/", "/api/v1/users/{id}/roles/", "/api/v1/calendar/deadline/", "/api/v1/jobs/"):
        assert path in paths
    assert "PersonalAccessToken" in schema.json()["components"]["securitySchemes"]


# --- junk from outside (issue 12): a 4xx JSON answer naming the problem, never a 500 page ------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/jobs/not-a-uuid/",
        "/api/v1/application-attachments/abc/",
        "/api/v1/application-attachments/1,2/download/",
        "/api/v1/organizations/99999999999999999999/",
    ],
)
def test_malformed_ids_in_urls_answer_json_404(city, url):
    response = api_for(city.user(Role.DEPARTMENT_APPLICANT)).get(url)
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json()["detail"] == "未找到。"


def test_junk_query_parameters_answer_400_naming_them(city):
    client = api_for(city.user(Role.CENTER_ADMIN))
    for url, name in [
        ("/api/v1/statements/month-to-date/?organization=abc", "organization"),
        ("/api/v1/jobs/?page=abc", "page"),
        ("/api/v1/jobs/?page_size=-1", "page_size"),
        ("/api/v1/organizations/?is_active=maybe", "is_active"),
        ("/api/v1/mlps/filings/?system=99999999999999999999", "system"),
        ("/api/v1/budgets/?year=twenty", "year"),
        ("/api/v1/work-orders/?queue=everything", "queue"),
        ("/api/v1/catalog-items/?available=perhaps", "available"),
    ]:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400, (url, response.status_code)
        assert name in response.json(), (url, response.json())


def test_creating_an_organization_without_parent_is_a_400_naming_it(city):
    client = api_for(city.user(Role.SYSTEM_ADMIN))
    count = Organization.objects.count()
    response = client.post("/api/v1/organizations/", {**ORG, "credit_code": make_credit_code(777)}, format="json")
    assert response.status_code == 400 and "parent" in response.json()
    assert Organization.objects.count() == count


def test_a_service_error_a_view_left_untranslated_is_still_a_400(city, monkeypatch):
    from django.core.exceptions import ValidationError as DjangoValidationError

    from govcloud.web.api.views import JobViewSet

    def refuse(self, request, *args, **kwargs):
        raise DjangoValidationError({"label": ["Not like that."]})

    monkeypatch.setattr(JobViewSet, "list", refuse)
    response = api_for(city.user(Role.DEPARTMENT_APPLICANT)).get("/api/v1/jobs/")
    assert response.status_code == 400 and response.json() == {"label": ["Not like that."]}
