"""The reports API: scope (a department reads its own utilization reports, nothing of the provider's
reports, pools or analysis), the provider's report moves with 409 on conflicts, on-demand jobs,
forbidden cases, and constant queries on the lists."""

from __future__ import annotations

import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from conftest import login
from govcloud.audit.models import AuditEvent
from govcloud.catalog.tests.helpers import api_for
from govcloud.core.actors import SYSTEM
from govcloud.core.models import Job, JobStatus
from govcloud.reports.analysis import analysis_report_generate
from govcloud.reports.documents import analysis_pdf
from govcloud.reports.models import (
    ProviderReport,
    ProviderReportAttachment,
    ProviderReportState,
    ReportPeriod,
    ResourcePool,
    UtilizationReport,
)
from govcloud.reports.tests.conftest import NOVEMBER
from govcloud.reports.utilization import utilization_report_generate
from tests.test_query_counts import LIMIT

pytestmark = pytest.mark.django_db


def _reports(mon):
    a = utilization_report_generate(
        actor=mon.center, period=ReportPeriod.MONTH, day=NOVEMBER, organization=mon.city.dept_a
    )
    b = utilization_report_generate(
        actor=mon.center, period=ReportPeriod.MONTH, day=NOVEMBER, organization=mon.city.dept_b
    )
    city = utilization_report_generate(actor=mon.center, period=ReportPeriod.MONTH, day=NOVEMBER)
    return a, b, city


def test_departments_read_their_own_utilization_reports(november):
    a, b, city = _reports(november)
    client = api_for(november.a_user)
    ids = {r["id"] for r in client.get(reverse("utilization-report-list")).json()["results"]}
    assert ids == {a.pk}
    assert client.get(reverse("utilization-report-detail", args=[b.pk])).status_code == 404
    assert client.get(reverse("utilization-report-detail", args=[city.pk])).status_code == 404
    lines = client.get(reverse("utilization-report-lines", args=[a.pk]) + "?flag=overloaded").json()["results"]
    assert [line["code"] for line in lines] == [november.a_host.code]
    assert client.get(reverse("utilization-report-lines", args=[a.pk]) + "?flag=junk").status_code == 400
    center = api_for(november.center)
    assert len(center.get(reverse("utilization-report-list")).json()["results"]) == 3
    city_only = center.get(reverse("utilization-report-list") + "?city=true").json()["results"]
    assert [r["id"] for r in city_only] == [city.pk]


def test_generate_on_demand_answers_a_job(november, django_capture_on_commit_callbacks):
    url = reverse("utilization-report-generate")
    body = {"period": "month", "day": "2026-11-15", "organization": november.city.dept_a.pk}
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(november.a_user).post(url, body, format="json")
    assert response.status_code == 202 and response.json()["status"] == "queued"
    assert Job.objects.get(pk=response.json()["id"]).status == JobStatus.SUCCEEDED
    assert UtilizationReport.objects.get().organization == november.city.dept_a
    # Another department's, or the city's: refused.
    body["organization"] = november.city.dept_b.pk
    assert api_for(november.a_user).post(url, body, format="json").status_code == 403
    assert (
        api_for(november.a_user).post(url, {"period": "month", "day": "2026-11-15"}, format="json").status_code == 403
    )
    assert api_for(november.center).post(url, {"period": "year", "day": "x"}, format="json").status_code == 400
    assert UtilizationReport.objects.count() == 1


def test_provider_report_flow_and_conflicts(mon):
    provider, center = api_for(mon.provider), api_for(mon.center)
    url = reverse("provider-report-list")
    created = provider.post(
        url, {"kind": "operations", "month": "2026-11-01", "title": "11 月报告", "body": "平稳"}, format="json"
    )
    assert created.status_code == 201 and created.json()["due_at"].startswith("2026-12-07")
    pk = created.json()["id"]
    assert center.post(reverse("provider-report-acknowledge", args=[pk]), {}, format="json").status_code == 409
    assert center.post(reverse("provider-report-submit", args=[pk]), {}, format="json").status_code == 403
    assert provider.post(reverse("provider-report-submit", args=[pk]), {}, format="json").status_code == 200
    assert (
        provider.patch(
            reverse("provider-report-detail", args=[pk]), {"title": "x", "body": "y"}, format="json"
        ).status_code
        == 409
    )
    returned = center.post(reverse("provider-report-return", args=[pk]), {"reason": "请补充"}, format="json")
    assert returned.status_code == 200 and returned.json()["state"] == ProviderReportState.RETURNED
    again = reverse("provider-report-return", args=[pk])
    assert center.post(again, {"reason": ""}, format="json").status_code == 400  # no reason
    assert center.post(again, {"reason": "再次退回"}, format="json").status_code == 409  # already returned
    timeline = provider.get(reverse("provider-report-timeline", args=[pk])).json()
    assert [e["kind"] for e in timeline] == ["created", "submitted", "returned"]
    # A department sees none of it.
    department = api_for(mon.a_user)
    assert department.get(url).json()["results"] == []
    assert department.get(reverse("provider-report-detail", args=[pk])).status_code == 404
    assert department.post(reverse("provider-report-acknowledge", args=[pk]), {}, format="json").status_code == 404
    assert (
        department.post(
            url, {"kind": "advice", "month": "2026-11-01", "title": "t", "body": "b"}, format="json"
        ).status_code
        == 403
    )
    assert ProviderReport.objects.count() == 1


