"""While PostgreSQL restarts (scripts/faults.py does it under load) every request answered 500, the
crash page, as if the code were broken. It answers 503 with Retry-After: a client or a load balancer
retries, and the page says to try again in a few seconds."""

from __future__ import annotations

import json

import pytest
from django.db import InterfaceError, OperationalError
from django.utils import translation

from govcloud.applications.tests.helpers import api_for
from govcloud.core.api import errors


def _answer(rf, path: str, exc: Exception | None):
    request = rf.get(path)
    if exc is None:
        return errors.server_error(request)
    try:
        raise exc
    except type(exc):
        return errors.server_error(request)


@pytest.mark.parametrize("exc", [OperationalError("the database system is shutting down"), InterfaceError("closed")])
def test_a_lost_database_answers_503_with_retry_after_on_pages_and_the_api(rf, exc):
    with translation.override("zh-hans"):
        api = _answer(rf, "/api/v1/applications/", exc)
    assert api.status_code == 503 and api["Retry-After"] == "5"
    assert "几秒钟后重试" in json.loads(api.content)["detail"]
    page = _answer(rf, "/applications/", exc)
    assert page.status_code == 503 and page["Retry-After"] == "5"
    assert "系统暂时无法访问" in page.content.decode()


def test_any_other_crash_is_still_a_500(rf):
    assert _answer(rf, "/api/v1/applications/", RuntimeError("a bug")).status_code == 500
    page = _answer(rf, "/applications/", None)
    assert page.status_code == 500 and not page.has_header("Retry-After")


@pytest.mark.django_db
def test_an_api_call_whose_database_went_away_answers_503(wf, monkeypatch):
    from govcloud.applications.api import views as api_views

    def lost(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(api_views.ApplicationViewSet, "list", lost)
    api = api_for(wf.applicant)
    api.raise_request_exception = False
    response = api.get("/api/v1/applications/")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert response.json()["detail"] == "The service is briefly unavailable. Try again in a few seconds."
