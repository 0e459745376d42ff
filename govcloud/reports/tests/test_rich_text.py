"""The provider report's text as rich text (issue 13): the service cleans the HTML against the
allow-list (web form and API alike), refuses a body with nothing readable, turns plain text into
paragraphs; the detail page shows the cleaned HTML, the analysis PDF prints it formatted, and the
migration 0002_rich_body turned the plain-text rows into paragraphs (and back)."""

from __future__ import annotations

import importlib
import re
import subprocess

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from conftest import login
from govcloud.catalog.tests.helpers import api_for
from govcloud.reports import analysis, richtext, services
from govcloud.reports.documents import analysis_pdf
from govcloud.reports.models import ProviderReport, ProviderReportKind
from govcloud.reports.tests.conftest import NOVEMBER

pytestmark = pytest.mark.django_db

FORMATTED = (
    "<h2>一、总体运行情况</h2><p>可用率 <strong>99.98%</strong>，<em>运行平稳</em>。</p>"
    '<ul><li>巡检 4 次</li><li>补丁 <a href="https://ops.example.cn/p">12 项</a></li></ul>'
    "<ol><li>扩容</li></ol><table><tbody><tr><td>备份</td><td>正常</td></tr></tbody></table>"
)
HOSTILE = (
    "<script>alert('x')</script><style>body{display:none}</style>"
    '<p style="color:red" class="evil" onclick="steal()">正文</p>'
    '<img src="https://elsewhere.example/t.gif" onerror="steal()">'
    '<a href="javascript:alert(1)">点我</a><a href=" JaVaScRiPt:alert(2)">再点</a>'
    '<iframe src="https://elsewhere.example/"></iframe><svg onload="steal()"></svg>'
)


def _create(mon, body, kind=ProviderReportKind.OPERATIONS):
    return services.provider_report_create(actor=mon.provider, kind=kind, month=NOVEMBER, title="11 月报告", body=body)


def _assert_clean(body: str) -> None:
    lowered = body.lower()
    for bad in ("<script", "alert(", "<style", "display:none", "style=", "class=", "onclick", "onerror", "onload"):
        assert bad not in lowered, bad
    for bad in ("<img", "elsewhere.example", "javascript:", "<iframe", "<svg"):
        assert bad not in lowered, bad


def test_the_service_keeps_the_formatting(mon):
    report = _create(mon, FORMATTED)
    body = ProviderReport.objects.get(pk=report.pk).body
    for kept in ("<h2>一、总体运行情况</h2>", "<strong>99.98%</strong>", "<em>运行平稳</em>", "<li>巡检 4 次</li>"):
        assert kept in body
    assert '<a href="https://ops.example.cn/p" rel="noopener noreferrer nofollow">12 项</a>' in body
    assert "<ol><li>扩容</li></ol>" in body and "<td>备份</td>" in body


def test_the_service_removes_scripts_styles_handlers_and_foreign_images(mon):
    report = _create(mon, HOSTILE)
    body = ProviderReport.objects.get(pk=report.pk).body
    _assert_clean(body)
    assert "<p>正文</p>" in body and "点我" in body
    updated = services.provider_report_update(
        actor=mon.provider, report=report, title="t", body=HOSTILE + "<h3>补</h3>"
    )
    _assert_clean(updated.body)
    assert "<h3>补</h3>" in ProviderReport.objects.get(pk=report.pk).body


@pytest.mark.parametrize(
    "empty", ["", "   ", "<p><br></p>", "<p>&nbsp;</p>\n<p> </p>", "<ul><li><br></li></ul>", "<script>x</script>"]
)
def test_a_body_with_nothing_readable_is_refused(mon, empty):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        _create(mon, empty)
    assert "body" in caught.value.message_dict and "内容为空" in caught.value.message_dict["body"][0]
    assert not ProviderReport.objects.exists()
    report = _create(mon, "<p>有内容</p>")
    with pytest.raises(ValidationError):
        services.provider_report_update(actor=mon.provider, report=report, title="t", body="<p><br></p>")
    assert ProviderReport.objects.get(pk=report.pk).body == "<p>有内容</p>"


def test_plain_text_becomes_paragraphs(mon):
    report = _create(mon, "第一段\n第二行 <无标签> & 符号\n\n第二段")
    assert report.body == "<p>第一段<br>第二行 &lt;无标签&gt; &amp; 符号</p>\n\n<p>第二段</p>"
    assert richtext.plain_text(report.body) == "第一段\n第二行 <无标签> & 符号\n第二段"


