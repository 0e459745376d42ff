"""The metrics endpoint: closed without the token or from another address, the exposition format
with them; the request counters, task queues and overdue applications it reports."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max
from prometheus_client.parser import text_string_to_metric_families

from govcloud.applications.models import Application, ApplicationState
from govcloud.applications.tests.helpers import new_application, seed_catalog
from govcloud.core.roles import Role
from govcloud.observability import selectors

pytestmark = pytest.mark.django_db
URL = "/metrics"
TOKEN = "scrape-token-0123456789abcdef"
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def samples(body: bytes) -> dict:
    """{(name, frozenset(labels)): value} for every sample of the scrape (the parser refuses
    anything that is not the exposition format)."""
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(body.decode())
        for s in family.samples
    }


@pytest.fixture
def token(settings):
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_NETWORKS = []
    return TOKEN


def test_closed_when_nothing_is_configured(client, settings, city):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_NETWORKS = []
    settings.GOVCLOUD_SECRETS_FILE = ""
    assert client.get(URL).status_code == 404
    # Not even for a signed-in administrator, nor with a made-up token.
    client.force_login(city.user(Role.CENTER_ADMIN))
    assert client.get(URL, HTTP_AUTHORIZATION="Bearer anything").status_code == 404


def test_refuses_without_the_token_and_answers_with_it(client, token):
    assert client.get(URL).status_code == 404
    assert client.get(URL, HTTP_AUTHORIZATION="Bearer wrong-token").status_code == 404
    assert client.get(URL, HTTP_AUTHORIZATION=f"Basic {TOKEN}").status_code == 404
    client.get("/healthz")
    response = client.get(URL, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    assert response["Cache-Control"].startswith("max-age=0")
    found = samples(response.content)
    health = frozenset({("route", "/healthz"), ("method", "GET"), ("status", "200")})
    assert found[("govcloud_http_requests_total", health)] >= 1
    refused = frozenset({("route", "/metrics"), ("method", "GET"), ("status", "404")})
    assert found[("govcloud_http_requests_total", refused)] >= 3
    bucket = frozenset({("route", "/healthz"), ("method", "GET"), ("le", "+Inf")})
    assert found[("govcloud_http_request_duration_seconds_bucket", bucket)] >= 1
    assert ("govcloud_applications_overdue", frozenset({("step", "decision")})) in found


def test_unknown_paths_share_one_series(client, token):
    client.get("/no/such/page/12345")
    found = samples(client.get(URL, HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content)
    assert not any(dict(labels).get("route", "").startswith("/no/such") for _name, labels in found)
    unmatched = frozenset({("route", "<unmatched>"), ("method", "GET"), ("status", "404")})
    assert found[("govcloud_http_requests_total", unmatched)] >= 1


def test_address_allowlist(client, settings, token):
    settings.METRICS_ALLOWED_NETWORKS = ["10.20.0.0/16"]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}
    assert client.get(URL, REMOTE_ADDR="127.0.0.1", **auth).status_code == 404
    assert client.get(URL, REMOTE_ADDR="10.20.3.4", **auth).status_code == 200
    assert client.get(URL, REMOTE_ADDR="10.20.3.4").status_code == 404  # the token is still needed
    # An allowlist alone (no token) opens the endpoint to those addresses only.
    settings.METRICS_TOKEN = ""
    assert client.get(URL, REMOTE_ADDR="10.20.3.4").status_code == 200
    assert client.get(URL, REMOTE_ADDR="10.21.0.1").status_code == 404


def test_token_from_the_secrets_file(client, settings, tmp_path):
    secrets = tmp_path / "secrets.json"
    secrets.write_text(json.dumps({"metrics": {"token": TOKEN}}))
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_NETWORKS = []
    settings.GOVCLOUD_SECRETS_FILE = str(secrets)
    assert client.get(URL).status_code == 404
    assert client.get(URL, HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200
    secrets.write_text("not json")
    assert client.get(URL, HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 404


def _task(status, *, enqueued_at, run_after=None, queue="default"):
    row = DBTaskResult.objects.create(
        task_path="govcloud.core.tasks.nothing",
        args_kwargs={"args": [], "kwargs": {}},
        status=status,
        queue_name=queue,
        backend_name="default",
        run_after=run_after or get_date_max(),
    )
    DBTaskResult.objects.filter(pk=row.pk).update(enqueued_at=enqueued_at)


def test_database_task_queue_depth_age_and_failures(client, settings, token, time_machine):
    time_machine.move_to("2026-11-26 10:00:00+08:00", tick=False)
    settings.TASKS = DB_TASKS
    now = timezone.now()
    _task(TaskResultStatus.READY, enqueued_at=now - timedelta(minutes=5))
    _task(TaskResultStatus.READY, enqueued_at=now - timedelta(minutes=1))
    # Scheduled for later: not waiting yet, and not the oldest.
    _task(TaskResultStatus.READY, enqueued_at=now - timedelta(hours=2), run_after=now + timedelta(hours=1))
    # Scheduled, due ten minutes ago: waiting since it became due, not since it was enqueued.
    due = now - timedelta(minutes=10)
    _task(TaskResultStatus.READY, enqueued_at=now - timedelta(hours=3), run_after=due, queue="x")
    _task(TaskResultStatus.FAILED, enqueued_at=now - timedelta(hours=1))
    _task(TaskResultStatus.RUNNING, enqueued_at=now - timedelta(seconds=30))

    found = samples(client.get(URL, HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content)
    default = frozenset({("backend", "db"), ("queue", "default")})
    other = frozenset({("backend", "db"), ("queue", "x")})
    assert found[("govcloud_task_queue_depth", default)] == 2
    assert found[("govcloud_task_queue_oldest_age_seconds", default)] == 300
    assert found[("govcloud_tasks_failed", default)] == 1
    assert found[("govcloud_tasks_running", default)] == 1
    assert found[("govcloud_task_queue_depth", other)] == 1
    assert found[("govcloud_task_queue_oldest_age_seconds", other)] == 600
    assert found[("govcloud_task_backend_up", frozenset())] == 1


def test_an_empty_database_queue_reports_zeros(settings):
    settings.TASKS = DB_TASKS
    assert selectors.task_queues() == [selectors.QueueState(backend="db", name="default")]


def test_overdue_applications_by_step(client, wf, token):
    seed_catalog()
    past = timezone.now() - timedelta(hours=1)
    future = timezone.now() + timedelta(days=1)
    S = ApplicationState

    def app(state, **due):
        a = new_application(wf)
        Application.objects.filter(pk=a.pk).update(state=state, **due)

    app(S.SUBMITTED, acceptance_due_at=past, decision_due_at=future)  # acceptance late only
    app(S.ACCEPTED, decision_due_at=past)
    app(S.SUBMITTED, acceptance_due_at=past, decision_due_at=past)  # both clocks are late
    app(S.IN_DELIVERY, delivery_due_at=past)
    app(S.IN_DELIVERY, delivery_due_at=future)
    app(S.DELIVERED, delivery_due_at=past)  # delivered: its delivery clock has stopped
    app(S.DRAFT, acceptance_due_at=past)
    found = samples(client.get(URL, HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content)
    overdue = {
        dict(labels)["step"]: v for (name, labels), v in found.items() if name == "govcloud_applications_overdue"
    }
    assert overdue == {"acceptance": 2, "decision": 2, "delivery": 1}
