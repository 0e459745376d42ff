"""Page flows of the foundation beyond login: calendar notice and import, audit export and
download, organizations and users managed in the UI, denials recorded."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from conftest import login
from govcloud.audit.models import AuditEvent
from govcloud.core.models import Job, JobStatus
from govcloud.core.roles import Role
from govcloud.organizations.credit_codes import make_credit_code
from govcloud.organizations.models import Organization, User
from govcloud.workdays.models import CalendarDay, CalendarYear
from tests.factories import xlsx_bytes

pytestmark = pytest.mark.django_db


def _upload(content: bytes, name: str = "notice.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_center_admin_imports_a_notice_from_xlsx(client, city, django_capture_on_commit_callbacks):
    login(client, city.user(Role.CENTER_ADMIN))
    data = xlsx_bytes(
        [[date(2027, 1, 1), "休", "元旦"], [date(2027, 2, 6), "holiday", "春节"], ["2027-01-31", "班", "春节"]]
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("workdays:import"), {"year": 2027, "notice_reference": "国办发明电", "file": _upload(data)}
        )
    assert response.status_code == 302
    job = Job.objects.get(kind="calendar.import")
    assert job.status == JobStatus.SUCCEEDED, job.result
    assert CalendarYear.objects.get(year=2027).source == "import"
    assert CalendarDay.objects.filter(date__year=2027).count() == 3
    assert AuditEvent.objects.filter(action="calendar.year_set").exists()
    page = client.get(reverse("web:job_detail", kwargs={"pk": job.pk}))
    assert page.status_code == 200 and "100%" in page.content.decode()


def test_bad_xlsx_rows_fail_the_job_with_reasons_and_change_nothing(client, city, django_capture_on_commit_callbacks):
    login(client, city.user(Role.CENTER_ADMIN))
    data = xlsx_bytes([["not-a-date", "休", ""], [date(2027, 3, 3), "班", ""]])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("workdays:import"), {"year": 2027, "file": _upload(data)})
    job = Job.objects.get(kind="calendar.import")
    assert job.status == JobStatus.FAILED and job.result["errors"]
    assert not CalendarYear.objects.filter(year=2027).exists()
    page = client.get(reverse("web:job_detail", kwargs={"pk": job.pk})).content.decode()
    assert "2" in page and 'data-testid="job-errors"' in page


@pytest.mark.parametrize("name, content", [("notice.csv", b"a,b"), ("notice.xlsx", b"not a zip")])
def test_upload_type_is_checked_before_anything_runs(client, city, name, content):
    login(client, city.user(Role.CENTER_ADMIN))
    response = client.post(reverse("workdays:import"), {"year": 2027, "file": _upload(content, name)})
    assert response.status_code == 200
    assert not Job.objects.exists()


def test_notice_form_saves_a_year(client, city):
    login(client, city.user(Role.CENTER_ADMIN))
    form = {
        "year": 2027,
        "notice_reference": "国办发明电〔2026〕7号",
        "days-TOTAL_FORMS": 2,
        "days-INITIAL_FORMS": 0,
        "days-MIN_NUM_FORMS": 1,
        "days-MAX_NUM_FORMS": 60,
        "days-0-start": "2027-10-01",
        "days-0-end": "2027-10-07",
        "days-0-kind": "holiday",
        "days-0-name": "国庆节",
        "days-1-start": "2027-09-26",
        "days-1-end": "",
        "days-1-kind": "workday",
        "days-1-name": "国庆节调休",
    }
    response = client.post(reverse("workdays:notice_edit", kwargs={"year": 2027}), form)
    assert response.status_code == 302, response.content.decode()[:500]
    assert CalendarDay.objects.filter(date__year=2027).count() == 8
    page = client.get(reverse("workdays:calendar") + "?year=2027").content.decode()
    assert "provisional-banner" not in page


def test_calendar_for_an_unannounced_year_says_provisional(client, city):
    login(client, city.user(Role.DEPARTMENT_APPLICANT))
    page = client.get(reverse("workdays:calendar") + "?year=2027").content.decode()
    assert "provisional-banner" in page


def test_audit_export_download_is_audited(client, city, django_capture_on_commit_callbacks):
    auditor = city.user(Role.AUDIT_ADMIN)
    login(client, auditor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("audit:export") + "?actor=" + auditor.username, {"format": "xlsx"})
    job = Job.objects.get(kind="audit.export")
    assert response["Location"] == reverse("web:job_detail", kwargs={"pk": job.pk})
    download = client.get(reverse("web:job_download", kwargs={"pk": job.pk}))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert AuditEvent.objects.filter(action="job.download", actor_id=auditor.pk).exists()


def test_audit_search_filters(client, city):
    auditor = city.user(Role.AUDIT_ADMIN)
    other = city.user(Role.DEPARTMENT_APPLICANT)
    from govcloud.audit.services import audit_record

    audit_record(actor=other, action="test.one")
    audit_record(actor=auditor, action="test.two")
    login(client, auditor)
    page = client.get(reverse("audit:event_list") + f"?actor={other.username}").content.decode()
    assert "test.one" in page and "test.two" not in page


def test_system_admin_creates_an_organization_and_a_user_in_the_ui(client, city):
    login(client, city.user(Role.SYSTEM_ADMIN))
    response = client.post(
        reverse("organizations:organization_create"),
        {
            "name": "泰州市数据局",
            "short_name": "市数据局",
            "kind": "department",
            "level": "department",
            "parent": city.root.pk,
            "credit_code": make_credit_code(8080),
            "contact_name": "张三",
            "contact_phone": "0523-1111111",
        },
    )
    org = Organization.objects.get(name="泰州市数据局")
    assert response["Location"] == reverse("organizations:organization_detail", kwargs={"pk": org.pk})
    page = client.post(
        reverse("organizations:user_create"),
        {"username": "shujuju", "full_name": "赵六", "organization": org.pk, "title": "", "email": "", "phone": ""},
    )
    assert page.status_code == 200 and 'data-testid="temporary-password"' in page.content.decode()
    assert User.objects.get(username="shujuju").must_change_password


def test_bad_organization_input_keeps_the_form_and_changes_nothing(client, city):
    login(client, city.user(Role.SYSTEM_ADMIN))
    count = Organization.objects.count()
    response = client.post(
        reverse("organizations:organization_create"),
        {"name": "x", "kind": "department", "level": "district", "parent": city.dept_a.pk,
         "credit_code": make_credit_code(9090), "contact_name": "x", "contact_phone": "1"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode() or "alert-danger" in response.content.decode()
    assert Organization.objects.count() == count


def test_security_admin_sets_roles_in_the_ui_and_三员分立_is_shown(client, city):
    target = city.user(org=city.center)
    login(client, city.user(Role.SECURITY_ADMIN))
    url = reverse("organizations:user_roles", kwargs={"pk": target.pk})
    client.post(url, {"roles": ["system_admin", "security_admin"]})
    page = client.get(reverse("organizations:user_detail", kwargs={"pk": target.pk})).content.decode()
    assert "三员分立" in page
    assert not User.objects.get(pk=target.pk).roles
    client.post(url, {"roles": ["center_reviewer"]})
    assert User.objects.get(pk=target.pk).roles == {Role.CENTER_REVIEWER}


def test_a_forbidden_action_is_a_403_and_an_audit_event(client, city):
    user = city.user(Role.DEPARTMENT_APPLICANT)
    login(client, user)
    assert client.get(reverse("organizations:user_create")).status_code == 403
    event = AuditEvent.objects.get(action="access.denied", actor_id=user.pk)
    assert event.outcome == "denied" and "/users/new/" in event.message


def test_token_page_shows_a_new_token_once(client, city):
    user = city.user(Role.DEPARTMENT_APPLICANT)
    login(client, user)
    created = client.post(reverse("organizations:token_list"), {"name": "脚本", "expires_in_days": 30}).content.decode()
    assert 'data-testid="new-token"' in created
    again = client.get(reverse("organizations:token_list")).content.decode()
    assert 'data-testid="new-token"' not in again and "脚本" in again
