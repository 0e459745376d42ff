"""Issue 12 in a real browser: every POST form gets a per-page-load idempotency key from
web/forms.js, so the same form sent twice (a double click, a resend after a lost connection) makes
one draft application, not two."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from govcloud.applications.models import Application
from govcloud.applications.tests.helpers import HOST_SPEC, seed_catalog
from govcloud.core.actors import SYSTEM
from govcloud.core.roles import Role
from govcloud.workdays.services import calendar_seed_from_package
from tests.browser.test_application_journeys import choose, compliant_system
from tests.browser.test_compliance_journeys import new_page
from tests.browser.test_journeys import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def test_the_application_form_sent_twice_makes_one_draft(browser, live_server, city):
    calendar_seed_from_package(actor=SYSTEM)
    seed_catalog()
    applicant = city.user(Role.DEPARTMENT_APPLICANT, username="dept_applicant", full_name="孙伟", phone="0523-86831234")
    system = compliant_system(city.dept_a)

    page = new_page(browser, live_server)
    log_in(page, applicant.username)
    page.goto(page.base + "/applications/new/")
    form = page.locator("#application-form")
    key = form.locator("input[name=idempotency_key]").input_value()
    assert UUID.match(key), key
    # Each POST form of the page has its own key (the language switch, the log-out form).
    keys = page.eval_on_selector_all("form[method=post] input[name=idempotency_key]", "els => els.map(e => e.value)")
    assert len(keys) >= 2 and len(set(keys)) == len(keys)

    choose(page, "#id_system", system.pk)
    page.check("#id_environment_0")
    page.fill("#id_purpose", "双击提交测试")
    page.fill("#id_requested_date", (timezone.localdate() + timedelta(days=10)).isoformat())
    host = page.locator("#id_items-0-catalog_item option", has_text="云主机").get_attribute("value")
    choose(page, "#id_items-0-catalog_item", host)
    expect(page.locator("#id_items-0-spec_vcpu")).to_be_visible()
    for name in ("vcpu", "memory_gb", "disk_type", "os_image"):
        choose(page, f"#id_items-0-spec_{name}", HOST_SPEC[name])
    page.fill("#id_items-0-spec_system_disk_gb", str(HOST_SPEC["system_disk_gb"]))
    page.fill("#id_items-0-spec_data_disk_gb", str(HOST_SPEC["data_disk_gb"]))

    # The browser sends the same form twice at once (what a resend after a lost answer does).
    statuses = page.evaluate(
        """async () => {
            const form = document.getElementById("application-form");
            const send = () => fetch(form.action || location.href, {
                method: "POST", body: new FormData(form), redirect: "manual", credentials: "same-origin",
            }).then(r => r.status);
            return Promise.all([send(), send()]);
        }"""
    )
    assert statuses == [0, 0]  # both answered with the redirect to the draft (opaque to fetch)
    assert Application.objects.count() == 1

    # A double click on the button: it is disabled after the first, and the server makes one draft.
    page.locator("[data-testid=save-draft]").dblclick()
    expect(page.locator("[data-testid=application-state]")).to_have_attribute("data-state", "draft")
    assert Application.objects.count() == 1


def test_a_button_that_asks_htmx_is_disabled_until_answered(browser, live_server, city):
    """Issue 16 §4: "add an item" clicked twice before the first row arrived added two rows with the
    same index (the button carries the next index and is replaced with the answer)."""
    calendar_seed_from_package(actor=SYSTEM)
    seed_catalog()
    applicant = city.user(Role.DEPARTMENT_APPLICANT, username="dept_applicant", full_name="孙伟")
    compliant_system(city.dept_a)
    page = new_page(browser, live_server)
    log_in(page, applicant.username)
    page.goto(page.base + "/applications/new/")
    rows = page.get_by_test_id("item-row")
    expect(rows).to_have_count(1)

    # The answer is held back: while it is on its way the button is disabled.
    held = []
    page.route(re.compile(r"/applications/form/row/"), lambda route: held.append(route))
    page.get_by_test_id("add-item").click()
    page.wait_for_function("() => document.querySelector('[data-testid=add-item]').disabled")
    page.get_by_test_id("add-item").dispatch_event("click")  # a second click reaches a disabled button
    page.wait_for_timeout(300)
    assert len(held) == 1
    held[0].continue_()
    page.unroute(re.compile(r"/applications/form/row/"))
    expect(rows).to_have_count(2)
    expect(page.get_by_test_id("add-item")).to_be_enabled()

    # A double click adds exactly one row, and every field name stays unique.
    page.get_by_test_id("add-item").dblclick()
    expect(rows).to_have_count(3)
    page.wait_for_timeout(500)
    expect(rows).to_have_count(3)
    names = page.eval_on_selector_all("#application-form [name^=items-]", "els => els.map(e => e.name)")
    assert len(names) == len(set(names))
