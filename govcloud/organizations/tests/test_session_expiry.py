"""The idle logout, announced (issue 16 §4): the page carries the timeout for web/session.js, the
keep-alive restarts the idle clock, and a browser whose session ended is told so on the login page
and brought back to where it was."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse

from govcloud.core.roles import Role
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(client, user):
    response = client.post(reverse("organizations:login"), {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302


def test_pages_carry_the_idle_timeout_and_the_warning(client, city):
    sign_in(client, city.user(Role.DEPARTMENT_APPLICANT))
    body = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f'data-session-idle-seconds="{settings.SESSION_COOKIE_AGE}"' in body
    assert 'data-keep-alive-url="/accounts/session/keep-alive/"' in body
    assert "web/session.js" in body and 'data-testid="session-warning"' in body and "继续办理" in body


def test_keep_alive_restarts_the_idle_clock(client, city):
    sign_in(client, city.user(Role.DEPARTMENT_APPLICANT))
    session = Session.objects.get()
    before = session.expire_date
    stored = client.session
    stored["_touched"] = 0  # the last save was long ago
    stored.save()
    response = client.post(reverse("organizations:session_keep_alive"))
    assert response.status_code == 204
    assert Session.objects.get().expire_date >= before
    assert client.session["_touched"] > 0


def test_keep_alive_of_an_ended_session_answers_401(client):
    assert client.post(reverse("organizations:session_keep_alive")).status_code == 401


def test_an_expired_session_is_told_so_and_sent_back_to_its_page(client, city):
    sign_in(client, city.user(Role.DEPARTMENT_APPLICANT))
    Session.objects.all().delete()  # the idle timeout ended it on the server; the browser keeps its cookie
    response = client.get("/applications/new/?kind=change")
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("/accounts/login/?next=") and "expired=1" in location
    assert "next=/applications/new/%3Fkind%3Dchange" in location
    page = client.get(location, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'data-testid="session-expired"' in page and "会话已过期，请重新登录" in page


def test_a_visitor_who_never_signed_in_is_not_told_of_an_expired_session(client):
    response = client.get("/applications/new/")
    assert response.status_code == 302 and "expired=1" not in response["Location"]
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "会话已过期" not in page


def test_a_token_client_gets_no_session(client, city):
    """A program calling the API with its token is not a browser: no session row, no cookie. The idle
    clock touched a new session on every token request (seen by the API fuzzing), one row per call."""
    from tests.factories import api_token_for

    token = api_token_for(city.user(Role.PROVIDER_OPERATOR))
    for _ in range(3):
        response = client.get("/api/v1/applications/", HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code == 200
        assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert not Session.objects.exists()


def test_a_signed_in_browser_is_still_touched(client, city):
    sign_in(client, city.user(Role.DEPARTMENT_APPLICANT))
    stored = client.session
    stored["_touched"] = 0
    stored.save()
    client.get("/")
    assert client.session["_touched"] > 0
