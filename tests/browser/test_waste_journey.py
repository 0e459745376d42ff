"""Issue 13 §3 in a real browser: a department opens its utilization page, goes to its rightsizing
advice, reads the numbers and the 30-day chart (ECharts under the site's CSP), accepts the advice
with one click and lands on the change application's form pre-filled with the recommended size."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from govcloud.catalog.tests.helpers import price_list_in_effect
from govcloud.core.actors import SYSTEM
from govcloud.core.roles import Role
from govcloud.waste import services
from govcloud.waste.tests.helpers import daily_peaks, host_from_application
from tests.browser.conftest import shot
from tests.browser.test_journeys import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_department_accepts_a_rightsizing_advice(page, city):
    from django.utils import timezone

    price_list_in_effect(effective_from=timezone.localdate().replace(day=1))
    user = city.user(
        Role.DEPARTMENT_APPLICANT, org=city.dept_a, username="jia_applicant", full_name="吴静", phone="13800000001"
    )
    web = host_from_application(city.dept_a, user, name="门户网站应用服务器")
    daily_peaks(web, [9.0 + (i * 7) % 12 for i in range(30)], [18.0 + (i * 5) % 12 for i in range(30)])
    [advice] = services.advice_generate(actor=SYSTEM).created
    assert (advice.recommended_vcpu, advice.recommended_memory_gb) == (4, 8)

    log_in(page, user.username)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(page.base + "/monitoring/")
    page.click("[data-testid=advice-list-link]")
    expect(page.locator("[data-testid=advice-row]")).to_have_count(1)
    expect(page.locator("[data-testid=advice-saving-total]")).to_contain_text("340.00")
    page.click("[data-testid=advice-link]")
    expect(page.locator("[data-testid=advice-vcpu]")).to_have_text("4")
    expect(page.locator("[data-testid=advice-memory]")).to_have_text("8")
    expect(page.locator("[data-testid=advice-chart] svg")).to_have_count(1)
    shot(page, "waste-advice-detail")

    page.click("[data-testid=advice-accept]")
    expect(page).to_have_url(re.compile(r"/applications/\d+/edit/$"))
    expect(page.locator("body")).to_contain_text(web.code)
    vcpu = page.locator("select[name$=spec_vcpu]")
    expect(vcpu).to_have_value("4")
    expect(page.locator("select[name$=spec_memory_gb]")).to_have_value("8")
    shot(page, "waste-change-application")
