"""Issue 18 §1 in a real browser, against the real test identity platform (tests/sso_servers: an OIDC
provider and a CAS server on a free loopback port): sign-in with each, the unmatched first sign-in,
an administrator's second factor after sign-on, and logout ending the platform's session too."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from govcloud.core.roles import Role
from govcloud.identity.models import IdentityLinkRequest
from govcloud.settings import sso_origins
from tests.browser.conftest import shot
from tests.browser.test_journeys import enroll_totp
from tests.sso_servers import harness

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(scope="module")
def platform(live_server):
    started = harness.start(rp_base_urls=[live_server.url])
    yield started
    started.stop()


@pytest.fixture
def sso_page(browser, live_server, platform, settings, tmp_path):
    secrets = tmp_path / "secrets.json"
    secrets.write_text(json.dumps({"oidc": {"client_secret": harness.CLIENT_SECRET}}))
    settings.GOVCLOUD_SECRETS_FILE = str(secrets)
    settings.GOVCLOUD_SSO_OIDC = {
        "discovery_url": platform.discovery_url,
        "client_id": "govcloud",
        "label": "统一身份认证（OIDC）",
    }
    settings.GOVCLOUD_SSO_CAS = {"server_url": platform.cas_url, "version": 3, "label": "统一身份认证（CAS）"}
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {
            **directives,
            "form-action": [
                *directives["form-action"],
                *sso_origins(settings.GOVCLOUD_SSO_OIDC, settings.GOVCLOUD_SSO_CAS),
            ],
        }
    }
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base = live_server.url
    yield page
    context.close()


def platform_login(page, username: str) -> None:
    expect(page.locator("#id_username")).to_be_visible()
    page.fill("#id_username", username)
    page.fill("#id_password", harness.PASSWORD)
    page.locator("button[type=submit], input[type=submit]").first.click()


def log_out(page) -> None:
    page.click("[data-testid=user-menu]")
    page.click("[data-testid=logout]")


def test_oidc_sign_in_and_logout_end_both_sessions(sso_page, city):
    page = sso_page
    city.user(Role.DEPARTMENT_APPLICANT, full_name="王五", email="wangwu@dept-a.example.gov.cn")
    page.goto(page.base + "/accounts/login/")
    expect(page.get_by_test_id("sign-on-oidc")).to_contain_text("统一身份认证（OIDC）")
    expect(page.get_by_test_id("sign-on-cas")).to_contain_text("统一身份认证（CAS）")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "login-sso.png"), full_page=True)
    page.get_by_test_id("sign-on-oidc").click()
    expect(page).to_have_url(re.compile(r"127\.0\.0\.1:\d+/accounts/login/"))
    platform_login(page, "wang.wu")
    expect(page).to_have_url(re.compile(re.escape(page.base) + r"/$"))
    expect(page.get_by_test_id("user-menu")).to_contain_text("王五")
    log_out(page)
    # Through the provider's end-session endpoint and back to GovCloud's login page.
    expect(page).to_have_url(re.compile(re.escape(page.base) + r"/accounts/login/$"))
    # The platform's session ended too: signing on again asks for the password.
    page.get_by_test_id("sign-on-oidc").click()
    expect(page.locator("#id_password")).to_be_visible()


def test_cas_sign_in_and_logout(sso_page, city):
    page = sso_page
    city.user(Role.DEPARTMENT_HEAD, full_name="王五", email="wangwu@dept-a.example.gov.cn")
    page.goto(page.base + "/accounts/login/")
    page.get_by_test_id("sign-on-cas").click()
    expect(page).to_have_url(re.compile(r"127\.0\.0\.1:\d+/cas/login"))
    platform_login(page, "wang.wu")
    expect(page).to_have_url(re.compile(re.escape(page.base) + r"/$"))
    expect(page.get_by_test_id("user-menu")).to_contain_text("王五")
    log_out(page)
    expect(page).to_have_url(re.compile(re.escape(page.base) + r"/accounts/login/"))
    page.get_by_test_id("sign-on-cas").click()
    expect(page.locator("#id_password")).to_be_visible()


def test_unmatched_first_sign_in_lands_on_the_not_provisioned_page(sso_page, city):
    page = sso_page
    page.goto(page.base + "/accounts/login/")
    page.get_by_test_id("sign-on-oidc").click()
    platform_login(page, "new.person")
    expect(page).to_have_url(re.compile(r"/accounts/sso/not-provisioned/$"))
    expect(page.get_by_test_id("not-provisioned")).to_contain_text("账号尚未开通，请联系本单位管理员")
    request = IdentityLinkRequest.objects.get()
    expect(page.get_by_test_id("link-request-number")).to_have_text(str(request.pk))
    page.screenshot(path=str(SCREENSHOTS / "sso-not-provisioned.png"), full_page=True)
    # Nobody is signed in to GovCloud.
    page.goto(page.base + "/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_administrator_gives_the_second_factor_after_sign_on(sso_page, city):
    page = sso_page
    city.user(Role.SYSTEM_ADMIN, full_name="系统管理员甲", email="sysadmin@center.example.gov.cn")
    page.goto(page.base + "/accounts/login/")
    page.get_by_test_id("sign-on-oidc").click()
    platform_login(page, "sys.admin")
    enroll_totp(page)
    expect(page).to_have_url(re.compile(re.escape(page.base) + r"/$"))
    shot(page, "sso-admin-home")
    # A pending link request, linked by the system administrator to an existing account.
    newcomer = city.user(Role.DEPARTMENT_APPLICANT, full_name="新同事", username="xin.tongshi")
    request = IdentityLinkRequest.objects.create(
        protocol="oidc", issuer=platform_issuer(page), subject="7", display_name="新同事", email="x@example.gov.cn"
    )
    page.goto(page.base + "/identity/link-requests/")
    expect(page.get_by_test_id("link-request-table")).to_contain_text("新同事")
    page.get_by_test_id("link-request-table").get_by_role("link", name=str(request.pk)).click()
    page.select_option("#id_user", str(newcomer.pk))
    shot(page, "sso-link-request")
    page.get_by_test_id("link-existing").click()
    expect(page.get_by_test_id("identity-link-table")).to_contain_text("新同事")
    request.refresh_from_db()
    assert request.status == "approved" and request.user == newcomer


def platform_issuer(page) -> str:
    from django.conf import settings

    return settings.GOVCLOUD_SSO_OIDC["discovery_url"].split("/.well-known")[0]
