"""Sign-on through OIDC and CAS against a real provider and CAS server run by the tests
(tests/sso_servers): linking, the unmatched first sign-in, the administrators' second factor, logout,
back-channel and single logout, and each kind of bad input refused with nothing created."""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.urls import reverse

from govcloud.audit.models import AuditEvent
from govcloud.core.permissions import SESSION_SSO
from govcloud.core.roles import Role
from govcloud.identity.models import IdentityLink, IdentityLinkRequest, LinkRequestStatus, SignOnSession
from govcloud.identity.tests import platform as idp
from govcloud.organizations.middleware import SESSION_2FA
from govcloud.organizations.models import User

pytestmark = pytest.mark.django_db

WANG_EMAIL = "wangwu@dept-a.example.gov.cn"


def _relative(url: str) -> str:
    parts = urlsplit(url)
    assert parts.netloc == "testserver", url
    return f"{parts.path}?{parts.query}"


def oidc_sign_in(client, platform, username: str, *, next_url: str = "", session=None):
    start = client.get(reverse("identity:oidc_login") + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302, start.content[:300]
    query = parse_qs(urlsplit(start["Location"]).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    callback = idp.oidc_authorize(platform, start["Location"], username, session=session)
    return client.get(_relative(callback))


def cas_sign_in(client, platform, username: str, session=None):
    start = client.get(reverse("identity:cas_login"))
    assert start.status_code == 302
    back = idp.cas_sign_in(platform, start["Location"], username, session=session)
    return back, client.get(_relative(back))


def _nothing_created(before_users: int):
    assert User.objects.count() == before_users
    assert not IdentityLink.objects.exists()
    assert not IdentityLinkRequest.objects.exists()
    assert not SignOnSession.objects.exists()


# --- OIDC ------------------------------------------------------------------------------------------


def test_oidc_sign_on_links_by_email_and_records_the_identity(client, city, sso):
    wang = city.user(Role.DEPARTMENT_APPLICANT, email=WANG_EMAIL.upper())
    response = oidc_sign_in(client, sso, "wang.wu", next_url="/applications/")
    assert response.status_code == 302 and response["Location"] == "/applications/"
    assert client.session["_auth_user_id"] == str(wang.pk)
    assert client.session[SESSION_SSO]["issuer"] == sso.issuer
    link = IdentityLink.objects.get()
    assert (link.user, link.issuer, link.protocol) == (wang, sso.issuer, "oidc")
    assert SignOnSession.objects.get().session_key == client.session.session_key
    for action in ("identity.link", "identity.sign_on"):
        event = AuditEvent.objects.get(action=action)
        assert (
            json.loads(event.changes)["issuer"] == [None, sso.issuer]
            and json.loads(event.changes)["subject"][1] == link.subject
        )
    # The second sign-in goes by the link (the e-mail could change at the platform).
    User.objects.filter(pk=wang.pk).update(email="changed@example.gov.cn")
    client.logout()
    assert oidc_sign_in(client, sso, "wang.wu").status_code == 302
    assert client.session["_auth_user_id"] == str(wang.pk)
    assert IdentityLink.objects.count() == 1


def test_unmatched_first_sign_in_creates_nothing_with_a_role_and_a_pending_request(client, city, sso, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    users = User.objects.count()
    response = oidc_sign_in(client, sso, "new.person")
    assert response["Location"] == reverse("identity:not_provisioned")
    assert "_auth_user_id" not in client.session
    assert User.objects.count() == users
    request = IdentityLinkRequest.objects.get()
    assert (request.status, request.email, request.display_name) == (
        "pending",
        "newperson@dept-a.example.gov.cn",
        "新同事",
    )
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "账号尚未开通，请联系本单位管理员" in page.content.decode()
    assert str(request.pk) in page.content.decode()
    assert AuditEvent.objects.get(action="identity.link_request").outcome == "denied"
    # Again: the same request, counted; still nothing signed in.
    oidc_sign_in(client, sso, "new.person")
    request.refresh_from_db()
    assert request.attempts == 2 and IdentityLinkRequest.objects.count() == 1


def test_system_admin_approves_a_link_request_and_the_person_signs_in(client, city, sso):
    from conftest import login

    oidc_sign_in(client, sso, "new.person")
    request = IdentityLinkRequest.objects.get()
    sysadmin = city.user(Role.SYSTEM_ADMIN)
    newcomer = city.user(Role.DEPARTMENT_APPLICANT, full_name="新同事")
    login(client, city.user(Role.SECURITY_ADMIN))
    assert client.get(reverse("identity:link_request_list")).status_code == 403
    assert (
        client.post(reverse("identity:link_request_link", args=[request.pk]), {"user": newcomer.pk}).status_code == 403
    )
    login(client, sysadmin)
    assert "新同事" in client.get(reverse("identity:link_request_list")).content.decode()
    response = client.post(reverse("identity:link_request_link", args=[request.pk]), {"user": newcomer.pk})
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.user, request.decided_by) == (LinkRequestStatus.APPROVED, newcomer, sysadmin)
    assert AuditEvent.objects.filter(action="identity.link", actor_id=sysadmin.pk).exists()
    client.logout()
    oidc_sign_in(client, sso, "new.person")
    assert client.session["_auth_user_id"] == str(newcomer.pk)
    assert newcomer.roles == {Role.DEPARTMENT_APPLICANT}  # roles stay GovCloud's


def test_system_admin_opens_an_account_without_a_role_and_refuses_another(client, city, sso):
    from conftest import login

    oidc_sign_in(client, sso, "new.person")
    request = IdentityLinkRequest.objects.get()
    login(client, city.user(Role.SYSTEM_ADMIN))
    data = {
        "username": "xin.tongshi",
        "full_name": "新同事",
        "organization": city.dept_a.pk,
        "email": "",
        "phone": "",
        "title": "",
    }
    response = client.post(reverse("identity:link_request_create_account", args=[request.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    account = User.objects.get(username="xin.tongshi")
    assert account.roles == frozenset() and IdentityLink.objects.get().user == account
    # A decided request cannot be decided again.
    response = client.post(reverse("identity:link_request_refuse", args=[request.pk]), {"note": "重复"})
    assert response.status_code == 200 and "该关联申请已处理" in response.content.decode()


def test_admin_role_needs_the_totp_second_factor_after_sign_on(client, city, sso):
    city.user(Role.SYSTEM_ADMIN, email="sysadmin@center.example.gov.cn")
    oidc_sign_in(client, sso, "sys.admin")
    assert client.session[SESSION_2FA] == "enroll"
    assert client.get(reverse("web:home"))["Location"] == reverse("organizations:otp_setup")
    assert client.get("/api/v1/users/me/").status_code == 403


def test_platform_asserted_mfa_stands_for_the_second_factor(client, city, sso):
    city.user(Role.SYSTEM_ADMIN, email="sysadmin2@center.example.gov.cn")
    oidc_sign_in(client, sso, "sys.admin.mfa")
    assert client.session[SESSION_2FA] == ""
    assert client.get(reverse("web:home")).status_code == 200
    assert client.get("/api/v1/users/me/").status_code == 200
    assert "platform MFA asserted" in AuditEvent.objects.get(action="identity.sign_on").message


def test_platform_mfa_not_accepted_when_the_setting_lists_other_values(client, city, sso, settings):
    settings.GOVCLOUD_SSO_OIDC = {**settings.GOVCLOUD_SSO_OIDC, "mfa_amr": ["hwk"]}
    city.user(Role.SYSTEM_ADMIN, email="sysadmin2@center.example.gov.cn")
    oidc_sign_in(client, sso, "sys.admin.mfa")
    assert client.get(reverse("web:home"))["Location"] == reverse("organizations:otp_setup")


def test_logout_ends_govcloud_and_the_platform_session(client, city, sso):
    city.user(Role.DEPARTMENT_APPLICANT, email=WANG_EMAIL)
    browser = requests.Session()
    oidc_sign_in(client, sso, "wang.wu", session=browser)
    response = client.post(reverse("organizations:logout"))
    assert "_auth_user_id" not in client.session
    end_session = response["Location"]
    assert end_session.startswith(f"{sso.issuer}/logout/") and "id_token_hint=" in end_session
    back = browser.get(end_session, allow_redirects=False)
    assert back.status_code == 302 and back.headers["Location"] == "http://testserver/accounts/login/"
    # The platform's session is over: the next authorization asks for the password again.
    start = client.get(reverse("identity:oidc_login"))
    again = browser.get(start["Location"], allow_redirects=False)
    assert "/accounts/login/" in again.headers["Location"]
    assert json.loads(AuditEvent.objects.get(action="identity.logout").changes)["issuer"] == [None, sso.issuer]
    assert SignOnSession.objects.get().ended_at is not None


def test_backchannel_logout_ends_the_matching_sessions(client, city, sso):
    wang = city.user(Role.DEPARTMENT_APPLICANT, email=WANG_EMAIL)
    oidc_sign_in(client, sso, "wang.wu")
    assert client.get(reverse("web:home")).status_code == 200
    subject = IdentityLink.objects.get(user=wang).subject
    now = int(time.time())
    claims = {
        "iss": sso.issuer,
        "aud": "govcloud",
        "iat": now,
        "exp": now + 120,
        "jti": "j1",
        "sub": subject,
        "events": {"http://schemas.openid.net/event/backchannel-logout": {}},
    }
    forged = idp.tamper(idp.signed_token(sso, claims), sub="someone-else")
    from django.test import Client

    platform_client = Client()
    url = reverse("identity:oidc_backchannel_logout")
    assert platform_client.post(url, {"logout_token": forged}).status_code == 400
    assert client.get(reverse("web:home")).status_code == 200
    assert platform_client.post(url, {"logout_token": idp.signed_token(sso, claims)}).status_code == 200
    assert client.get(reverse("web:home")).status_code == 302
    assert AuditEvent.objects.filter(action="identity.platform_logout").count() == 1


# --- Bad input ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda p: idp.tamper(idp.signed_token(p, idp.id_token_claims(p)), sub="1"),
            "不是由所配置的统一身份认证平台签发的",
        ),
        (lambda p: idp.signed_token(p, idp.id_token_claims(p, aud="other-app")), "签发给其他应用"),
        (
            lambda p: idp.signed_token(
                p, idp.id_token_claims(p, iat=int(time.time()) - 3600, exp=int(time.time()) - 600)
            ),
            "登录令牌已过期",
        ),
        (lambda p: idp.signed_token(p, idp.id_token_claims(p, nonce="another")), "属于另一次登录请求"),
        (lambda p: idp.signed_token(p, idp.id_token_claims(p, iss="https://evil.example/o")), "来自其他签发方"),
    ],
    ids=["tampered", "wrong-audience", "expired", "replayed-nonce", "wrong-issuer"],
)
def test_bad_id_tokens_are_refused_with_nothing_created(client, city, sso, monkeypatch, make, message):
    """The token exchange is real up to the token: the provider's answer is replaced by the bad one."""
    city.user(Role.DEPARTMENT_APPLICANT, email=WANG_EMAIL)
    users = User.objects.count()
    from govcloud.identity import oidc

    real_exchange = oidc.exchange_code

    def exchange(config, **kwargs):
        token = real_exchange(config, **kwargs)
        return {**token, "id_token": make(sso)}

    monkeypatch.setattr(oidc, "exchange_code", exchange)
    # Every token above carries nonce "n-0": make the flow's nonce that one.
    monkeypatch.setattr(oidc, "new_flow", lambda: {"state": "s-1", "nonce": "n-0", "verifier": "v" * 64})
    response = oidc_sign_in(client, sso, "wang.wu")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "_auth_user_id" not in client.session
    _nothing_created(users)
    assert AuditEvent.objects.filter(action="identity.sign_on_refused", outcome="failure").count() == 1


def test_a_real_token_of_another_client_is_refused(client, city, sso, monkeypatch):
    """A genuine ID token the provider issued to another application: wrong audience."""
    city.user(Role.DEPARTMENT_APPLICANT, email=WANG_EMAIL)
    users = User.objects.count()
    from govcloud.identity import oidc
    from govcloud.identity.config import oidc_config

    other = oidc_config().__class__(
        **{**oidc_config().__dict__, "client_id": "other-app", "client_secret": "other-secret"}
    )
    flow = {"state": "s-2", "nonce": "n-2", "verifier": "w" * 64}
    redirect_uri = "http://testserver/accounts/sso/oidc/callback/"
    callback = idp.oidc_authorize(sso, oidc.authorization_url(other, redirect_uri=redirect_uri, flow=flow), "wang.wu")
    code = parse_qs(urlsplit(callback).query)["code"][0]
    foreign = oidc.exchange_code(other, code=code, redirect_uri=redirect_uri, flow=flow)["id_token"]
    monkeypatch.setattr(oidc, "exchange_code", lambda config, **kwargs: {"id_token": foreign, "access_token": ""})
    monkeypatch.setattr(oidc, "new_flow", lambda: dict(flow))
    response = oidc_sign_in(client, sso, "wang.wu")
    assert response.status_code == 400 and "签发给其他应用" in response.content.decode()
    _nothing_created(users)


def test_open_redirect_next_is_refused_before_anything_starts(client, city, sso):
    users = User.objects.count()
    for name in ("identity:oidc_login", "identity:cas_login"):
        for target in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
            response = client.get(reverse(name), {"next": target})
            assert response.status_code == 400, (name, target)
            assert "不是政务云平台的页面" in response.content.decode()
    _nothing_created(users)


def test_callback_without_the_browsers_state_is_refused(client, city, sso):
    response = client.get(reverse("identity:oidc_callback"), {"code": "x", "state": "forged"})
    assert response.status_code == 400 and "不属于本浏览器发起的登录" in response.content.decode()


# --- CAS -------------------------------------------------------------------------------------------


def test_cas_sign_on_and_a_replayed_ticket_is_refused(client, city, sso):
    wang = city.user(Role.DEPARTMENT_APPLICANT, email=WANG_EMAIL)
    back, response = cas_sign_in(client, sso, "wang.wu")
    assert response.status_code == 302 and response["Location"] == reverse("web:home")
    assert client.session["_auth_user_id"] == str(wang.pk)
    link = IdentityLink.objects.get()
    assert (link.issuer, link.subject, link.protocol) == (sso.cas_url, "wang.wu", "cas")
    ticket = parse_qs(urlsplit(back).query)["ticket"][0]
    assert SignOnSession.objects.get().platform_session == ticket
    # Logging out goes to the CAS server's logout.
    logout = client.post(reverse("organizations:logout"))
    assert logout["Location"].startswith(f"{sso.cas_url}logout?service=")
    # The same ticket again: refused by the CAS server, so by GovCloud; nobody signed in.
    replay = client.get(_relative(back))
    assert replay.status_code == 400 and "已被使用或已过期" in replay.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="identity.sign_on_refused").count() == 1


def test_cas_unmatched_sign_in_creates_a_link_request(client, city, sso):
    users = User.objects.count()
    _back, response = cas_sign_in(client, sso, "new.person")
    assert response["Location"] == reverse("identity:not_provisioned")
    assert User.objects.count() == users
    assert IdentityLinkRequest.objects.get().protocol == "cas"


def test_cas_single_logout_request_ends_the_session(client, city, sso):
    city.user(Role.DEPARTMENT_APPLICANT, email=WANG_EMAIL)
    back, _response = cas_sign_in(client, sso, "wang.wu")
    ticket = parse_qs(urlsplit(back).query)["ticket"][0]
    assert client.get(reverse("web:home")).status_code == 200
    from django.test import Client

    def slo(index):
        return (
            '<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
            'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="x" Version="2.0" '
            'IssueInstant="2026-12-06T00:00:00Z">'
            f"<saml:NameID>@NOT_USED@</saml:NameID><samlp:SessionIndex>{index}</samlp:SessionIndex></samlp:LogoutRequest>"
        )

    server = Client()
    server.post(reverse("identity:cas_callback"), {"logoutRequest": slo("ST-not-this-one")})
    assert client.get(reverse("web:home")).status_code == 200
    server.post(
        reverse("identity:cas_callback"),
        {"logoutRequest": "<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><x>&e;</x>"},
    )
    assert client.get(reverse("web:home")).status_code == 200
    server.post(reverse("identity:cas_callback"), {"logoutRequest": slo(ticket)})
    assert client.get(reverse("web:home")).status_code == 302
    assert json.loads(AuditEvent.objects.get(action="identity.platform_logout").changes)["subject"] == [None, "wang.wu"]


# --- The login page --------------------------------------------------------------------------------


def test_login_page_shows_both_sign_on_buttons(client, sso):
    body = client.get(reverse("organizations:login") + "?next=/billing/").content.decode()
    assert 'data-testid="sign-on-oidc"' in body and 'data-testid="sign-on-cas"' in body
    assert "统一身份认证（OIDC）" in body and "next=%2Fbilling%2F" in body


def test_without_configuration_there_are_no_buttons_and_the_urls_answer_404(client, settings):
    settings.GOVCLOUD_SSO_OIDC = {}
    settings.GOVCLOUD_SSO_CAS = {}
    assert "sign-on-options" not in client.get(reverse("organizations:login")).content.decode()
    assert client.get(reverse("identity:oidc_login")).status_code == 404
    assert client.get(reverse("identity:cas_login")).status_code == 404


def test_local_form_for_administrators_only(client, city, sso, settings):
    settings.GOVCLOUD_LOCAL_LOGIN_ADMINS_ONLY = True
    from tests.factories import TEST_PASSWORD

    staff = city.user(Role.DEPARTMENT_APPLICANT)
    admin = city.user(Role.SECURITY_ADMIN)
    page = client.get(reverse("organizations:login")).content.decode()
    assert 'data-testid="local-login"' in page
    refused = client.post(reverse("organizations:login"), {"username": staff.username, "password": TEST_PASSWORD})
    assert refused.status_code == 200 and "_auth_user_id" not in client.session
    assert "请通过统一身份认证登录" in refused.content.decode()
    allowed = client.post(reverse("organizations:login"), {"username": admin.username, "password": TEST_PASSWORD})
    assert allowed.status_code == 302 and client.session["_auth_user_id"] == str(admin.pk)


@pytest.mark.parametrize("role", [r for r in Role if r != Role.SYSTEM_ADMIN], ids=lambda r: r.value)
def test_only_the_system_admin_sees_link_requests(client, city, role):
    from conftest import login

    request = IdentityLinkRequest.objects.create(
        protocol="oidc", issuer="https://idp", subject="s", display_name="赵六"
    )
    login(client, city.user(role))
    for name, args in (("identity:link_request_list", []), ("identity:link_request_detail", [request.pk])):
        response = client.get(reverse(name, args=args))
        assert response.status_code == 403 and "赵六" not in response.content.decode()
    assert client.post(reverse("identity:link_request_refuse", args=[request.pk]), {"note": "x"}).status_code == 403
    request.refresh_from_db()
    assert request.status == "pending"


def test_api_link_requests_for_the_system_admin_only(client, city):
    from conftest import login

    request = IdentityLinkRequest.objects.create(
        protocol="cas", issuer="https://cas/", subject="zl", display_name="赵六"
    )
    account = city.user(Role.DEPARTMENT_APPLICANT)
    login(client, city.user(Role.SECURITY_ADMIN))
    assert client.get("/api/v1/identity/link-requests/").json()["results"] == []
    assert client.get(f"/api/v1/identity/link-requests/{request.pk}/").status_code == 404
    assert (
        client.post(
            f"/api/v1/identity/link-requests/{request.pk}/link/", {"user": account.pk}, content_type="application/json"
        ).status_code
        == 404
    )
    login(client, city.user(Role.SYSTEM_ADMIN))
    assert [r["display_name"] for r in client.get("/api/v1/identity/link-requests/").json()["results"]] == ["赵六"]
    bad = client.post(
        f"/api/v1/identity/link-requests/{request.pk}/link/", {"user": 987654}, content_type="application/json"
    )
    assert bad.status_code == 400 and not IdentityLink.objects.exists()
    done = client.post(
        f"/api/v1/identity/link-requests/{request.pk}/link/", {"user": account.pk}, content_type="application/json"
    )
    assert done.status_code == 200 and done.json()["status"] == "approved"
    assert IdentityLink.objects.get().user == account
    again = client.post(
        f"/api/v1/identity/link-requests/{request.pk}/refuse/", {"note": "x"}, content_type="application/json"
    )
    assert again.status_code == 400


def test_cas_2_matches_the_user_name_with_the_account_name(client, city, sso, settings):
    """CAS 2.0 releases no attributes: the CAS user name (an employee number, say) is matched with
    the GovCloud user name."""
    settings.GOVCLOUD_SSO_CAS = {
        "server_url": sso.cas_url,
        "version": 2,
        "match_attribute": "user",
        "match_field": "username",
    }
    wang = city.user(Role.DEPARTMENT_APPLICANT, username="wang.wu")
    _back, response = cas_sign_in(client, sso, "wang.wu")
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(wang.pk)
    assert IdentityLink.objects.get().subject == "wang.wu"


def test_an_ambiguous_match_links_nobody(client, city, sso):
    """Two accounts with the platform's e-mail: neither is chosen; the administrator decides."""
    city.user(Role.DEPARTMENT_APPLICANT, email=WANG_EMAIL)
    city.user(Role.DEPARTMENT_HEAD, email=WANG_EMAIL)
    response = oidc_sign_in(client, sso, "wang.wu")
    assert response["Location"] == reverse("identity:not_provisioned")
    assert not IdentityLink.objects.exists()
    assert IdentityLinkRequest.objects.get().note == "ambiguous"


def test_a_disabled_account_is_refused_even_when_linked(client, city, sso):
    wang = city.user(Role.DEPARTMENT_APPLICANT, email=WANG_EMAIL)
    oidc_sign_in(client, sso, "wang.wu")
    client.logout()
    User.objects.filter(pk=wang.pk).update(is_active=False)
    response = oidc_sign_in(client, sso, "wang.wu")
    assert response.status_code == 403 and "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="identity.sign_on_refused", message__endswith="account_disabled").exists()


def test_link_request_list_runs_a_constant_number_of_queries(client, city):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from conftest import login

    login(client, city.user(Role.SYSTEM_ADMIN))

    def add(n):
        for i in range(n):
            IdentityLinkRequest.objects.create(protocol="oidc", issuer="https://idp", subject=f"s{i}-{n}")
            IdentityLink.objects.create(
                user=city.user(Role.DEPARTMENT_APPLICANT), protocol="cas", issuer="https://cas/", subject=f"l{i}-{n}"
            )

    add(1)
    client.get(reverse("identity:link_request_list"))
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("identity:link_request_list")).status_code == 200
    add(6)
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("identity:link_request_list")).status_code == 200
    assert len(many) == len(few)
