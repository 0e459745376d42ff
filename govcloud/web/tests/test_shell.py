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


def test_the_memoized_menu_is_the_menu_rendered_afresh(client, city, settings):
    """The menu bar is rendered once per roles, active item and language (web/context_processors.py):
    what a page shows must be what rendering it afresh shows, per role, page and language, and the
    active item must follow the page."""
    from django.utils import translation

    from govcloud.web.context_processors import _navigation, shell

    settings.DEBUG = False
    _navigation.cache_clear()
    for role in (Role.CENTER_REVIEWER, Role.DEPARTMENT_APPLICANT, Role.PROVIDER_OPERATOR):
        client.logout()
        sign_in(client, city.user(role))
        for language in ("zh-hans", "en"):
            client.post(reverse("set_language"), {"language": language})
            menus = set()
            for name in ("applications:application_list", "ledger:resource_list", "web:home"):
                response = client.get(reverse(name))
                assert response.status_code == 200
                assert language == response.wsgi_request.LANGUAGE_CODE
                with translation.override(language):
                    memoized = shell(response.wsgi_request)["navigation"]
                    settings.DEBUG = True  # the context processor renders afresh under DEBUG
                    afresh = shell(response.wsgi_request)["navigation"]
                    settings.DEBUG = False
                assert memoized == afresh
                assert memoized in response.content.decode()
                menus.add(memoized)
                hits = _navigation.cache_info().hits
                assert client.get(reverse(name)).status_code == 200
                assert _navigation.cache_info().hits == hits + 1, "the second request reads the memo"
            assert len(menus) == 3, "each page marks its own item active"
