"""Issue 14 §2 in a real browser (Art. 12): the provider schedules a maintenance window from the
Operations menu and submits it; the center approves it; the affected department sees it on its home
page and reads the notice. The page with a department's windows and the agenda are screenshotted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from govcloud.core.roles import Role
from govcloud.ledger.tests.helpers import adopt
from govcloud.maintenance.models import MaintenanceWindow, WindowState
from tests.browser.conftest import shot
from tests.browser.test_compliance_journeys import new_page
from tests.browser.test_journeys import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_provider_schedules_center_approves_department_is_told(browser, live_server, city):
    provider = city.user(Role.PROVIDER_OPERATOR, username="provider_ops", full_name="陈立新")
    reviewer = city.user(Role.CENTER_REVIEWER, username="reviewer", full_name="李敏")
    head = city.user(Role.DEPARTMENT_HEAD, username="dept_head", full_name="王芳")
    resource = adopt(city.dept_a, name="预约挂号平台应用服务器")
    start = timezone.localtime() + timedelta(days=5)
    start = start.replace(hour=22, minute=0, second=0, microsecond=0)

    ops = new_page(browser, live_server)
    log_in(ops, provider.username)
    ops.click("nav [data-group=operations] > a")
    ops.click("nav [data-group=operations] a[href='/maintenance/upcoming/']")
    ops.click("text=新建维护窗口")
    ops.fill("#id_title", "政务外网核心交换机固件升级")
    ops.fill("#id_start", f"{start:%Y-%m-%dT%H:%M}")
    ops.fill("#id_end", f"{start + timedelta(hours=3):%Y-%m-%dT%H:%M}")
    ops.fill("#id_impact", "升级期间政务外网中断两次，每次约 5 分钟。")
    ops.fill("#id_resource_codes", resource.code)
    ops.locator("[data-testid=window-form] button[type=submit]").click()
    expect(ops.locator("[data-testid=window-state] [data-state]")).to_have_attribute("data-state", "draft")
    ops.click("[data-testid=submit]")
    expect(ops.locator("[data-testid=window-state] [data-state]")).to_have_attribute("data-state", "submitted")
    shot(ops, "maintenance-window-submitted")

    window = MaintenanceWindow.objects.get()
    center = new_page(browser, live_server)
    log_in(center, reviewer.username)
    center.goto(center.base + f"/maintenance/{window.pk}/")
    center.fill("#id_comment", "同意，请提前做好回退预案。")
    center.click("[data-testid=approve]")
    expect(center.locator("[data-testid=window-state] [data-state]")).to_have_attribute("data-state", "approved")
    expect(center.locator("[data-testid=timeline]")).to_contain_text("李敏")
    shot(center, "maintenance-window-approved")

    dept = new_page(browser, live_server)
    log_in(dept, head.username)
    expect(dept.locator("[data-testid=home-maintenance]")).to_contain_text("政务外网核心交换机固件升级")
    dept.locator("[data-testid=home-maintenance] a").first.click()
    expect(dept.locator("[data-testid=resources]")).to_contain_text(resource.code)
    expect(dept.locator("[data-testid=window-decision]")).to_have_count(0)
    dept.goto(dept.base + "/maintenance/upcoming/")
    expect(dept.locator("[data-testid=upcoming-window]")).to_have_count(1)
    shot(dept, "maintenance-upcoming-department")
    dept.goto(dept.base + "/maintenance/")
    shot(dept, "maintenance-list-department")
    assert MaintenanceWindow.objects.get().state == WindowState.APPROVED