def test_pools_are_the_centers(mon):
    url = reverse("resource-pool-list")
    response = api_for(mon.center).post(url, {"name": "计算池", "kind": "compute", "capacity": 500}, format="json")
    assert response.status_code == 201
    pk = response.json()["id"]
    patched = api_for(mon.center).patch(reverse("resource-pool-detail", args=[pk]), {"capacity": 800}, format="json")
    assert patched.status_code == 200 and patched.json()["capacity"] == 800
    assert api_for(mon.provider).get(url).status_code == 200
    assert (
        api_for(mon.provider).post(url, {"name": "x", "kind": "memory", "capacity": 1}, format="json").status_code
        == 403
    )
    assert api_for(mon.a_user).get(url).status_code == 403
    assert (
        api_for(mon.a_user)
        .patch(reverse("resource-pool-detail", args=[pk]), {"capacity": 1}, format="json")
        .status_code
        == 403
    )
    assert api_for(mon.center).post(url, {"name": "y", "kind": "gpu", "capacity": 1}, format="json").status_code == 400
    assert ResourcePool.objects.get().capacity == 800


def test_analysis_report_generate_and_pdf(november):
    client = api_for(november.center)
    response = client.post(reverse("analysis-report-generate"), {"month": "2026-11-20"}, format="json")
    assert response.status_code == 201 and response.json()["month"] == "2026-11-01"
    pk = response.json()["id"]
    pdf = client.get(reverse("analysis-report-pdf", args=[pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert api_for(november.a_user).get(reverse("analysis-report-list")).status_code == 403
    assert api_for(november.a_user).get(reverse("analysis-report-pdf", args=[pk])).status_code == 403
    assert client.post(reverse("analysis-report-generate"), {"month": "2030-01-01"}, format="json").status_code == 400


@pytest.mark.parametrize("name", ["utilization-report-list", "provider-report-list", "analysis-report-list"])
def test_lists_run_constant_queries(mon, name):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from govcloud.reports import analysis, services

    client = api_for(mon.center)

    def grow(n):
        for i in range(n):
            utilization_report_generate(actor=mon.center, period=ReportPeriod.WEEK, day=NOVEMBER.replace(day=1 + 7 * i))
            month = NOVEMBER.replace(month=1 + i + len(ProviderReport.objects.all()))
            services.provider_report_create(actor=mon.provider, kind="advice", month=month, title="t", body="b")
            analysis.analysis_report_generate(actor=mon.center, month=month)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(name)).status_code == 200
        return len(ctx.captured_queries)

    grow(1)
    queries()
    small = queries()
    grow(3)
    assert queries() == small <= LIMIT


def test_provider_report_attachments_through_the_api(mon):
    """The provider attaches files to a draft through the API and anyone who reads the report can
    download them (audited); nothing is attached once the report is submitted; junk files, other
    roles and other reports' files are refused."""
    provider, center = api_for(mon.provider), api_for(mon.center)
    created = provider.post(
        reverse("provider-report-list"),
        {"kind": "operations", "month": "2026-11-01", "title": "11 月报告", "body": "平稳"},
        format="json",
    ).json()
    url = reverse("provider-report-attachments", args=[created["id"]])
    pdf = b"%PDF-1.4 inspection record"
    answer = provider.post(
        url, {"file": SimpleUploadedFile("巡检记录.pdf", pdf, content_type="application/pdf")}, format="multipart"
    )
    assert answer.status_code == 201, answer.content
    attachment = answer.json()
    assert (attachment["original_name"], attachment["size"]) == ("巡检记录.pdf", len(pdf))
    assert [a["id"] for a in center.get(url).json()] == [attachment["id"]]
    download = center.get(reverse("provider-report-attachment-download", args=[created["id"], attachment["id"]]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == pdf
    assert AuditEvent.objects.filter(action="provider_report.download").count() == 1
    # Refused: a program disguised by its name, the center attaching, a department at all, a missing
    # file id, and anything once the report is submitted.
    junk = provider.post(url, {"file": SimpleUploadedFile("a.pdf", b"MZ\x90\x00", content_type="application/pdf")})
    assert junk.status_code == 400
    assert center.post(url, {"file": SimpleUploadedFile("b.pdf", pdf)}, format="multipart").status_code == 403
    assert api_for(mon.a_user).get(url).status_code == 404
    missing = reverse("provider-report-attachment-download", args=[created["id"], 999999])
    assert center.get(missing).status_code == 404
    provider.post(reverse("provider-report-submit", args=[created["id"]]), {}, format="json")
    late = provider.post(url, {"file": SimpleUploadedFile("c.pdf", pdf)}, format="multipart")
    assert late.status_code == 409
    assert ProviderReportAttachment.objects.count() == 1


def test_a_report_the_platform_made_says_so_in_chinese(november, client):
    """The monthly job runs with no language active: actor_name(SYSTEM) stored "System", which the
    PDF printed as is (生成于 …（System）). Pages and PDFs show it as 系统."""
    with translation.override(None):
        report = analysis_report_generate(actor=SYSTEM, month=NOVEMBER)
    assert report.generated_by == "System"
    with translation.override("zh-hans"):
        pdf = analysis_pdf(report)
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "（系统）" in text and "System" not in text
    login(client, november.center)
    page = client.get("/reports/analysis/")
    html = page.content.decode()
    assert page.status_code == 200 and "系统" in html and ">System<" not in html