def test_the_api_cleans_and_refuses_the_same(mon):
    provider = api_for(mon.provider)
    url = reverse("provider-report-list")
    created = provider.post(
        url,
        {"kind": "operations", "month": "2026-11-01", "title": "11 月报告", "body": FORMATTED + HOSTILE},
        format="json",
    )
    assert created.status_code == 201, created.content
    _assert_clean(created.json()["body"])
    assert "<h2>一、总体运行情况</h2>" in created.json()["body"]
    _assert_clean(ProviderReport.objects.get().body)
    detail = reverse("provider-report-detail", args=[created.json()["id"]])
    with translation.override("zh-hans"):
        refused = provider.patch(
            detail, {"title": "x", "body": "<p><br></p>"}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
    assert refused.status_code == 400 and "body" in refused.json()
    assert "<h2>" in ProviderReport.objects.get().body
    changed = provider.patch(detail, {"title": "x", "body": '<h3 onmouseover="x()">新</h3>'}, format="json")
    assert changed.status_code == 200 and ProviderReport.objects.get().body == "<h3>新</h3>"


def test_the_detail_page_shows_the_cleaned_html_and_the_form_the_editor(client, mon):
    report = _create(mon, FORMATTED)
    # A row written around the service (an import, the admin) is cleaned again on the way out.
    ProviderReport.objects.filter(pk=report.pk).update(body=report.body + HOSTILE)
    login(client, mon.provider)
    page = client.get(reverse("reports:provider_report_detail", args=[report.pk])).content.decode()
    shown = page.split('data-testid="report-body">')[1].split("</div>")[0]
    assert "<h2>一、总体运行情况</h2>" in shown and "<li>巡检 4 次</li>" in shown
    _assert_clean(shown)
    form = client.get(reverse("reports:provider_report_edit", args=[report.pk])).content.decode()
    assert "data-rich-editor" in form and "vendor/quill/quill.js" in form and "reports/rich_editor.js" in form
    # The textarea the editor starts from holds the stored HTML, escaped.
    assert "&lt;h2&gt;一、总体运行情况&lt;/h2&gt;" in form
    refused = client.post(
        reverse("reports:provider_report_edit", args=[report.pk]), {"title": "t", "body": "<p><br></p>"}
    )
    assert refused.status_code == 200 and "内容为空" in refused.content.decode()


def test_the_list_shows_no_markup():
    assert richtext.plain_text("<h2>标题</h2><ul><li>a&amp;b</li><li>c</li></ul>") == "标题\na&b\nc"
    template = Template("{% load reports_tags %}{{ body|plain_text|truncatechars:40 }}")
    html = template.render(Context({"body": "<h2>标题</h2><p>正文 <strong>加粗</strong></p>"}))
    assert "<h2>" not in html and "<strong>" not in html and "标题" in html and "正文 加粗" in html


def test_the_analysis_pdf_prints_the_advice_formatted(november):
    advice = _create(november, FORMATTED + HOSTILE, kind=ProviderReportKind.ADVICE)
    services.provider_report_submit(actor=november.provider, report=advice)
    report = analysis.analysis_report_generate(actor=november.center, month=NOVEMBER)
    html = render_to_string(
        "reports/analysis_pdf.html", {"report": report, "month": NOVEMBER, "f": report.figures, "charts": {}}
    )
    section = html.split("四、服务商优化与扩容建议")[1].split("五、")[0]
    body = section.split('<div class="text rich">')[1].split("</div>")[0]
    assert body.startswith("<h2>一、总体运行情况</h2>") and "<li>巡检 4 次</li>" in body
    _assert_clean(body)
    with translation.override("zh-hans"):
        pdf = analysis_pdf(report)
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    assert "一、总体运行情况" in text and "可用率 99.98%，运行平稳。" in text
    # The list items print as separate lines with their bullets, no tags.
    assert re.search(r"^\s*[•·]\s*巡检 4 次$", text, re.MULTILINE)
    assert re.search(r"^\s*1\.\s*扩容$", text, re.MULTILINE)
    assert "<li>" not in text and "<h2>" not in text and "alert" not in text


def test_an_old_plain_text_snapshot_still_prints_as_paragraphs():
    assert str(richtext.render("一、优化\n1. 降配\n\n二、扩容")) == "<p>一、优化<br>1. 降配</p>\n\n<p>二、扩容</p>"


def test_the_migration_turns_plain_text_into_paragraphs_and_back(mon):
    migration = importlib.import_module("govcloud.reports.migrations.0002_rich_body")
    report = _create(mon, "<p>x</p>")
    plain = "一、总体\n本月 <平稳> & 正常\n\n二、资源"
    ProviderReport.objects.filter(pk=report.pk).update(body=plain)
    migration.to_html(django_apps, None)
    html = ProviderReport.objects.get(pk=report.pk).body
    assert html == "<p>一、总体<br>本月 &lt;平稳&gt; &amp; 正常</p>\n\n<p>二、资源</p>"
    assert richtext.sanitize(html) == html
    migration.to_text(django_apps, None)
    assert ProviderReport.objects.get(pk=report.pk).body == plain
