"""The page shell (navigation bar) before and after the account steps a login may owe."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from govcloud.core.roles import Role
from tests.factories import TEST_PASSWORD


def sign_in(client, user):
    return client.post(reverse("organizations:login"), {"username": user.username, "password": TEST_PASSWORD})


def nav_of(response) -> str:
    html = response.content.decode()
    return html[html.index("<nav") : html.index("</nav>")]


def test_no_navigation_before_the_second_factor_is_set_up(client, city):
    """An administrator who has signed in but not yet enrolled TOTP saw the whole navigation (each link
    then redirected back to the set-up page); now only the language and log-out are offered."""
    admin = city.user(Role.CENTER_ADMIN)
    response = client.get(sign_in(client, admin)["Location"], follow=True)
    assert response.request["PATH_INFO"] == reverse("organizations:otp_setup")
    nav = nav_of(response)
    assert 'data-testid="nav-group"' not in nav
    assert reverse("applications:application_list") not in nav
    assert reverse("notifications:notification_list") not in nav
    assert reverse("organizations:token_list") not in nav
    assert 'data-testid="logout"' in nav and 'data-testid="language-menu"' in nav


def test_no_navigation_before_a_required_password_change(client, city):
    user = city.user(Role.DEPARTMENT_APPLICANT, must_change_password=True)
    sign_in(client, user)
    response = client.get(reverse("organizations:password_change"))
    nav = nav_of(response)
    assert reverse("applications:application_list") not in nav
    assert 'data-testid="logout"' in nav


def test_the_navigation_once_the_account_is_in_order(client, city):
    user = city.user(Role.DEPARTMENT_APPLICANT, password_changed_at=timezone.now())
    sign_in(client, user)
    nav = nav_of(client.get("/"))
    assert reverse("applications:application_list") in nav
    assert reverse("notifications:notification_list") in nav


def _title(response) -> str:
    html = response.content.decode()
    return html[html.index("<title>") + len("<title>") : html.index("</title>")].strip()


def test_a_page_title_is_separated_from_the_site_name(client, city):
    """The title read "登录政务云平台管理系统": base.html asked `{% if self.title %}`, which Django
    templates always answer with false."""
    from django.utils import translation

    with translation.override("zh-hans"):
        response = client.get(reverse("organizations:login"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert _title(response) == "登录 · 政务云平台管理系统"
    user = city.user(Role.DEPARTMENT_APPLICANT)
    sign_in(client, user)
    response = client.get(reverse("applications:application_list"))
    title = _title(response)
    assert title.endswith(" · GovCloud") or title.endswith(" · 政务云平台管理系统")
    assert not title.startswith(" · ")
