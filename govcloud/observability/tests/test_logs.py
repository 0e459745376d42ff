"""Structured logs: one JSON object a line in production, carrying the request id that the
request's audit events carry."""

from __future__ import annotations

import io
import json
import logging

import pytest
from django.conf import settings

from govcloud.audit.models import AuditEvent
from govcloud.core.roles import Role
from govcloud.observability.logs import JsonFormatter, RequestIdFilter
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_lines():
    """The request log written through the production formatter, into a buffer."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("govcloud.requests")
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.DEBUG)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)


def test_production_logs_json_and_debug_logs_text():
    # The suite runs with DEBUG off, as production does.
    assert settings.LOG_FORMAT == "json"
    assert settings.LOGGING["handlers"]["console"]["formatter"] == "json"
    assert "request_id" in settings.LOGGING["formatters"]["text"]["format"]


def test_the_request_log_carries_the_audit_events_request_id(client, city, json_lines):
    user = city.user(Role.DEPARTMENT_APPLICANT)
    response = client.post("/accounts/login/", {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="auth.login", actor_id=user.pk)
    assert event.request_id == response["X-Request-ID"]
    lines = [line for line in json_lines() if line["path"] == "/accounts/login/"]
    assert len(lines) == 1
    line = lines[0]
    assert line["request_id"] == event.request_id
    assert line["level"] == "INFO" and line["logger"] == "govcloud.requests"
    assert line["method"] == "POST" and line["status"] == 302 and line["route"] == "/accounts/login/"
    assert isinstance(line["duration_ms"], float)


def test_a_log_line_inside_a_request_takes_the_id_from_the_request_context(client, city):
    """Any logger, not only the request log: a line written while the request runs (here a warning
    from a view) carries the id without the code passing it."""
    from govcloud.core import context

    record = logging.LogRecord("govcloud.x", logging.WARNING, __file__, 1, "slow %s", ("page",), None)
    token = context.set_current(context.RequestContext(request_id="req-0123456789"))
    try:
        line = json.loads(JsonFormatter().format(record))
    finally:
        context.reset(token)
    assert line["request_id"] == "req-0123456789" and line["message"] == "slow page"
    # Outside a request (a task, a command) there is none.
    assert json.loads(JsonFormatter().format(record))["request_id"] is None


def test_exceptions_and_odd_extras_stay_one_json_line():
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record = logging.LogRecord("govcloud.x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    record.when = object()  # not JSON: logged as its text
    text = JsonFormatter().format(record)
    assert "\n" not in text
    line = json.loads(text)
    assert "ValueError: boom" in line["exception"] and line["when"].startswith("<object")


def test_djangos_own_error_lines_carry_the_request_id(client):
    """django.request's "Not Found" line is written after the middleware has finished (the request
    context is gone); the id comes from the request the record carries."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        response = client.get("/no/such/page/")
    finally:
        logger.removeHandler(handler)
    assert response.status_code == 404
    (line,) = [json.loads(text) for text in stream.getvalue().splitlines()]
    assert line["request_id"] == response["X-Request-ID"] and line["level"] == "WARNING"
    assert "request" not in line  # the request object itself is not logged
