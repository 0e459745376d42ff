"""The main journeys of the foundation, clicked through in a real browser."""

from __future__ import annotations

import base64
import re

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from govcloud.core.roles import Role
from govcloud.workdays.services import calendar_seed_from_package
from tests.browser.conftest import shot
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, username: str, password: str = TEST_PASSWORD) -> None:
    page.goto(page.base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("[data-testid=login-submit]")


def enroll_totp(page) -> None:
    expect(page).to_have_url(re.compile(r"/accounts/otp/setup/$"))
    secret = page.inner_text("[data-testid=totp-secret]").strip()
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    page.fill("#id_token", f"{totp(key):06d}")
    page.get_by_role("button", name=re.compile("确认|Confirm")).click()


def test_department_user_logs_in_sees_their_department_and_switches_language(page, city):
    calendar_seed_from_package(actor=city.user(Role.CENTER_ADMIN))
    user = city.user(Role.DEPARTMENT_APPLICANT, full_name="孙伟", username="sunwei")
    page.goto(page.base + "/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.locator("h2")).to_contain_text("登录")
    shot(page, "login")
    log_in(page, user.username)
    panel = page.locator("[data-testid=panel-department]")
    expect(panel).to_contain_text("甲局")
    expect(page.locator("nav")).to_contain_text("组织机构")
    shot(page, "home-department")
    page.click("nav [data-group=administration] > a")  # 平台管理
    page.click("nav >> text=组织机构")
    expect(page.locator("[data-testid=organization-table]")).to_contain_text("甲局下属单位")
    expect(page.locator("[data-testid=organization-table]")).not_to_contain_text("乙局")
    # Switch to English and back.
    page.click("[data-testid=language-menu]")
    page.click("button[value=en]")
    expect(page.locator("h1")).to_contain_text("Organizations")
    page.click("[data-testid=language-menu]")
    page.click("button[value=zh-hans]")
    expect(page.locator("h1")).to_contain_text("组织机构")
    page.click("[data-testid=user-menu]")
    page.click("[data-testid=logout]")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_center_admin_enrolls_totp_and_reaches_the_center_home(page, city):
    calendar_seed_from_package(actor=city.user(Role.CENTER_ADMIN))
    admin = city.user(Role.CENTER_ADMIN, full_name="王建国", username="wangjianguo")
    city.user(Role.DEPARTMENT_APPLICANT, org=city.dept_b)
    log_in(page, admin.username)
    enroll_totp(page)
    center = page.locator("[data-testid=panel-center]")
    expect(center).to_contain_text("电子政务中心")
    # The ECharts chart rendered from the site's own copy of ECharts.
    expect(page.locator("[data-chart] svg")).to_have_count(1)
    shot(page, "home-center")
    page.click("nav [data-group=administration] > a")  # 平台管理
    page.click("nav >> text=工作日日历")
    expect(page.locator("h1")).to_contain_text("工作日日历")
    page.fill("#id_start", "2025-09-30T10:00")
    page.fill("#id_working_days", "2")
    page.get_by_role("button", name="计算").click()
    expect(page.locator("[data-testid=deadline-result]")).to_contain_text("2025-10-10 17:30")
    shot(page, "calendar")


def test_audit_admin_verifies_the_chain_with_a_progress_bar(page, city):
    auditor = city.user(Role.AUDIT_ADMIN, full_name="林涛", username="lintao")
    log_in(page, auditor.username)
    enroll_totp(page)
    page.click("text=审计日志")
    expect(page.locator("[data-testid=audit-table]")).to_contain_text("totp.enroll")
    page.goto(page.base + "/audit/verify/")
    page.click("[data-testid=verify-start]")
    expect(page.locator("[data-testid=job-progress]")).to_have_attribute("data-status", "succeeded", timeout=20_000)
    expect(page.locator("[data-testid=job-summary]")).to_contain_text("完整")
    shot(page, "audit-verify")


def test_readable_on_a_tablet(browser, live_server, city):
    head = city.user(Role.DEPARTMENT_HEAD, full_name="周强", username="zhouqiang")
    city.user(Role.DEPARTMENT_APPLICANT)
    context = browser.new_context(viewport={"width": 820, "height": 1180}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.base = live_server.url
    log_in(page, head.username)
    toggler = page.locator(".navbar-toggler")
    expect(toggler).to_be_visible()
    expect(page.locator("#gc-nav")).not_to_be_visible()
    toggler.click()
    # Bootstrap's collapse animates ("collapsing") before it settles as "show"; a click during the
    # animation can land on a moving menu.
    expect(page.locator("#gc-nav")).to_have_class(re.compile(r"\bshow\b"))
    group = page.locator("#gc-nav [data-group=administration]")
    group.locator("> a").click()  # 平台管理
    expect(group.locator(".dropdown-menu")).to_be_visible()
    group.locator(".dropdown-menu").get_by_text("用户", exact=True).click()
    # The navigation itself may take longer than an assertion's timeout on a loaded CI machine.
    page.wait_for_url(re.compile(r"/users/$"))
    expect(page.locator("[data-testid=user-table]")).to_be_visible()
    # No sideways scrolling on a tablet.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shot(page, "tablet-users")
    context.close()
