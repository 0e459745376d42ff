"""Playwright driving Debian's Chromium (never a downloaded browser) against a live server.

Every page any browser test opens runs under the site's real Content-Security-Policy, and the test
fails on any violation: a blocked inline script, style, eval or foreign resource is a page that
works in a test client but is broken (or half-styled) in a browser."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from govcloud.applications.tests.helpers import wf  # noqa: F401  (the workflow fixture, for journeys)

CHROMIUM = "/usr/bin/chromium"
# The address of a running deployment (scripts/stack.sh: nginx with a self-signed certificate in front
# of gunicorn) for the journeys marked `stack`, which use its demo data instead of a live test server.
E2E_BASE_URL = os.environ.get("GOVCLOUD_E2E_BASE_URL", "").rstrip("/")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# Runs in every page and frame before the page's own code; Playwright injects it outside the page's
# CSP. The event carries what was blocked and where.
_REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (e) {
  window.__gcCspViolation([e.effectiveDirective, e.blockedURI || "inline", e.sourceFile + ":" + e.lineNumber,
                           e.sample].join(" | "));
});
"""


class CspWatch:
    """Collects CSP violations from every browser context the tests open: the
    `securitypolicyviolation` events, and Chromium's console lines ("Refused to …") as a second
    witness for anything the event misses."""

    def __init__(self) -> None:
        self.violations: list[str] = []

    def attach(self, context) -> None:
        context.expose_binding("__gcCspViolation", self._on_event)
        context.add_init_script(_REPORT_VIOLATIONS)
        context.on("console", self._on_console)

    def _on_event(self, source, detail: str) -> None:
        self.violations.append(f"{source['page'].url}: {detail}")

    def _on_console(self, message) -> None:
        if "Content Security Policy" in message.text or message.text.startswith("Refused to"):
            page = message.page.url if message.page else "?"
            self.violations.append(f"{page}: console: {message.text}")


CSP = CspWatch()


class WatchedBrowser:
    """The browser, with every new context watched for CSP violations (tests open contexts of
    their own for second users)."""

    def __init__(self, browser) -> None:
        self._browser = browser

    def new_context(self, **kwargs):
        if E2E_BASE_URL:  # the stack's certificate is self-signed, made when it started
            kwargs.setdefault("ignore_https_errors", True)
        context = self._browser.new_context(**kwargs)
        CSP.attach(context)
        return context

    def __getattr__(self, name):
        return getattr(self._browser, name)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's Chromium is missing: `make test` installs it (apt-get install chromium)")
    # Playwright's sync API keeps an event loop running in this thread while the browser lives; the
    # tests (and the database flush after each) still use the ORM synchronously from this thread.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-quic",
                "--no-first-run",
            ],
        )
        yield WatchedBrowser(browser)
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture(autouse=True)
def no_csp_violations():
    CSP.violations.clear()
    yield CSP
    assert not CSP.violations, "Content-Security-Policy violations:\n" + "\n".join(CSP.violations)


@pytest.fixture
def site_url(request) -> str:
    """Where the browser goes: the deployment at GOVCLOUD_E2E_BASE_URL for a journey marked `stack`
    (skipped without it), else a live server on the test database."""
    if request.node.get_closest_marker("stack"):
        if not E2E_BASE_URL:
            pytest.skip("needs GOVCLOUD_E2E_BASE_URL (a running scripts/stack.sh with demo data)")
        return E2E_BASE_URL
    return request.getfixturevalue("live_server").url


@pytest.fixture
def page(browser, site_url):
    context = browser.new_context(viewport={"width": 1366, "height": 860}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base = site_url
    yield page
    context.close()


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
