"""Chinese typography and long forms (issue 16 §4): full-width colons and brackets in Chinese text,
specifications written "内存 8 GB", "*" on every required field, and the errors of a long form
listed at the top with links to their fields."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from conftest import login
from govcloud.applications.tests.test_pages import form_data, host_fields
from govcloud.delivery.specfields import spec_text

pytestmark = pytest.mark.django_db


def test_punctuation_follows_the_language():
    template = Template('{% load i18n gc %}{% trans "Verification code" %}{% colon %}X{% lparen %}1{% rparen %}')
    with translation.override("zh-hans"):
        assert template.render(Context()) == "校验码：X（1）"
    with translation.override("en"):
        assert template.render(Context()) == "Verification code: X (1)"


def test_a_specification_puts_the_unit_after_the_value_and_names_choices():
    spec = {"vcpu": 4, "memory_gb": 8, "disk_type": "ssd", "data_disk_gb": 100, "bandwidth_mbps": 20}
    with translation.override("zh-hans"):
        text = spec_text(spec)
    assert "内存 8 GB" in text and "数据盘 100 GB" in text and "带宽 20 Mbps" in text
    assert "（GB）" not in text and "ssd" not in text


def test_the_long_form_lists_its_errors_at_the_top_and_marks_every_required_field(wf, client):
    login(client, wf.applicant)
    page = client.get(reverse("applications:application_create")).content.decode()
    # The environment (radio buttons) is required: its legend carries the "*" too.
    legend = page[page.index('<legend class="form-label fs-6" id="id_environment"') :][:300]
    assert "gc-required" in legend
    response = client.post(
        reverse("applications:application_create"), form_data(wf, {0: host_fields(vcpu=3)}, purpose="", contact_name="")
    )
    assert response.status_code == 400
    body = response.content.decode()
    start = body.index('data-testid="error-summary"')
    summary = body[start : body.index("</div>\n", body.index("</ul>", start))]
    assert "请更正以下 3 处问题后再保存：" in summary
    assert 'href="#id_purpose"' in summary and 'href="#id_contact_name"' in summary
    assert 'href="#id_items-0-spec_vcpu"' in summary and "第 1 项 · " in summary
