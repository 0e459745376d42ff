"""The load balancer's probes: /healthz (alive) and /readyz (ready to serve).

Both answer a plain-HTTP probe even though every other page redirects to HTTPS, need no login and
no second factor, and never put an error's message (hosts, passwords) in their answer."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import OperationalError
from django.urls import reverse

from govcloud.core.roles import Role
from govcloud.web import health
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

HEALTHZ = "/healthz"
READYZ = "/readyz"


@pytest.fixture
def https_only(settings):
    # Production's setting (the test settings turn it off for every other test). The middleware
    # reads it when the test client's handler starts, at its first request.
    settings.SECURE_SSL_REDIRECT = True
    return settings


def test_the_probe_urls_are_the_named_routes():
    assert reverse("healthz") == HEALTHZ and reverse("readyz") == READYZ


def test_probes_answer_plain_http_while_pages_redirect_to_https(client, https_only):
    page = client.get(reverse("organizations:login"))
    assert page.status_code == 301 and page["Location"].startswith("https://")
    for url in (HEALTHZ, READYZ):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.get("Location"))
        assert response.json()["status"] == "ok"


def test_readyz_reports_each_check(client):
    answer = client.get(READYZ)
    assert answer.status_code == 200
    assert answer["Cache-Control"].startswith("max-age=0")
    body = answer.json()
    assert body == {
        "status": "ok",
        "checks": {"database": {"ok": True}, "tasks": {"ok": True, "detail": "immediate"}, "storage": {"ok": True}},
    }


def test_readyz_reaches_the_database_task_table(client, settings):
    settings.TASKS_BACKEND = "db"
    answer = client.get(READYZ).json()
    assert answer["checks"]["tasks"] == {"ok": True, "detail": "db"}


def test_readyz_leaves_no_file_behind(client, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    assert client.get(READYZ).status_code == 200
    assert list((tmp_path / "private").iterdir()) == []


def test_unwritable_storage_makes_readyz_503(client, settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the private folder should be")
    settings.PRIVATE_MEDIA_ROOT = blocker / "private"
    answer = client.get(READYZ)
    assert answer.status_code == 503
    body = answer.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["storage"]["ok"] is False and body["checks"]["storage"]["error"]
    assert body["checks"]["database"] == {"ok": True}
    assert str(tmp_path) not in answer.content.decode()


def test_unreachable_redis_makes_readyz_503_without_naming_it(client, settings):
    settings.TASKS_BACKEND = "rq"
    settings.RQ_QUEUES = {"default": {"URL": "redis://:s3cret-redis-password@127.0.0.1:1/0"}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    answer = client.get(READYZ)
    assert answer.status_code == 503
    assert answer.json()["checks"]["tasks"] == {"ok": False, "error": "ConnectionError"}
    text = answer.content.decode()
    assert "s3cret" not in text and "127.0.0.1" not in text


def test_database_failure_makes_readyz_503_without_its_message(client):
    secret = "could not connect to server at db.internal: password authentication failed for gc:hunter2"
    broken = mock.MagicMock()
    broken.cursor.side_effect = OperationalError(secret)
    with mock.patch.object(health, "connection", broken):
        answer = client.get(READYZ)
    assert answer.status_code == 503
    assert answer.json()["checks"]["database"] == {"ok": False, "error": "OperationalError"}
    assert "hunter2" not in answer.content.decode() and "db.internal" not in answer.content.decode()


@pytest.mark.redis
def test_readyz_pings_redis(client, settings):
    import os

    settings.TASKS_BACKEND = "rq"
    settings.RQ_QUEUES = {"default": {"URL": os.environ["REDIS_URL"]}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    assert client.get(READYZ).json()["checks"]["tasks"] == {"ok": True, "detail": "rq"}


def test_probes_need_no_second_factor(client, city):
    """An administrator half-way through login (password given, TOTP not yet) is sent to the TOTP
    page from every page, but a probe from the same browser still answers."""
    admin = city.user(Role.SYSTEM_ADMIN)
    client.post(reverse("organizations:login"), {"username": admin.username, "password": TEST_PASSWORD})
    assert client.get("/")["Location"] == reverse("organizations:otp_setup")
    for url in (HEALTHZ, READYZ):
        assert client.get(url).status_code == 200, url


def test_probes_need_no_login(client):
    assert client.get("/").status_code == 302
    for url in (HEALTHZ, READYZ):
        assert client.get(url).status_code == 200, url
