"""Account security as seen from outside (issue 12): one spelling of a user name everywhere, every
security-relevant change to an account ends the account's other access, and tokens do not mint
tokens."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import RequestFactory
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from conftest import login
from govcloud.audit.models import AuditEvent
from govcloud.core.roles import Role
from govcloud.organizations import lockout, services
from govcloud.organizations.models import ApiToken, User
from govcloud.organizations.usernames import UsernameCollision, canonical_username, plan_canonical_usernames
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


def attempt(client, username, password, ip="10.9.8.7"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def token_client(user) -> tuple[APIClient, ApiToken]:
    token, raw = services.token_create(actor=user, name="script", expires_in_days=30)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client, token


# --- 1. One spelling of a user name ------------------------------------------------------------------


def test_lockout_counts_every_spelling_of_a_user_name_as_one_account(client, city):
    user = city.user(Role.DEPARTMENT_HEAD, username="jyj_head")
    for i in range(5):  # a new source address each time: only the account can lock
        attempt(client, "jyj_head", f"wrong-{i}", ip=f"10.1.0.{i + 1}")
    response = attempt(client, "JyJ_HeaD", TEST_PASSWORD, ip="10.1.0.99")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert not AuditEvent.objects.filter(action="auth.login", actor_id=user.pk).exists()


def test_failures_in_mixed_case_add_up(client, city):
    city.user(Role.DEPARTMENT_HEAD, username="jyj_head")
    for i, spelling in enumerate(["JYJ_HEAD", "Jyj_Head", "jyj_HEAD", " jyj_head ", "JyJ_HeaD"]):
        attempt(client, spelling, f"wrong-{i}", ip=f"10.2.0.{i + 1}")
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"jyj_head"}
    assert attempt(client, "jyj_head", TEST_PASSWORD, ip="10.2.0.99").status_code == 429


def test_axes_username_callable_is_canonical():
    request = RequestFactory().post(LOGIN, {"username": "  JyJ_HeaD "})
    assert lockout.username(request, None) == "jyj_head"
    assert lockout.username(request, {"username": "ＪＹＪ_Head"}) == "jyj_head"  # full-width letters too
    assert lockout.username(RequestFactory().post(LOGIN, {}), None) is None


def test_lockout_clear_lifts_the_lock_whatever_the_spelling(client, city):
    city.user(Role.DEPARTMENT_HEAD, username="jyj_head")
    for i in range(5):
        attempt(client, "JYJ_head", f"wrong-{i}", ip=f"10.3.0.{i + 1}")
    cleared = services.lockout_clear(actor=city.user(Role.SECURITY_ADMIN), username="Jyj_Head")
    assert cleared == 5  # one record per source address
    assert attempt(client, "jyj_head", TEST_PASSWORD, ip="10.3.0.99").status_code == 302


def test_user_names_are_stored_in_one_canonical_form(city):
    admin = city.user(Role.SYSTEM_ADMIN)
    user, _password = services.user_create(
        actor=admin, username=" Zhang.San ", full_name="张三", organization=city.dept_a
    )
    assert user.username == "zhang.san"
    assert User.objects.get(pk=user.pk).username == "zhang.san"
    with pytest.raises(ValidationError, match="taken"):
        services.user_create(actor=admin, username="ZHANG.SAN", full_name="张三", organization=city.dept_a)
    assert User.objects.get_by_natural_key("ZHANG.san") == user
    # Even a write that skips the service stores the canonical form.
    other = User.objects.create(username="Li.Si", full_name="李四", organization=city.dept_a)
    assert User.objects.get(pk=other.pk).username == "li.si"


def test_the_database_refuses_two_accounts_differing_only_in_case(city):
    city.user(username="wang.wu")
    other = city.user(username="zhao.liu")
    with pytest.raises(IntegrityError), transaction.atomic():
        # update() skips save(): only the database's constraint stands in the way.
        User.objects.filter(pk=other.pk).update(username="WANG.WU")


def test_user_create_form_and_api_refuse_a_case_variant(client, city):
    city.user(username="wang.wu")
    admin = city.user(Role.SYSTEM_ADMIN)
    login(client, admin)
    page = client.post(
        reverse("organizations:user_create"),
        {"username": "Wang.Wu", "full_name": "王五", "organization": city.dept_a.pk},
    )
    assert page.status_code == 200 and User.objects.filter(username__iexact="wang.wu").count() == 1
    api = APIClient()
    login(api, admin)
    body = {"username": "WANG.WU", "full_name": "王五", "organization": city.dept_a.pk}
    assert api.post("/api/v1/users/", body, format="json").status_code == 400
    created = api.post("/api/v1/users/", {**body, "username": "Zhou.Qi"}, format="json")
    assert created.status_code == 201 and created.data["username"] == "zhou.qi"


def test_sign_in_with_any_spelling_opens_the_one_account(client, city):
    user = city.user(Role.DEPARTMENT_APPLICANT, username="jyj_applicant")
    assert attempt(client, "JYJ_Applicant", TEST_PASSWORD).status_code == 302
    assert AuditEvent.objects.get(action="auth.login").actor_id == user.pk


def test_canonical_username():
    assert canonical_username("  JyJ_HeaD\t") == "jyj_head"
    assert canonical_username("ＡＢＣ") == "abc"
    assert canonical_username("Straße") == canonical_username("STRASSE")


def test_migration_plan_lowercases_and_refuses_collisions():
    assert plan_canonical_usernames([(1, "Zhang.San"), (2, "li.si")]) == {1: "zhang.san"}
    with pytest.raises(UsernameCollision, match="zhang.san"):
        plan_canonical_usernames([(1, "Zhang.San"), (2, "zhang.san"), (3, "li.si")])


# --- 2 and 4. A security-relevant change ends the account's other access -----------------------------


def _signed_in_with_token(city, user):
    session = login(APIClient(), user)
    assert session.get("/api/v1/users/me/").status_code == 200
    tokens, token = token_client(user)
    assert tokens.get("/api/v1/users/me/").status_code == 200
    return session, tokens, token


def _assert_access_ended(user, session, tokens, token):
    assert session.get("/api/v1/users/me/").status_code == 401  # the session is gone: anonymous
    assert session.get("/").status_code == 302
    assert tokens.get("/api/v1/users/me/").status_code == 401
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(action="user.access_end", object_id=str(user.pk)).count() == 1


def test_promotion_to_a_role_that_needs_totp_ends_sessions_and_tokens(city):
    """The attack: a reviewer promoted to center admin kept approving through an old session and an
    old token without ever enrolling a second factor."""
    reviewer = city.user(Role.CENTER_REVIEWER)
    session, tokens, token = _signed_in_with_token(city, reviewer)
    services.role_grant(actor=city.user(Role.SECURITY_ADMIN), user=reviewer, role=Role.CENTER_ADMIN)
    _assert_access_ended(reviewer, session, tokens, token)
    # Signing in again now demands enrollment.
    page = APIClient()
    assert attempt(page, reviewer.username, TEST_PASSWORD).status_code == 302
    assert page.get("/")["Location"] == reverse("organizations:otp_setup")


CHANGES = {
    "role_grant": lambda city, u: services.role_grant(
        actor=city.user(Role.SECURITY_ADMIN), user=u, role=Role.DEPARTMENT_HEAD
    ),
    "role_revoke": lambda city, u: services.role_revoke(
        actor=city.user(Role.SECURITY_ADMIN), user=u, role=Role.DEPARTMENT_APPLICANT
    ),
    "roles_set": lambda city, u: services.user_set_roles(
        actor=city.user(Role.SECURITY_ADMIN), user=u, roles={Role.DEPARTMENT_SECURITY_OFFICER}
    ),
    "password_reset": lambda city, u: services.user_reset_password(actor=city.user(Role.SYSTEM_ADMIN), user=u),
    "deactivate": lambda city, u: services.user_set_active(actor=city.user(Role.SYSTEM_ADMIN), user=u, active=False),
    "organization_move": lambda city, u: services.user_update(
        actor=city.user(Role.SYSTEM_ADMIN), user=u, organization=city.dept_b
    ),
}


@pytest.mark.parametrize("change", CHANGES)
def test_every_security_relevant_change_ends_sessions_and_tokens(city, change):
    user = city.user(Role.DEPARTMENT_APPLICANT)
    session, tokens, token = _signed_in_with_token(city, user)
    CHANGES[change](city, user)
    _assert_access_ended(user, session, tokens, token)


def test_second_factor_reset_ends_sessions_and_tokens(city):
    user = city.user(Role.CENTER_ADMIN)
    session, tokens, token = _signed_in_with_token(city, user)  # enrolled and verified
    services.totp_reset(actor=city.user(Role.SECURITY_ADMIN), user=user)
    _assert_access_ended(user, session, tokens, token)


def test_a_token_of_an_account_that_owes_its_second_factor_waits_for_enrollment(city):
    """A token from before the rule (or from before the role): the account now needs a second factor
    it never enrolled, so the token is refused until the user enrolls, as a session would be."""
    admin = city.user(Role.CENTER_ADMIN)
    tokens, _token = token_client(admin)  # made directly by the service, as the old bug allowed
    assert tokens.get("/api/v1/users/me/").status_code == 403
    TOTPDevice.objects.create(user=admin, name="phone", confirmed=True)
    assert tokens.get("/api/v1/users/me/").status_code == 200


def test_a_token_request_racing_a_role_change_does_not_outlive_it(city):
    user = city.user(Role.CENTER_REVIEWER)
    as_signed_in = User.objects.get(pk=user.pk)  # the request's user, loaded before the change
    services.role_grant(actor=city.user(Role.SECURITY_ADMIN), user=user, role=Role.CENTER_ADMIN)
    with pytest.raises(PermissionDenied):
        services.token_create(actor=as_signed_in, name="late", expires_in_days=30)
    assert not ApiToken.objects.filter(user=user).exists()


def test_an_ordinary_change_keeps_sessions_and_tokens(city):
    user = city.user(Role.DEPARTMENT_APPLICANT)
    session, tokens, _token = _signed_in_with_token(city, user)
    services.user_update(actor=city.user(Role.SYSTEM_ADMIN), user=user, full_name="新名字", title="科长")
    services.user_set_roles(actor=city.user(Role.SECURITY_ADMIN), user=user, roles={Role.DEPARTMENT_APPLICANT})
    assert session.get("/api/v1/users/me/").status_code == 200
    assert tokens.get("/api/v1/users/me/").status_code == 200
    assert not AuditEvent.objects.filter(action="user.access_end").exists()


def test_admin_password_reset_revokes_every_token(city):
    user = city.user(Role.DEPARTMENT_APPLICANT)
    first, _t1 = token_client(user)
    second, _t2 = token_client(user)
    services.user_reset_password(actor=city.user(Role.SYSTEM_ADMIN), user=user)
    assert first.get("/api/v1/users/me/").status_code == 401
    assert second.get("/api/v1/users/me/").status_code == 401
    assert not ApiToken.objects.filter(user=user, revoked_at__isnull=True).exists()


def test_own_password_change_keeps_the_current_session(client, city):
    user = city.user(Role.DEPARTMENT_APPLICANT)
    attempt(client, user.username, TEST_PASSWORD)
    response = client.post(
        reverse("organizations:password_change"),
        {"old_password": TEST_PASSWORD, "new_password": "Fresh-Start-2026", "new_password_again": "Fresh-Start-2026"},
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200


# --- 3. Tokens are made from a signed-in, second-factor-verified page session --------------------------


def test_a_token_cannot_mint_a_token(city):
    user = city.user(Role.DEPARTMENT_APPLICANT)
    tokens, _parent = token_client(user)
    response = tokens.post("/api/v1/tokens/", {"name": "child", "expires_in_days": 365}, format="json")
    assert response.status_code == 403
    assert "浏览器会话" in str(response.data["detail"])  # a clear reason, in Chinese by default
    assert ApiToken.objects.filter(user=user).count() == 1


def test_a_verified_session_creates_a_token_through_the_api(city):
    user = city.user(Role.CENTER_ADMIN)
    session = login(APIClient(), user)  # TOTP verified, as the login page leaves it
    response = session.post("/api/v1/tokens/", {"name": "report", "expires_in_days": 30}, format="json")
    assert response.status_code == 201 and response.data["token"].startswith("gct_")


def test_a_session_that_owes_the_second_factor_cannot_create_a_token(city):
    user = city.user(Role.CENTER_ADMIN)
    session = APIClient()
    assert attempt(session, user.username, TEST_PASSWORD).status_code == 302  # not enrolled yet
    response = session.post("/api/v1/tokens/", {"name": "x", "expires_in_days": 30}, format="json")
    assert response.status_code == 403
    assert not ApiToken.objects.filter(user=user).exists()


def test_token_page_refuses_a_session_that_owes_the_second_factor(client, city):
    """A session whose login did not ask for a second factor (the account then needed none) and whose
    account now needs one: the page must not hand out a token."""
    user = city.user(Role.CENTER_ADMIN)
    client.force_login(user)
    response = client.post(reverse("organizations:token_list"), {"name": "x", "expires_in_days": 30})
    assert response.status_code == 403
    assert not ApiToken.objects.filter(user=user).exists()
    # Enrolled now, but this session has not verified the device: still refused.
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    assert client.post(reverse("organizations:token_list"), {"name": "x", "expires_in_days": 30}).status_code == 403
    assert not ApiToken.objects.filter(user=user).exists()
