"""Login and account security as MLPS level 3 expects: lockout, TOTP for administrators, forced
password change, idle sessions; every login event audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from govcloud.audit.models import AuditEvent
from govcloud.core.policy import Policy
from govcloud.core.roles import Role
from govcloud.organizations import services
from govcloud.policies.services import policy_set
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


def attempt(client, username, password, ip="10.9.8.7"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_login_success_and_failure_are_audited(client, city):
    user = city.user(Role.DEPARTMENT_APPLICANT)
    attempt(client, user.username, "wrong-password")
    response = attempt(client, user.username, TEST_PASSWORD)
    assert response.status_code == 302
    failed = AuditEvent.objects.get(action="auth.login_failed")
    assert failed.actor_username == user.username and failed.source_ip == "10.9.8.7" and failed.outcome == "failure"
    ok = AuditEvent.objects.get(action="auth.login")
    assert ok.actor_id == user.pk and ok.request_id


def test_five_failures_lock_the_account_for_fifteen_minutes(client, city, time_machine):
    time_machine.move_to("2026-11-26 10:00:00+08:00", tick=False)
    user = city.user(Role.DEPARTMENT_APPLICANT)
    for i in range(5):
        attempt(client, user.username, f"wrong-{i}", ip=f"10.0.0.{i + 1}")  # other addresses each time
    # Even the right password is refused now, from yet another address: locked by account.
    response = attempt(client, user.username, TEST_PASSWORD, ip="10.0.0.99")
    assert response.status_code == 429
    assert AuditEvent.objects.filter(action="auth.lockout").exists()
    time_machine.shift(timedelta(minutes=14))
    assert attempt(client, user.username, TEST_PASSWORD, ip="10.0.0.99").status_code == 429
    time_machine.shift(timedelta(minutes=2))
    assert attempt(client, user.username, TEST_PASSWORD, ip="10.0.0.99").status_code == 302


def test_five_failures_from_one_address_lock_the_address(client, city):
    victim = city.user(Role.DEPARTMENT_APPLICANT)
    for i in range(5):
        attempt(client, f"nobody{i}", "guess", ip="10.66.0.1")
    assert attempt(client, victim.username, TEST_PASSWORD, ip="10.66.0.1").status_code == 429
    # The account itself is not locked from elsewhere.
    assert attempt(client, victim.username, TEST_PASSWORD, ip="10.66.0.2").status_code == 302


def test_security_admin_sees_and_lifts_a_lockout(client, city, login_as):
    user = city.user(Role.DEPARTMENT_APPLICANT)
    for i in range(5):
        attempt(client, user.username, f"wrong-{i}")
    admin = city.user(Role.SECURITY_ADMIN)
    login_as(admin)
    page = client.get(reverse("organizations:lockout_list"))
    assert user.username in page.content.decode()
    client.post(reverse("organizations:lockout_list"), {"username": user.username, "ip_address": ""})
    assert AuditEvent.objects.filter(action="auth.unlock", actor_id=admin.pk).exists()
    client.logout()
    assert attempt(client, user.username, TEST_PASSWORD).status_code == 302


def test_lockout_numbers_follow_the_policy(client, city):
    policy_set(actor=city.user(Role.SECURITY_ADMIN), key=Policy.LOCKOUT_FAILURE_LIMIT, raw="3")
    user = city.user(Role.DEPARTMENT_APPLICANT)
    for i in range(3):
        attempt(client, user.username, f"wrong-{i}")
    assert attempt(client, user.username, TEST_PASSWORD).status_code == 429


def test_lockout_page_is_only_for_the_security_admin(client, city, login_as):
    login_as(city.user(Role.SYSTEM_ADMIN))
    assert client.get(reverse("organizations:lockout_list")).status_code == 403


@pytest.mark.parametrize("role", [Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN, Role.CENTER_ADMIN])
def test_admin_roles_must_enroll_totp_before_anything(client, city, role):
    user = city.user(role)
    response = attempt(client, user.username, TEST_PASSWORD)
    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 302 and home["Location"] == reverse("organizations:otp_setup")
    assert client.get(reverse("organizations:user_list")).status_code == 302
    # The API refuses too, until the second factor is verified.
    assert client.get("/api/v1/users/me/").status_code == 403
    # Enrolling with a correct code opens the door.
    client.get(reverse("organizations:otp_setup"))
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    code = f"{totp(device.bin_key):06d}"
    response = client.post(reverse("organizations:otp_setup"), {"token": code})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="totp.enroll", actor_id=user.pk).exists()


def test_enrolled_user_is_asked_for_the_code_at_login(client, city):
    user = city.user(Role.CENTER_ADMIN)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    attempt(client, user.username, TEST_PASSWORD)
    assert client.get("/")["Location"] == reverse("organizations:otp_verify")
    bad = client.post(reverse("organizations:otp_verify"), {"token": "000000" if totp(device.bin_key) else "111111"})
    assert bad.status_code == 200
    assert AuditEvent.objects.filter(action="auth.otp_failed").exists()
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    good = client.post(reverse("organizations:otp_verify"), {"token": f"{totp(device.bin_key):06d}"})
    assert good.status_code == 302
    assert client.get("/").status_code == 200


def test_department_user_without_totp_is_not_asked(client, city):
    user = city.user(Role.DEPARTMENT_APPLICANT)
    attempt(client, user.username, TEST_PASSWORD)
    assert client.get("/").status_code == 200


def test_wrong_code_at_enrollment_changes_nothing(client, city):
    user = city.user(Role.AUDIT_ADMIN)
    attempt(client, user.username, TEST_PASSWORD)
    client.get(reverse("organizations:otp_setup"))
    device = TOTPDevice.objects.get(user=user)
    wrong = f"{(totp(device.bin_key) + 1) % 1_000_000:06d}"
    client.post(reverse("organizations:otp_setup"), {"token": wrong})
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get("/").status_code == 302


def test_temporary_password_must_be_changed_first(client, city):
    admin = city.user(Role.SYSTEM_ADMIN)
    user, password = services.user_create(actor=admin, username="fresh", full_name="新", organization=city.dept_a)
    services.user_set_roles(actor=city.user(Role.SECURITY_ADMIN), user=user, roles={Role.DEPARTMENT_APPLICANT})
    attempt(client, "fresh", password)
    assert client.get("/")["Location"] == reverse("organizations:password_change")
    response = client.post(
        reverse("organizations:password_change"),
        {"old_password": password, "new_password": "Fresh-Start-2026", "new_password_again": "Fresh-Start-2026"},
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_weak_new_password_is_refused_with_a_message(client, city):
    user = city.user(Role.DEPARTMENT_APPLICANT)
    attempt(client, user.username, TEST_PASSWORD)
    response = client.post(
        reverse("organizations:password_change"),
        {"old_password": TEST_PASSWORD, "new_password": "short", "new_password_again": "short"},
    )
    assert response.status_code == 200
    assert "10" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)


def test_password_older_than_90_days_must_be_changed(client, city):
    user = city.user(Role.DEPARTMENT_APPLICANT, password_changed_at=timezone.now() - timedelta(days=91))
    attempt(client, user.username, TEST_PASSWORD)
    assert client.get("/")["Location"] == reverse("organizations:password_change")


def test_sessions_expire_after_30_idle_minutes(client, city, time_machine):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE
    time_machine.move_to("2026-11-26 09:00:00+08:00", tick=False)
    user = city.user(Role.DEPARTMENT_APPLICANT)
    attempt(client, user.username, TEST_PASSWORD)
    # Active every 20 minutes for an hour: still signed in.
    for _ in range(3):
        time_machine.shift(timedelta(minutes=20))
        assert client.get("/").status_code == 200
    # Then 31 idle minutes: signed out.
    time_machine.shift(timedelta(minutes=31))
    response = client.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_logout_is_audited(client, city):
    user = city.user(Role.DEPARTMENT_APPLICANT)
    attempt(client, user.username, TEST_PASSWORD)
    client.post(reverse("organizations:logout"))
    assert AuditEvent.objects.filter(action="auth.logout", actor_id=user.pk).exists()


def test_api_session_with_an_expired_password_is_refused(client, city):
    user = city.user(Role.DEPARTMENT_APPLICANT, password_changed_at=timezone.now() - timedelta(days=91))
    attempt(client, user.username, TEST_PASSWORD)
    assert client.get("/api/v1/users/me/").status_code == 403


def test_page_fragments_are_not_redirected_to_the_set_up_page(client, city):
    user = city.user(Role.SECURITY_ADMIN)
    attempt(client, user.username, TEST_PASSWORD)
    response = client.get(reverse("notifications:notification_badge"), HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and not response.content


def test_logout_by_get_asks_for_confirmation_and_signs_nobody_out(client, city):
    """A typed or bookmarked /accounts/logout/ answered 405 (the browser's error page): it now asks,
    and only the POST of its button signs out."""
    user = city.user(Role.DEPARTMENT_APPLICANT, full_name="孙伟")
    attempt(client, user.username, TEST_PASSWORD)
    response = client.get(reverse("organizations:logout"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert "孙伟" in response.content.decode() and 'data-testid="logout-confirm"' in response.content.decode()
    assert client.get("/").status_code == 200  # still signed in
    client.post(reverse("organizations:logout"))
    assert client.get("/").status_code == 302


def test_logout_by_get_when_signed_out_goes_to_the_login_page(client):
    response = client.get(reverse("organizations:logout"))
    assert response.status_code == 302 and response["Location"].endswith(reverse("organizations:login"))
