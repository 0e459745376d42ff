"""Issue 13 §1's utilization table in a real browser: the provider's operations engineer downloads
the template, uploads a messy 资源利用情况表 (merged title, shuffled Chinese headers, subtotal rows,
85% / 0.85 / full-width digits, text dates and Excel serials), follows the import's progress to
its end and downloads the error report, which reads back with the reason beside each rejected
row."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from govcloud.core.roles import Role
from govcloud.monitoring.models import ImportBatch, Sample
from govcloud.monitoring.tests.conftest import TZ, host
from govcloud.monitoring.tests.workbooks import ACCEPTED, HEADERS, REJECTED, SKIPPED, messy_workbook
from tests.browser.conftest import ARTIFACTS, shot
from tests.browser.test_journeys import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_provider_uploads_a_messy_table_and_reads_its_error_report(page, city, tmp_path):
    # The workbook's November times, moved to today's clock by whole days.
    shift = timedelta(days=(timezone.localdate() - date(2026, 12, 5)).days)
    since = datetime(2026, 11, 1, 9, 0, tzinfo=TZ) + shift
    web = host(city.dept_a, "门户网站应用服务器", since=since)
    other = host(city.dept_b, "乙局业务服务器", since=since)
    engineer = city.user(Role.PROVIDER_OPERATOR, username="yunwei", full_name="赵运维")
    table = tmp_path / "11月资源利用情况表.xlsx"
    table.write_bytes(messy_workbook(web.code, other.code, shift=shift))

    log_in(page, engineer.username)
    page.goto(page.base + "/monitoring/imports/")
    expect(page.locator("h1")).to_contain_text("导入利用情况表")
    with page.expect_download() as info:
        page.click("[data-testid=import-template]")
    assert info.value.suggested_filename.endswith(".xlsx")
    template = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))
    assert template.sheetnames == ["资源利用情况表", "填写说明"]

    page.set_input_files("#id_file", str(table))
    page.click("[data-testid=import-submit]")
    progress = page.locator("[data-testid=import-progress]")
    expect(progress).to_have_attribute("data-state", "done")
    expect(page.locator("[data-testid=import-accepted]")).to_have_text(str(len(ACCEPTED)))
    expect(page.locator("[data-testid=import-rejected]")).to_have_text(str(len(REJECTED)))
    expect(page.locator("[data-testid=import-skipped]")).to_have_text(str(len(SKIPPED)))
    expect(page.locator("[data-testid=import-rejections] tbody tr")).to_have_count(len(REJECTED))
    expect(page.locator("[data-testid=import-rejections]")).to_contain_text("资源台账中无此资源")
    page.set_viewport_size({"width": 1280, "height": 900})
    shot(page, "utilization-import-detail")

    with page.expect_download() as info:
        page.click("[data-testid=import-error-report]")
    assert info.value.suggested_filename.endswith(".xlsx") and "错误报告" in info.value.suggested_filename
    content = Path(info.value.path()).read_bytes()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "utilization-import-error-report.xlsx").write_bytes(content)
    sheet = load_workbook(io.BytesIO(content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert "错误报告" in rows[0][0]
    assert rows[1] == ["原行号", *HEADERS, "错误原因"]
    assert [r[0] for r in rows[2:]] == sorted(REJECTED)
    assert all(r[-1] for r in rows[2:])
    batch = ImportBatch.objects.get()
    assert batch.samples_accepted == Sample.objects.count() > 0

    # The list shows the batch with its counts.
    page.goto(page.base + "/monitoring/imports/")
    expect(page.locator("[data-testid=import-row]")).to_have_count(1)
    expect(page.locator("[data-testid=import-row]")).to_contain_text("导入完成")
