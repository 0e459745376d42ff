"""Issue 16 §3 in a real browser (Art. 18): a termination with certified destruction. The provider's
operator uploads the destruction certificate on the termination work order; the department head
opens the order, downloads nothing blindly — the certificate is linked — and confirms it; the
order completes and the resource's service ends. Screenshotted at 1280 px, with and without the
confirmation."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from govcloud.applications import services as app_services
from govcloud.applications.models import ApplicationKind, ApplicationState
from govcloud.applications.tests.helpers import (
    PDF,
    advance,
    in_service_resource,
    new_application,
)
from govcloud.delivery import services as delivery
from govcloud.delivery.models import WorkOrder, WorkOrderState
from govcloud.ledger.models import ResourceState
from tests.browser.conftest import shot
from tests.browser.test_journeys import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def office_page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base = live_server.url
    return page


def fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1280, f"{page.url} is {width}px wide at 1280px"


def test_provider_uploads_the_certificate_department_confirms_order_completes(browser, live_server, wf, tmp_path):
    resource = in_service_resource(wf)
    app = new_application(
        wf,
        kind=ApplicationKind.TERMINATION,
        rows=[app_services.ItemInput(target_resource=resource)],
        termination_mode="destruction",
        termination_date=date.today(),
    )
    app = advance(wf, app, ApplicationState.IN_DELIVERY)
    order = WorkOrder.objects.get(application=app)
    delivery.work_order_claim(actor=wf.provider, work_order=order)
    certificate = tmp_path / "数据销毁证明-XH-2026-011.pdf"
    certificate.write_bytes(PDF)

    ops = office_page(browser, live_server)
    log_in(ops, wf.provider.username)
    ops.goto(ops.base + f"/work-orders/{order.pk}/")
    expect(ops.locator("[data-testid=complete]")).to_have_count(0)
    ops.fill("#id_statement", "2026年12月5日对云主机系统盘、数据盘三遍覆写后删除，销毁证明编号 XH-2026-011。")
    ops.set_input_files("#id_document", str(certificate))
    ops.click("[data-testid=submit-evidence]")
    expect(ops.locator("[data-testid=evidence-state]")).to_contain_text("待使用单位确认")
    expect(ops.locator("[data-testid=evidence-file]")).to_contain_text("XH-2026-011")
    fits(ops)
    shot(ops, "termination-certificate-submitted-1280")

    dept = office_page(browser, live_server)
    log_in(dept, wf.head.username)
    dept.goto(dept.base + f"/work-orders/{order.pk}/")
    expect(dept.locator("[data-testid=evidence-file]")).to_be_visible()
    dept.fill("#id_comment", "证明编号与交接清单一致，确认销毁。")
    dept.click("[data-testid=confirm-evidence]")
    expect(dept.locator("[data-testid=evidence-state]")).to_contain_text("使用单位已确认")
    expect(dept.locator("[data-testid=evidence-decision]")).to_contain_text(wf.head.full_name)
    expect(dept.locator("[data-testid=work-order-log]")).to_contain_text("XH-2026-011")
    fits(dept)
    shot(dept, "termination-certificate-confirmed-1280")

    order.refresh_from_db()
    resource.refresh_from_db()
    assert order.state == WorkOrderState.COMPLETED and resource.state == ResourceState.TERMINATED
    dept.goto(dept.base + f"/ledger/resources/{resource.pk}/")
    expect(dept.locator("body")).to_contain_text("XH-2026-011")
