"""The main journeys through the production-shaped stack (scripts/stack.sh): https through nginx with
its self-signed certificate, two gunicorn processes, PostgreSQL, the Redis task workers and the
scheduler, on the demo city (`manage.py load_demo --force`). Run by .ci/run's stack step:

    GOVCLOUD_E2E_BASE_URL=$(scripts/stack.sh url) .venv/bin/pytest -n 0 -p no:randomly -m stack tests/browser

Unlike the other browser journeys these touch no test database: every record is made through the
pages, as the demo's people (their password is the demo's), so the order of the journeys matters
only in that each leaves the demo as a person would."""

from __future__ import annotations

import base64
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from govcloud.applications.tests.helpers import HOST_SPEC
from govcloud.web.demo import DEMO_PASSWORD
from tests.browser.conftest import ARTIFACTS, shot
from tests.browser.test_application_journeys import choose, settled

pytestmark = [pytest.mark.browser, pytest.mark.stack]


def _secret_file(page, username: str) -> Path:
    port = urlsplit(page.base).port
    return ARTIFACTS / f"stack-{port}-{username}.totp"


def _code(secret: str) -> str:
    return f"{totp(base64.b32decode(secret + '=' * (-len(secret) % 8))):06d}"


def log_in(page, username: str) -> None:
    """Logs in as a demo user; a user who needs TOTP enrolls at the first login (the secret is kept
    beside the screenshots, for a second run against the same stack) and verifies after that."""
    page.goto(page.base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_load_state()
    path = urlsplit(page.url).path
    if path == "/accounts/otp/setup/":
        secret = page.inner_text("[data-testid=totp-secret]").strip()
        ARTIFACTS.mkdir(exist_ok=True)
        _secret_file(page, username).write_text(secret)
        page.fill("#id_token", _code(secret))
        page.get_by_role("button", name=re.compile("确认|Confirm")).click()
    elif path == "/accounts/otp/":
        page.fill("#id_token", _code(_secret_file(page, username).read_text().strip()))
        page.locator("form button[type=submit]").first.click()
    expect(page).not_to_have_url(re.compile(r"/accounts/(login|otp)/"))


def new_page(browser, base: str):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.base = base
    return page


def test_through_nginx_a_department_user_logs_in_and_switches_language(page):
    log_in(page, "gaj_applicant")
    expect(page.locator("[data-testid=panel-department]")).to_contain_text("公安局")
    # The pages come from Django behind the TLS proxy: it knows the request was https.
    response = page.request.get(page.base + "/")
    assert response.status == 200
    assert "max-age" in response.headers.get("strict-transport-security", "")
    # Static files come from nginx itself, compressed and cached for good.
    css = page.locator("link[rel=stylesheet]").first.get_attribute("href")
    static = page.request.get(page.base + css, headers={"Accept-Encoding": "gzip"})
    assert static.status == 200 and static.headers.get("server") == "nginx"
    assert "immutable" in static.headers.get("cache-control", "")
    page.click("[data-testid=language-menu]")
    page.click("button[value=en]")
    expect(page.locator("[data-testid=panel-department]")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", re.compile("^en"))
    page.click("[data-testid=language-menu]")
    page.click("button[value=zh-hans]")
    expect(page.locator("html")).to_have_attribute("lang", re.compile("^zh"))
    page.click("[data-testid=user-menu]")
    page.click("[data-testid=logout]")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_an_application_approved_and_delivered_by_the_task_workers(browser, page):
    """Form → head's sign-off → center accepts → administrator approves; the cloud host's work order
    is carried out by a Redis worker (libvirt driver, test hypervisor); the department accepts."""
    log_in(page, "gaj_applicant")
    page.goto(page.base + "/applications/new/")
    system = page.locator("#id_system option", has_text="出入境证件办理系统").get_attribute("value")
    choose(page, "#id_system", system)
    page.check("#id_environment_0")
    page.fill("#id_purpose", "出入境证件办理系统上云：应用服务器一台（生产部署验证）。")
    host = page.locator("#id_items-0-catalog_item option", has_text="云主机").get_attribute("value")
    choose(page, "#id_items-0-catalog_item", host)
    expect(page.locator("#id_items-0-spec_vcpu")).to_be_visible()
    page.fill("#id_items-0-quantity", "1")
    choose(page, "#id_items-0-spec_vcpu", HOST_SPEC["vcpu"])
    choose(page, "#id_items-0-spec_memory_gb", HOST_SPEC["memory_gb"])
    choose(page, "#id_items-0-spec_disk_type", HOST_SPEC["disk_type"])
    choose(page, "#id_items-0-spec_os_image", HOST_SPEC["os_image"])
    page.fill("#id_items-0-spec_system_disk_gb", str(HOST_SPEC["system_disk_gb"]))
    page.fill("#id_items-0-spec_data_disk_gb", str(HOST_SPEC["data_disk_gb"]))
    settled(page)
    page.click("[data-testid=save-draft]")
    expect(page.locator("[data-testid=application-state]")).to_have_attribute("data-state", "draft")
    url = page.url
    page.click("[data-testid=do-submit]")
    expect(page.locator("[data-testid=application-state]")).to_have_attribute("data-state", "awaiting_signoff")

    head = new_page(browser, page.base)
    log_in(head, "gaj_head")
    head.goto(url)
    head.fill("[data-testid=step-sign_off] textarea", "同意。")
    head.click("[data-testid=do-sign_off]")
    expect(head.locator("[data-testid=application-state]")).to_have_attribute("data-state", "submitted")

    reviewer = new_page(browser, page.base)
    log_in(reviewer, "center_reviewer")
    reviewer.goto(url)
    reviewer.click("[data-testid=do-accept]")
    expect(reviewer.locator("[data-testid=application-state]")).to_have_attribute("data-state", "accepted")

    chief = new_page(browser, page.base)
    log_in(chief, "center_admin")
    chief.goto(url)
    chief.fill("#id_comment", "同意，按申请规格配置。")
    chief.click("[data-testid=approve]")
    state = chief.locator("[data-testid=application-state]")
    expect(state).to_have_attribute("data-state", re.compile("in_delivery|delivered"))

    # A worker runs the work order in the background; the page shows it once done.
    deadline = time.monotonic() + 90
    while True:
        page.goto(url)
        current = page.locator("[data-testid=application-state]").get_attribute("data-state")
        if current == "delivered" or time.monotonic() > deadline:
            break
        time.sleep(2)
    expect(page.locator("[data-testid=application-state]")).to_have_attribute("data-state", "delivered")
    expect(page.locator("[data-testid=gate-verdict]")).to_have_attribute("data-cleared", "true")
    page.fill("[data-testid=step-accept_delivery] textarea", "功能与性能测试通过。")
    page.click("[data-testid=do-accept_delivery]")
    expect(page.locator("[data-testid=application-state]")).to_have_attribute("data-state", "in_service")
    shot(page, "stack-application-in-service")


def test_the_audit_administrator_verifies_the_chain_in_a_worker(page):
    log_in(page, "auditadmin")
    page.goto(page.base + "/audit/verify/")
    page.click("[data-testid=verify-start]")
    expect(page.locator("[data-testid=job-progress]")).to_have_attribute("data-status", "succeeded", timeout=60_000)
    expect(page.locator("[data-testid=job-summary]")).to_contain_text("完整")
    shot(page, "stack-audit-verify")
