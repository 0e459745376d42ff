"""Issue 15's journey in a real browser: the center computes last quarter's provider assessment,
drills from the responsiveness score to the late work order behind it and from availability to its
outages; the provider disputes an indicator; the center adjusts it with a reason and finalizes; the
PDF is downloaded and checked. Then the center's supervision of departments."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from govcloud.applications.tests.helpers import wf  # noqa: F401  (the workflow fixture)
from govcloud.assessment import services
from govcloud.assessment.tests.helpers import at, incident
from govcloud.assessment.tests.test_indicators import _orders
from govcloud.core.actors import SYSTEM
from govcloud.delivery.models import WorkOrder, WorkOrderState
from govcloud.ledger.models import Resource, ResourceState
from govcloud.ledger.tests.helpers import adopt
from govcloud.maintenance.models import MaintenanceWindow, WindowState
from tests.browser.conftest import shot
from tests.browser.test_journeys import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Q3 = ("2026-07-01", "2026-09-30")
WIDE = {"width": 1280, "height": 900}


def _quarter(wf):  # noqa: F811
    services.scheme_seed_default(actor=SYSTEM)
    first, second, third = _orders(wf, 3)
    for order, created, done, due in [
        (first, date(2026, 7, 6), date(2026, 7, 7), date(2026, 7, 8)),
        (second, date(2026, 7, 10), date(2026, 7, 20), date(2026, 7, 14)),  # six days late
        (third, date(2026, 8, 3), date(2026, 8, 4), date(2026, 8, 5)),
    ]:
        WorkOrder.objects.filter(pk=order.pk).update(
            state=WorkOrderState.COMPLETED, created_at=at(created), completed_at=at(done), due_at=at(due, 17, 30)
        )
    org = wf.city.dept_a
    r1, r2 = adopt(org, name="门户网站服务器"), adopt(org, name="审批系统数据库")
    Resource.objects.filter(pk__in=[r1.pk, r2.pk]).update(
        in_service_at=at(date(2026, 5, 1)), state=ResourceState.IN_SERVICE
    )
    day = date(2026, 8, 10)
    outage = incident(
        org, reported=at(day, 10), answered_after=timedelta(minutes=3), recovered_after=timedelta(hours=1)
    )
    outage.resources.add(r1)
    window = MaintenanceWindow.objects.create(
        title="数据库升级", state=WindowState.APPROVED, start=at(day, 10), end=at(day, 10, 30), impact="短暂中断"
    )
    window.resources.add(r1)
    blip = incident(
        org, reported=at(date(2026, 9, 2), 9), answered_after=timedelta(minutes=1), recovered_after=timedelta(minutes=3)
    )
    blip.resources.add(r2)
    return second


def test_center_assesses_the_quarter_provider_disputes_center_adjusts_and_finalizes(browser, live_server, wf):  # noqa: F811
    late = _quarter(wf)
    center_ctx = browser.new_context(viewport=WIDE, locale="zh-CN", accept_downloads=True)
    page = center_ctx.new_page()
    page.set_default_timeout(20_000)
    page.base = live_server.url

    log_in(page, wf.reviewer.username)
    page.goto(page.base + "/assessment/")
    page.fill("#id_period_start", Q3[0])
    page.fill("#id_period_end", Q3[1])
    page.click("[data-testid=run-form] button[type=submit]")
    expect(page.locator("[data-testid=assessment-state]")).to_be_visible()
    row = page.locator("[data-testid=result-delivery_on_time]")
    expect(row).to_contain_text("66.67")
    detail_url = page.url
    shot(page, "assessment-detail")

    # From the responsiveness score to the late work order behind it.
    page.click("[data-testid=flagged-delivery_on_time]")
    expect(page.locator("[data-testid=evidence-row]")).to_have_count(1)
    expect(page.locator("[data-testid=evidence]")).to_contain_text(late.number)
    shot(page, "assessment-evidence-late-work-orders")

    # Availability: the outage net of the maintenance window; the 3-minute blip is left out.
    page.goto(detail_url)
    page.locator("[data-testid=result-availability] a").first.click()
    tables = page.locator("[data-testid=breakdown]")
    expect(tables).to_have_count(3)
    expect(tables.nth(2)).to_contain_text("30")
    expect(page.locator("body")).to_contain_text("1 次较短中断未计入")
    shot(page, "assessment-availability-drilldown")

    # The provider disputes the delivery indicator.
    provider_ctx = browser.new_context(viewport=WIDE, locale="zh-CN")
    provider = provider_ctx.new_page()
    provider.set_default_timeout(20_000)
    provider.base = live_server.url
    log_in(provider, wf.provider.username)
    provider.goto(detail_url)
    form = provider.locator("form[action$='/dispute/']").filter(
        has=provider.locator("input[name=key][value=delivery_on_time]")
    )
    form.locator("textarea").fill("该工单因部门未及时提供网络信息而延误，申请复核。")
    form.locator("button").click()
    expect(provider.locator("[data-testid=timeline]")).to_contain_text("申请复核")
    provider_ctx.close()

    # The center adjusts with a reason and finalizes; the PDF report downloads.
    page.goto(detail_url)
    expect(page.locator("body")).to_contain_text("申请复核")
    form = page.locator("form[action$='/adjust/']").filter(has=page.locator("input[name=key][value=delivery_on_time]"))
    form.locator("input[name=score]").fill("90")
    form.locator("input[name=reason]").fill("经核实，延误部分因部门原因，酌情调整。")
    form.locator("button").click()
    expect(page.locator("[data-testid=result-delivery_on_time]")).to_contain_text("90")
    page.click("[data-testid=finalize]")
    expect(page.locator("[data-testid=assessment-state]")).to_contain_text("已定稿")
    with page.expect_download() as info:
        page.click("[data-testid=pdf]")
    pdf = info.value.path().read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 2000
    shot(page, "assessment-finalized")

    page.goto(page.base + "/assessment/supervision/")
    expect(page.locator("[data-testid=supervision-row]").first).to_be_visible()
    shot(page, "assessment-supervision")
    center_ctx.close()
