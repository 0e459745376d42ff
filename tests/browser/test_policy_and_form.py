"""Issue 16 §1–2 in a real browser at 1280 px: the center administrator types a new limit on the
policy page and sees, before saving, what it does to the open applications; the department
downloads its application form, laid out in the background with a progress bar."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from govcloud.applications import services
from govcloud.applications.models import Environment
from govcloud.applications.tests.helpers import host_row, seed_catalog
from govcloud.core.roles import Role
from govcloud.workdays.services import calendar_seed_from_package
from tests.browser.conftest import shot
from tests.browser.test_application_journeys import compliant_system
from tests.browser.test_journeys import enroll_totp, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.base = live_server.url
    return page


def test_the_policy_preview_and_the_form_in_the_background(browser, live_server, city):
    admin = city.user(Role.CENTER_ADMIN, username="center_boss", full_name="王建国")
    calendar_seed_from_package(actor=admin)
    seed_catalog()
    applicant = city.user(Role.DEPARTMENT_APPLICANT, org=city.dept_a, username="dept_applicant", full_name="孙伟")
    system = compliant_system(city.dept_a)
    app = services.application_create(
        actor=applicant,
        system=system,
        purpose="一网通办扩容",
        environment=Environment.TEST,
        contact_name="孙伟",
        contact_phone="0523-86830001",
        items=[host_row(1)],
        requested_ports="443/TCP",
    )
    services.application_submit(actor=applicant, application=app)

    page = _page(browser, live_server)
    log_in(page, "center_boss")
    enroll_totp(page)
    page.goto(page.base + "/policies/")
    row = page.locator('tr[data-key="acceptance_working_days"]')
    expect(row.get_by_test_id("policy-impact")).to_contain_text("按新值计算")
    field = row.locator("input[name=value]")
    field.fill("3")
    preview = row.get_by_test_id("policy-preview")
    expect(preview).to_contain_text("1 → 3")
    expect(preview).to_contain_text("件在办申请不受影响")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    shot(page, "policy-preview-1280")
    row.get_by_role("button").click()
    expect(page.locator('tr[data-key="acceptance_working_days"]')).to_contain_text("王建国")
    shot(page, "policy-saved-1280")
    page.context.close()

    page = _page(browser, live_server)
    log_in(page, "dept_applicant")
    page.goto(page.base + f"/applications/{app.pk}/")
    expect(page.get_by_test_id("ports")).to_contain_text("443/TCP")
    page.get_by_test_id("download-pdf").click()
    expect(page.get_by_test_id("pdf-ready")).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("pdf-ready")).to_have_attribute(
        "href", re.compile(rf"/forms/applications/{app.pk}\.pdf$")
    )
    shot(page, "application-pdf-ready-1280")
    page.context.close()
