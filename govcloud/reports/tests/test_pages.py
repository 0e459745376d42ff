"""The report pages: the list and detail with charts (json_script, no inline script), the on-demand
form, XLSX and PDF downloads, the analysis, pools and provider pages; scope and constant queries."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from conftest import login
from govcloud.core.models import Job
from govcloud.reports import analysis, documents, selectors, services
from govcloud.reports.models import ProviderReportKind, ProviderReportState, ReportPeriod, ResourcePool
from govcloud.reports.tests.conftest import NOVEMBER
from govcloud.reports.utilization import utilization_report_generate
from tests.test_query_counts import LIMIT

pytestmark = pytest.mark.django_db


def _report(mon, organization=None, period=ReportPeriod.MONTH, day=NOVEMBER):
    return utilization_report_generate(actor=mon.center, period=period, day=day, organization=organization)


def test_detail_page_has_charts_and_downloads(client, november):
    report = _report(november, november.city.dept_a)
    login(client, november.a_user)
    html = client.get(reverse("reports:utilization_detail", args=[report.pk])).content.decode()
    assert 'data-chart="report-chart-daily"' in html and 'id="report-chart-daily"' in html
    assert "echarts.min.js" in html and november.a_host.code in html
    assert "<script>" not in html  # data only in json_script blocks
    xlsx = client.get(reverse("reports:utilization_xlsx", args=[report.pk]))
    sheet = load_workbook(io.BytesIO(xlsx.content))["资源利用情况表"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[6][0] == november.a_host.code and rows[6][4] == 85.0 and rows[6][12] == "过载"
    pdf = client.get(reverse("reports:utilization_pdf", args=[report.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_department_list_shows_its_own_only(client, november):
    own = _report(november, november.city.dept_a)
    other = _report(november, november.city.dept_b)
    city = _report(november)
    login(client, november.a_user)
    html = client.get(reverse("reports:utilization_list")).content.decode()
    assert reverse("reports:utilization_detail", args=[own.pk]) in html
    assert reverse("reports:utilization_detail", args=[other.pk]) not in html
    assert reverse("reports:utilization_detail", args=[city.pk]) not in html
    assert client.get(reverse("reports:utilization_detail", args=[city.pk])).status_code == 404
    assert client.get(reverse("reports:analysis_list")).status_code == 403
    assert client.get(reverse("reports:pool_list")).status_code == 403


def test_on_demand_form_starts_a_job(client, november, django_capture_on_commit_callbacks):
    login(client, november.a_user)
    url = reverse("reports:utilization_generate")
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"period": "week", "day": "2026-11-18", "organization": november.city.dept_a.pk})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("web:job_detail", args=[job.pk])
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="job-result-link"' in page
    # Another department is not a choice.
    response = client.post(url, {"period": "week", "day": "2026-11-18", "organization": november.city.dept_b.pk})
    assert response.status_code == 200 and Job.objects.count() == 1


def test_analysis_pdf_sections_say_no_data_when_empty(client, mon):
    report = analysis.analysis_report_generate(actor=mon.center, month=NOVEMBER)
    html = render_to_string(
        "reports/analysis_pdf.html", {"report": report, "month": NOVEMBER, "f": report.figures, "charts": {}}
    )
    # Utilization, pipeline, advice, incidents, bulletins: nothing recorded. The two hosts are
    # allocated capacity, shown against pools the center has not recorded yet.
    assert html.count("暂无数据") == 5 and "中心尚未登记资源池容量" in html
    login(client, mon.center)
    pdf = client.get(reverse("reports:analysis_pdf", args=[report.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_analysis_with_pools_advice_and_utilization(client, november):
    services.resource_pool_create(actor=november.center, name="计算池", kind="compute", capacity=16)
    advice = services.provider_report_create(
        actor=november.provider, kind=ProviderReportKind.ADVICE, month=NOVEMBER, title="扩容建议", body="建议扩容"
    )
    services.provider_report_submit(actor=november.provider, report=advice)
    _report(november)
    login(client, november.center)
    response = client.post(reverse("reports:analysis_list"), {"month": "2026-11"})
    assert response.status_code == 302
    figures = analysis.AnalysisReport.objects.get().figures
    compute = figures["capacity"]["kinds"][0]
    # Two 4-vCPU hosts in service since 1 November: 8 of 16, none a month before.
    assert (compute["capacity"], compute["used"], compute["used_pct"], compute["growth"]) == (16, 8.0, 50.0, 8.0)
    assert figures["provider"]["advice"]["title"] == "扩容建议"
    assert figures["utilization"]["overloaded"] == 1
    html = render_to_string(
        "reports/analysis_pdf.html",
        {"report": analysis.AnalysisReport.objects.get(), "month": NOVEMBER, "f": figures, "charts": {}},
    )
    assert "建议扩容" in html and "计算池" in html


def test_svg_charts_escape_and_scale():
    svg = documents.bar_chart_svg([("<甲>", 5, "#000"), ("乙", 10, "#000")])
    assert "&lt;甲&gt;" in svg and svg.startswith("<svg")
    line = documents.line_chart_svg(["2026-11-01", "2026-11-02", "2026-11-03"], [("CPU", "#000", [10, None, 30])])
    assert "<circle" in line or "<polyline" in line


def test_pool_pages(client, mon):
    login(client, mon.center)
    response = client.post(reverse("reports:pool_create"), {"name": "内存池", "kind": "memory", "capacity": "4096"})
    assert response.status_code == 302
    pool = ResourcePool.objects.get()
    response = client.post(
        reverse("reports:pool_edit", args=[pool.pk]), {"name": "内存池", "kind": "memory", "capacity": "-1"}
    )
    assert response.status_code == 200
    pool.refresh_from_db()
    assert pool.capacity == 4096
    login(client, mon.provider)
    assert client.get(reverse("reports:pool_list")).status_code == 200
    assert client.get(reverse("reports:pool_create")).status_code == 403


def test_provider_pages_flow(client, mon):
    login(client, mon.provider)
    response = client.post(
        reverse("reports:provider_report_create"),
        {"kind": "operations", "month": "2026-11", "title": "11 月运维报告", "body": "平稳"},
    )
    report = selectors.provider_reports_for(user=mon.provider).get()
    assert response["Location"] == reverse("reports:provider_report_detail", args=[report.pk])
    client.post(
        reverse("reports:provider_report_attach", args=[report.pk]),
        {"file": SimpleUploadedFile("巡检.pdf", b"%PDF-1.4 x", content_type="application/pdf")},
    )
    attachment = report.attachments.get()
    download = client.get(reverse("reports:provider_report_attachment", args=[report.pk, attachment.pk]))
    assert download.status_code == 200
    client.post(reverse("reports:provider_report_move", args=[report.pk]), {"action": "submit"})
    login(client, mon.center)
    page = client.get(reverse("reports:provider_report_detail", args=[report.pk])).content.decode()
    assert 'data-testid="action-acknowledge"' in page and 'data-testid="action-return"' in page
    client.post(reverse("reports:provider_report_move", args=[report.pk]), {"action": "return", "reason": "补充"})
    report.refresh_from_db()
    assert report.state == ProviderReportState.RETURNED
    # Acknowledging a returned report: refused with a message, nothing changes.
    client.post(reverse("reports:provider_report_move", args=[report.pk]), {"action": "acknowledge"})
    report.refresh_from_db()
    assert report.state == ProviderReportState.RETURNED
    login(client, mon.a_user)
    assert client.get(reverse("reports:provider_report_detail", args=[report.pk])).status_code == 404


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_pages_run_constant_queries(client, november):
    from datetime import date

    report = _report(november)
    services.provider_report_create(actor=november.provider, kind="advice", month=NOVEMBER, title="t", body="b")
    analysis.analysis_report_generate(actor=november.center, month=NOVEMBER)
    login(client, november.center)
    urls = [
        reverse("reports:utilization_list"),
        reverse("reports:utilization_detail", args=[report.pk]),
        reverse("reports:provider_report_list"),
        reverse("reports:analysis_list"),
    ]
    for url in urls:
        _queries(client, url)
    small = [_queries(client, url) for url in urls]
    for i in range(3):
        _report(november, period=ReportPeriod.WEEK, day=date(2026, 11, 2 + 7 * i))
        month = date(2026, 8 + i, 1)
        services.provider_report_create(actor=november.provider, kind="advice", month=month, title="t", body="b")
        analysis.analysis_report_generate(actor=november.center, month=month)
    from govcloud.reports.tests.conftest import rollups

    for host_name in ("丙", "丁", "戊"):
        from govcloud.monitoring.tests.conftest import host

        rollups(host(november.city.dept_a, host_name), NOVEMBER, [(20.0, 30.0)] * 3)
    report = _report(november)
    urls[1] = reverse("reports:utilization_detail", args=[report.pk])
    large = [_queries(client, url) for url in urls]
    assert large == small and max(large) <= LIMIT
