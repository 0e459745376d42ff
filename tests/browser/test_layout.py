"""Every role's pages fit an office screen (issue 16 §4): at 1280×800 nothing scrolls sideways and the
bell and the user menu (with 退出登录) are on screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from govcloud.core.roles import TOTP_REQUIRED_ROLES, Role
from tests.browser.conftest import shot
from tests.browser.test_journeys import enroll_totp, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The pages every role has in its navigation, and the longest lists.
PAGES = ["/", "/applications/", "/ledger/"]


def fits(page) -> None:
    width = page.evaluate("window.innerWidth")
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width + 1, f"{page.url}: {scroll} px wide in a {width} px window"
    for testid in ("user-menu", "language-menu"):
        box = page.locator(f"[data-testid={testid}]").bounding_box()
        assert box is not None and box["x"] + box["width"] <= width, f"{page.url}: {testid} off-screen"
    # The bell is swapped in by HTMX after the page loads: measure the swapped-in one (the first may be
    # detached while it is measured).
    expect(page.locator("[data-testid=notification-bell]")).to_be_visible()
    bell = page.locator("[data-testid=notification-bell]").bounding_box()
    assert bell is not None and bell["x"] + bell["width"] <= width, f"{page.url}: the bell is off-screen"


@pytest.mark.parametrize("size", [(1280, 800), (1440, 900)])
def test_every_role_fits_an_office_screen(browser, live_server, city, size):
    width, height = size
    for role in Role:
        user = city.user(role, username=f"fit_{role.value}")
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        page = context.new_page()
        page.base = live_server.url
        log_in(page, user.username)
        if role in TOTP_REQUIRED_ROLES:
            enroll_totp(page)
        expect(page.locator("[data-testid=user-menu]")).to_be_visible()
        for path in PAGES:
            page.goto(page.base + path)
            fits(page)
        if role == Role.CENTER_ADMIN:
            page.goto(page.base + "/")
            shot(page, f"navbar-center-admin-{width}")
        context.close()
