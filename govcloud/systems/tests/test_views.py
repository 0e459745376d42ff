"""Page flows: registering, the compliance page and its gate verdict, MLPS forms and uploads, the
migration dashboard, the exemption workflow in the browser's forms, the export job."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook

from conftest import login
from govcloud.audit.models import AuditEvent
from govcloud.core.actors import SYSTEM
from govcloud.core.models import Job, JobStatus
from govcloud.core.roles import Role
from govcloud.systems import services
from govcloud.systems.models import (
    ExemptionState,
    HostingStatus,
    InformationSystem,
    MigrationExemption,
    MlpsFiling,
    Rectification,
    SystemAttachment,
)
from govcloud.systems.tests.helpers import PDF_BYTES, exemption_in_review, experts, make_compliant, register, upload

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


def system_form(org, **extra) -> dict:
    data = {
        "organization": org.pk,
        "name": "一网通办平台",
        "purpose": "政务服务",
        "hosting_status": "own_room",
        "planned_migration_date": "2027-06-30",
        "users_served": "市民",
        "protection_level": "3",
        "internet_facing": "on",
        "system_manager_name": "张明",
        "system_manager_phone": "0523-86831001",
        "security_confidentiality_name": "李静",
        "security_confidentiality_phone": "0523-86831002",
        "security_auditor_name": "王强",
        "security_auditor_phone": "13905231003",
    }
    data.update(extra)
    return data


def test_department_registers_and_sees_the_gate_verdict(client, city):
    login(client, city.user(Role.DEPARTMENT_APPLICANT))
    response = client.post(reverse("systems:system_create"), system_form(city.dept_a))
    system = InformationSystem.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("systems:system_detail", args=[system.pk])
    assert system.internet_facing and system.responsible_people.count() == 3
    page = html(client.get(response["Location"]))
    assert 'data-testid="gate-verdict" data-cleared="false"' in page
    assert "0523-86831001" in page
    reasons = re.search(r'data-testid="gate-reasons">(.*?)</ul>', page, re.S).group(1)
    assert reasons.count("<li>") == 2
    edit = client.post(reverse("systems:system_edit", args=[system.pk]), system_form(city.dept_a, purpose="一网通办"))
    assert edit.status_code == 302
    assert InformationSystem.objects.get().purpose == "一网通办"


def test_a_service_error_lands_on_the_form(client, city):
    login(client, city.user(Role.DEPARTMENT_APPLICANT))
    response = client.post(
        reverse("systems:system_create"),
        system_form(city.dept_a, hosting_status="migrating", planned_migration_date=""),
    )
    assert response.status_code == 200 and "invalid-feedback" in html(response)
    assert not InformationSystem.objects.exists()


def test_classified_registration_offers_the_name_only(client, city):
    login(client, city.user(Role.DEPARTMENT_SECURITY_OFFICER))
    form_page = html(client.get(reverse("systems:system_create") + "?classified=1"))
    assert (
        'name="name"' in form_page and 'name="purpose"' not in form_page and 'name="protection_level"' not in form_page
    )
    response = client.post(
        reverse("systems:system_create") + "?classified=1",
        {"organization": city.dept_a.pk, "name": "涉密指挥系统", "purpose": "ignored: not a field here"},
    )
    system = InformationSystem.objects.get()
    assert response.status_code == 302 and system.classified and system.purpose == ""
    detail = html(client.get(reverse("systems:system_detail", args=[system.pk])))
    assert 'data-testid="classified-notice"' in detail and 'data-testid="filings"' not in detail
    edit_page = html(client.get(reverse("systems:system_edit", args=[system.pk])))
    assert 'name="purpose"' not in edit_page
    assert client.get(reverse("systems:filing_create", args=[system.pk])).status_code == 404


def test_filing_with_certificate_and_bad_upload(client, city):
    system = register(city.dept_a)
    login(client, city.user(Role.DEPARTMENT_APPLICANT))
    url = reverse("systems:filing_create", args=[system.pk])
    data = {
        "protection_level": "3",
        "filing_number": "32120099001-1",
        "filed_on": "2026-01-05",
        "filing_authority": "公安",
    }
    # Read the error in English (pages are Chinese by default).
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    bad = client.post(url, {**data, "certificate": upload(b"<script>", "evil.pdf")})
    assert bad.status_code == 200 and "PDF, PNG or JPEG" in html(bad)
    assert not MlpsFiling.objects.exists() and not SystemAttachment.objects.exists()
    good = client.post(url, {**data, "certificate": upload(PDF_BYTES, "证明.pdf")})
    assert good.status_code == 302
    attachment = SystemAttachment.objects.get()
    download = client.get(reverse("systems:attachment_download", args=[attachment.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF_BYTES
    assert "attachment" in download["Content-Disposition"]
    assert AuditEvent.objects.filter(action="system_attachment.download").count() == 1


def test_assessment_rectification_and_attachment_pages(client, city, time_machine):
    time_machine.move_to("2026-06-01 10:00:00+08:00", tick=False)
    system = register(city.dept_a)
    login(client, city.user(Role.DEPARTMENT_HEAD))
    response = client.post(
        reverse("systems:assessment_create", args=[system.pk]),
        {"assessing_body": "江苏省信息安全测评中心", "assessed_on": "2026-02-01", "score": "72", "conclusion": "fail"},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("systems:rectification_create", args=[system.pk]),
        {"description": "堡垒机未接入", "owner": "王强", "due_on": "2026-05-01"},
    )
    assert response.status_code == 302
    item = Rectification.objects.get()
    detail = html(client.get(reverse("systems:system_detail", args=[system.pk])))
    assert 'data-testid="rectification-overdue"' in detail
    edit_url = reverse("systems:rectification_edit", args=[item.pk])
    assert client.get(edit_url).status_code == 200
    client.post(edit_url, {"description": "堡垒机未接入", "owner": "李静", "due_on": "2026-07-01"})
    assert Rectification.objects.get().owner == "李静"
    client.post(edit_url, {"close": "1", "close-closing_note": "已接入", "close-closed_on": "2026-06-01"})
    assert Rectification.objects.get().status == "done"
    assessment = system.assessments.get()
    upload_url = reverse("systems:attachment_upload", args=[system.pk])
    response = client.post(upload_url, {"record": f"assessment:{assessment.pk}", "file": upload(PDF_BYTES, "r.pdf")})
    assert response.status_code == 302 and assessment.attachments.count() == 1


def test_others_cannot_open_the_write_pages(client, city):
    system = register(city.dept_a)
    for user, expected in (
        (city.user(Role.DEPARTMENT_APPLICANT, org=city.dept_b), 404),
        (city.user(Role.PROVIDER_OPERATOR), 404),
        (city.user(Role.LEADING_GROUP), 404),
    ):
        login(client, user)
        for name in ("systems:system_edit", "systems:filing_create", "systems:exemption_create"):
            assert client.get(reverse(name, args=[system.pk])).status_code == expected, (user, name)
    login(client, city.user(Role.PROVIDER_OPERATOR))
    assert client.get(reverse("systems:system_detail", args=[system.pk])).status_code == 200
    assert client.get(reverse("systems:system_create")).status_code == 403


def test_list_filters_and_compliance_badges(client, city, time_machine):
    time_machine.move_to("2026-06-01 10:00:00+08:00", tick=False)
    ok = register(city.dept_a, "合规系统")
    make_compliant(ok, filed_on=date(2026, 1, 1), assessed_on=date(2026, 2, 1))
    register(city.dept_b, "乙局未备案系统")
    login(client, city.user(Role.CENTER_ADMIN))
    page = html(client.get(reverse("systems:system_list")))
    assert page.count('data-testid="system-row"') == 2
    assert 'data-testid="cleared"' in page and 'data-testid="not-cleared"' in page
    cleared = html(client.get(reverse("systems:system_list") + "?compliance=cleared"))
    assert "合规系统" in cleared and "乙局未备案系统" not in cleared
    by_dept = html(client.get(reverse("systems:system_list") + f"?organization={city.dept_b.pk}"))
    assert "乙局未备案系统" in by_dept and "合规系统" not in by_dept


def test_migration_dashboard(client, city, time_machine):
    time_machine.move_to("2026-06-01 10:00:00+08:00", tick=False)
    register(city.dept_a, "上云", hosting_status=HostingStatus.ON_PLATFORM)
    register(city.unit_a, "逾期", hosting_status=HostingStatus.OWN_ROOM, planned_migration_date=date(2026, 3, 1))
    register(city.dept_b, "迁移中", hosting_status=HostingStatus.MIGRATING, planned_migration_date=date(2026, 9, 1))
    services.system_create(actor=SYSTEM, organization=city.dept_a, name="涉密", classified=True)
    login(client, city.user(Role.CENTER_ADMIN))
    page = html(client.get(reverse("systems:migration_dashboard")))
    assert page.count('data-testid="migration-row"') == 2
    assert re.search(r'data-testid="total-overdue">1<', page)
    assert re.search(r'data-testid="total-on-platform">1<', page)
    overdue = re.search(r'data-testid="overdue-list">(.*?)</table>', page, re.S).group(1)
    assert "逾期" in overdue and "迁移中" not in overdue
    chart = json.loads(
        re.search(r'id="migration-chart-data" type="application/json">(.*?)</script>', page, re.S).group(1)
    )
    assert chart["yAxis"]["data"] == ["甲局", "乙局"]
    assert [s["data"] for s in chart["series"]] == [[1, 0], [0, 1], [1, 0], [0, 0]]
    login(client, city.user(Role.DEPARTMENT_APPLICANT, org=city.dept_b))
    mine = html(client.get(reverse("systems:migration_dashboard")))
    assert mine.count('data-testid="migration-row"') == 1 and "甲局" not in mine


def test_exemption_workflow_in_the_pages(client, city):
    system = register(city.dept_a, hosting_status=HostingStatus.OWN_ROOM)
    applicant = city.user(Role.DEPARTMENT_APPLICANT)
    login(client, applicant)
    response = client.post(
        reverse("systems:exemption_create", args=[system.pk]), {"reasons": "依赖专用硬件，无法迁移。"}
    )
    exemption = MigrationExemption.objects.get()
    detail_url = reverse("systems:exemption_detail", args=[exemption.pk])
    assert response["Location"] == detail_url
    bad = client.post(reverse("systems:exemption_evidence", args=[exemption.pk]), {"file": upload(b"GIF89a", "a.gif")})
    assert bad.status_code == 400 and not SystemAttachment.objects.exists()
    client.post(reverse("systems:exemption_evidence", args=[exemption.pk]), {"file": upload(PDF_BYTES, "说明.pdf")})
    assert exemption.attachments.count() == 1
    client.post(reverse("systems:exemption_act", args=[exemption.pk, "submit"]), {"comment": "请评审"})
    assert MigrationExemption.objects.get().state == ExemptionState.SUBMITTED

    center = city.user(Role.CENTER_ADMIN)
    panel = experts(city)
    login(client, center)
    page = html(client.get(detail_url))
    assert 'data-testid="assign"' in page
    too_few = client.post(reverse("systems:exemption_assign", args=[exemption.pk]), {"experts": [panel[0].pk]})
    assert too_few.status_code == 400
    assert MigrationExemption.objects.get().state == ExemptionState.SUBMITTED
    client.post(reverse("systems:exemption_assign", args=[exemption.pk]), {"experts": [e.pk for e in panel]})
    assert MigrationExemption.objects.get().state == ExemptionState.EXPERT_REVIEW

    for expert in panel:
        login(client, expert)
        assert 'data-testid="vote"' in html(client.get(detail_url))
        client.post(reverse("systems:exemption_vote", args=[exemption.pk]), {"vote": "approve", "opinion": "同意"})
        assert 'data-testid="vote"' not in html(client.get(detail_url))
    login(client, center)
    client.post(reverse("systems:exemption_act", args=[exemption.pk, "forward"]), {})
    leader = city.user(Role.LEADING_GROUP)
    login(client, leader)
    assert 'data-testid="decide"' in html(client.get(detail_url))
    client.post(reverse("systems:exemption_decide", args=[exemption.pk]), {"decision": "approve", "comment": "同意"})
    assert MigrationExemption.objects.get().state == ExemptionState.APPROVED
    login(client, applicant)
    page = html(client.get(detail_url))
    assert 'data-state="approved"' in page and page.count('<li class="mb-2">') == 8
    assert InformationSystem.objects.get().hosting_status == HostingStatus.EXEMPTED


def test_wrong_role_on_an_exemption_page_action(client, city):
    system = register(city.dept_a)
    exemption = services.exemption_create(actor=SYSTEM, system=system, reasons="依赖专用硬件，无法迁移。")
    services.exemption_submit(actor=SYSTEM, exemption=exemption)
    login(client, city.user(Role.DEPARTMENT_HEAD))
    assert client.post(reverse("systems:exemption_assign", args=[exemption.pk]), {}).status_code == 403
    assert client.post(reverse("systems:exemption_act", args=[exemption.pk, "forward"]), {}).status_code == 403
    assert client.post(reverse("systems:exemption_act", args=[exemption.pk, "nonsense"]), {}).status_code == 404
    assert AuditEvent.objects.filter(action="access.denied").count() == 2


def test_expert_sees_only_assigned_reviews(client, city):
    system = register(city.dept_a)
    other = register(city.dept_b, "乙局系统")
    panel = experts(city)
    assigned = exemption_in_review(city, system, panel)
    unassigned = services.exemption_create(actor=SYSTEM, system=other, reasons="乙局暂缓迁移的理由说明")
    login(client, panel[0])
    listing = html(client.get(reverse("systems:exemption_list") + "?awaiting=1"))
    assert listing.count('data-testid="exemption-row"') == 1
    assert client.get(reverse("systems:exemption_detail", args=[assigned.pk])).status_code == 200
    assert client.get(reverse("systems:exemption_detail", args=[unassigned.pk])).status_code == 404
    assert client.get(reverse("systems:system_detail", args=[system.pk])).status_code == 200
    assert client.get(reverse("systems:system_detail", args=[other.pk])).status_code == 404


def test_export_page_starts_a_job(client, city, django_capture_on_commit_callbacks):
    register(city.dept_a)
    services.system_create(actor=SYSTEM, organization=city.dept_a, name="涉密系统", classified=True)
    login(client, city.user(Role.DEPARTMENT_HEAD))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("systems:export"), {"format": "xlsx"})
    job = Job.objects.get(kind="systems.export")
    assert response["Location"] == reverse("web:job_detail", kwargs={"pk": job.pk})
    assert job.status == JobStatus.SUCCEEDED and job.result == {"rows": 2}
    assert AuditEvent.objects.filter(action="system.export").count() == 1
    rows = list(load_workbook(Path(settings.PRIVATE_MEDIA_ROOT) / job.result_file).active.values)
    by_name = {row[1]: row for row in rows[1:]}
    assert by_name["涉密系统"][3:] == (None,) * (len(rows[0]) - 3)
    assert by_name["政务服务系统"][3] == "办事服务"
    assert all("0523" not in str(cell) for row in rows for cell in row)
