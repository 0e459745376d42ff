"""Every page, opened in a real browser under the site's Content-Security-Policy, runs without a
single violation (the autouse `no_csp_violations` fixture of conftest.py fails the test on any): no
blocked inline script or style, no eval, nothing from another host. Charts are hovered so that
ECharts draws its tooltips too, and the API's pages (browsable API, Swagger UI) are included."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from conftest import login
from govcloud.core.roles import Role
from tests.browser.conftest import shot
from tests.test_isolation import World
from tests.test_pages import _get_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _html_pages(client: Client, world: World, *, api: bool) -> list[str]:
    """The URLs that answer this client with an HTML page (downloads and JSON left out)."""
    urls = []
    for _name, url in _get_pages(world):
        if url.startswith("/api/") != api:
            continue
        response = client.get(url, HTTP_ACCEPT="text/html")
        # 405: an endpoint only a program POSTs to (a back-channel logout), answered with no page.
        if (
            "text/html" in response.get("Content-Type", "")
            and response.status_code < 500
            and response.status_code != 405
        ):
            urls.append(url)
    return urls


def _signed_in_page(browser, live_server, user):
    client = login(Client(), user)
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]  # fmt: skip
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base = live_server.url
    return client, page


def _hover_charts(page) -> None:
    """Move the mouse over every chart so that ECharts shows (and styles) its tooltips."""
    for chart in page.locator("[data-chart]").all():
        expect(chart.locator("svg")).to_have_count(1)
        box = chart.bounding_box()
        for fx in (0.2, 0.35, 0.5, 0.65, 0.8):
            for fy in (0.3, 0.5, 0.7):
                page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
                page.wait_for_timeout(30)


# The center administrator sees every chart page (home, ledger totals, migration, security, finance);
# department A's applicant sees the application form and A's own records.
@pytest.mark.parametrize("role", [Role.CENTER_ADMIN, Role.DEPARTMENT_APPLICANT], ids=str)
def test_every_page_runs_under_the_policy(browser, live_server, city, role, no_csp_violations):
    world = World(city)
    user = world.a_user if role == Role.DEPARTMENT_APPLICANT else city.user(role)
    client, page = _signed_in_page(browser, live_server, user)
    urls = _html_pages(client, world, api=False)
    assert len(urls) > 50, urls
    charts = 0
    for url in urls:
        response = page.goto(page.base + url)
        assert response.headers.get("content-security-policy"), url
        page.wait_for_load_state("load")
        if page.locator("[data-chart]").count():
            charts += 1
            _hover_charts(page)
    assert not no_csp_violations.violations
    assert charts >= (5 if role == Role.CENTER_ADMIN else 0), f"{role}: {charts} pages with charts walked"
    page.context.close()


def test_the_api_pages_run_under_the_policy(browser, live_server, city):
    world = World(city)
    client, page = _signed_in_page(browser, live_server, city.user(Role.CENTER_ADMIN))
    urls = _html_pages(client, world, api=True)
    assert "/api/v1/docs/" in urls
    # Every browsable API page is the same DRF template: the root, a list and a detail page (which
    # adds the edit forms) stand for all of them.
    lists = [u for u in urls if not re.search(r"/\d+/", u) and u.count("/") == 4]
    details = [u for u in urls if re.search(r"/\d+/$", u)]
    for url in ["/api/v1/", lists[0], details[0]]:
        page.goto(page.base + url)
        expect(page.locator(".response-info")).to_be_visible()  # DRF's page, with its response
    # Swagger UI: its start-up code (a script of its own) loaded the schema and drew the operations.
    page.goto(page.base + "/api/v1/docs/")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    page.locator(".swagger-ui .opblock-summary").first.click()
    expect(page.locator(".swagger-ui .opblock-body").first).to_be_visible()
    shot(page, "api-docs")
    page.context.close()


def test_the_page_scripts_work_from_their_static_files(browser, live_server, city):
    """What inline scripts and style= attributes did before now comes from static files."""
    world = World(city)
    _client, page = _signed_in_page(browser, live_server, world.a_user)
    # The application form numbers its item rows, removes one and asks for a new estimate.
    page.goto(page.base + "/applications/new/")
    rows = page.locator("[data-testid=item-row]")
    expect(rows).to_have_count(1)
    page.click("[data-testid=add-item]")
    expect(rows).to_have_count(2)
    expect(page.locator(".gc-row-number")).to_have_text(["1", "2"])
    with page.expect_request(lambda request: "/applications/form/estimate/" in request.url):
        rows.first.locator("[data-testid=remove-item]").click()
    expect(rows).to_have_count(1)
    expect(page.locator(".gc-row-number")).to_have_text(["1"])
    # A finished job's progress bar is full.
    page.goto(page.base + f"/jobs/{world.a_job.pk}/")
    bar = page.locator("[data-testid=job-progress] .progress-bar")
    expect(bar).to_have_attribute("data-progress-percent", "100")
    assert bar.evaluate("el => el.style.width") == "100%"
    assert (
        bar.evaluate("el => el.getBoundingClientRect().width / el.parentElement.getBoundingClientRect().width") > 0.99
    )
    page.context.close()

    _client, admin = _signed_in_page(browser, live_server, city.user(Role.CENTER_ADMIN))
    # The holiday notice form adds a formset row and counts it.
    admin.goto(admin.base + "/workdays/2027/notice/")
    day_rows = admin.locator("#day-rows tbody tr")
    before = day_rows.count()
    total = int(admin.input_value("#id_days-TOTAL_FORMS"))
    admin.click("#add-day-row")
    expect(day_rows).to_have_count(before + 1)
    assert int(admin.input_value("#id_days-TOTAL_FORMS")) == total + 1
    expect(admin.locator(f"#id_days-{total}-start")).to_be_attached()
    # A chart takes the height the server chose (data-chart-height) and draws in it.
    admin.goto(admin.base + "/systems/migration/")
    chart = admin.locator("[data-chart]")
    expect(chart.locator("svg")).to_have_count(1)
    wanted = int(chart.get_attribute("data-chart-height"))
    assert chart.evaluate("el => el.getBoundingClientRect().height") == wanted
    shot(admin, "migration-dashboard-csp")
    admin.context.close()
