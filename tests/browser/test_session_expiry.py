"""Issue 16 §4 in a real browser: before the idle logout a warning offers "继续办理"; once the
session has ended, the login page says so and, after logging in again, the person is back on the
form with what they had typed (web/session.js). The page's clock is Playwright's, moved forward."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from govcloud.applications.tests.helpers import seed_catalog
from govcloud.core.actors import SYSTEM
from govcloud.core.roles import Role
from govcloud.workdays.services import calendar_seed_from_package
from tests.browser.test_compliance_journeys import new_page
from tests.browser.test_journeys import log_in
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_idle_warning_keeps_the_session_and_an_expired_one_keeps_the_form(browser, live_server, city):
    calendar_seed_from_package(actor=SYSTEM)
    seed_catalog()
    applicant = city.user(Role.DEPARTMENT_APPLICANT, username="dept_applicant", full_name="孙伟")
    from tests.browser.test_application_journeys import compliant_system

    compliant_system(city.dept_a)
    idle = settings.SESSION_COOKIE_AGE
    lead = settings.SESSION_WARNING_MINUTES * 60

    page = new_page(browser, live_server)
    log_in(page, applicant.username)
    page.clock.install()
    page.goto(page.base + "/applications/new/")
    page.fill("#id_purpose", "会话过期前填写的用途说明")
    page.fill("#id_contact_phone", "0523-86830099")

    # A few minutes before the end: the warning, and "继续办理" keeps the session.
    page.clock.fast_forward((idle - lead) * 1000)
    warning = page.get_by_test_id("session-warning")
    expect(warning).to_be_visible()
    with page.expect_response(re.compile(r"/accounts/session/keep-alive/$")) as answer:
        warning.get_by_role("button", name="继续办理").click()
    assert answer.value.status == 204
    expect(warning).to_be_hidden()

    # Left alone past the limit: signed out, told why, and the form comes back after logging in.
    page.clock.fast_forward((idle + 5) * 1000)
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=%2Fapplications%2Fnew%2F&expired=1$"))
    expect(page.get_by_test_id("session-expired")).to_contain_text("会话已过期，请重新登录")
    page.fill("#id_username", applicant.username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("[data-testid=login-submit]")
    expect(page).to_have_url(re.compile(r"/applications/new/$"))
    expect(page.locator("#id_purpose")).to_have_value("会话过期前填写的用途说明")
    expect(page.locator("#id_contact_phone")).to_have_value("0523-86830099")
    expect(page.get_by_test_id("draft-restored")).to_be_visible()

    # Once the form has been sent and the person moves on, the draft is dropped: a new form starts empty.
    page.get_by_test_id("save-draft").click()
    page.goto(page.base + "/applications/new/")
    expect(page.locator("#id_purpose")).to_have_value("")
