"""Every REST API operation, walked from the OpenAPI schema with junk and with plausible input:
never a server error, every error JSON, every success as the schema describes it.

- junk ids in the URL (`abc`, `1,2`, a 20-digit number...) answer the API's JSON 404;
- every documented query parameter given junk answers 400 naming it (when the junk is not a value
  its schema allows) and never 5xx;
- every request body — empty, required fields only, every field, each field junk in turn — answers
  a 4xx JSON error or a success the schema describes (a serializer that lets through what its
  service cannot take shows up here as a 500);
- anything under /api/ that no route matches, or that crashes, answers JSON, not the HTML page.

The walk runs on the demo city (govcloud/web/demo.py) as a user holding every role, so that role
checks let the requests through to the validation behind them.
"""

from __future__ import annotations

import logging
import re
import uuid

import pytest

from govcloud.core.roles import Role
from govcloud.web.api.views import JobViewSet
from tests.apiwalk import (
    JUNK_IDS,
    DemoCity,
    api_client,
    body_variants,
    call,
    conforms,
    describe,
    is_json,
    junk_for,
    omni_user,
    openapi,
    operations,
    report,
)
from tests.urlwalk import named_patterns

pytestmark = pytest.mark.django_db

MISSING = {"integer": 987654321987654, "uuid": str(uuid.UUID(int=1)), "string": "no_such_thing"}


@pytest.fixture(autouse=True)
def _quiet_request_log():
    # Thousands of deliberate 4xx answers would each log a warning.
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    yield
    logger.setLevel(level)


# --- routes and the schema ------------------------------------------------------------------------


def _schema_path(route: str) -> str:
    """A URL pattern (regex or path syntax) as the schema writes its path: `/api/v1/jobs/{id}/`."""
    path = "/" + route.replace("^", "").replace("$", "")

    def variable(match) -> str:
        name = match.group(1) or match.group(2)
        return "{" + ("id" if name == "pk" else name) + "}"

    return re.sub(r"\(\?P<(\w+)>[^)]*\)|<(?:\w+:)?(\w+)>", variable, path)


def test_every_api_route_is_in_the_schema(city):
    """The walks below take their operations from the schema: it must list every API route."""
    schema = openapi(api_client(city.user(Role.DEPARTMENT_APPLICANT)))
    documented = set(schema["paths"])
    not_operations = {"/api/v1/", "/api/v1/schema/", "/api/v1/docs/"}
    routes = {_schema_path(route) for route in named_patterns().values() if route.startswith("api/")}
    assert routes - not_operations, "no API route found"
    missing = sorted(routes - not_operations - documented)
    assert not missing, f"API routes missing from the OpenAPI schema: {missing}"


# --- junk in the URL -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [None, Role.DEPARTMENT_APPLICANT], ids=["every-role", "applicant"])
def test_junk_and_missing_ids_answer_json_404(city, role):
    user = omni_user(city.center) if role is None else city.user(role)
    client = api_client(user)
    schema = openapi(client)
    failures, walked = [], 0
    for operation in operations(schema):
        names = [p["name"] for p in operation.parameters("path")]
        if not names:
            continue
        walked += 1
        for junk in JUNK_IDS:
            url = operation.url(dict.fromkeys(names, junk))
            response = call(client, operation, url, {})
            if response.status_code != 404 or not is_json(response):
                failures.append(describe(operation, url, response, "junk id"))
        kinds = {p["name"]: p["schema"] for p in operation.parameters("path")}
        missing = {
            name: MISSING["uuid" if node.get("format") == "uuid" else node.get("type", "string")]
            for name, node in kinds.items()
        }
        url = operation.url(missing)
        response = call(client, operation, url, {})
        if response.status_code not in (403, 404) or not is_json(response):
            failures.append(describe(operation, url, response, "missing id"))
    assert walked > 50
    assert not failures, report(failures)


# --- junk in the query string and the body ---------------------------------------------------------


@pytest.fixture
def demo(city):
    return DemoCity(city)


def test_junk_query_parameters_answer_400_naming_them(demo):
    failures, walked = [], 0
    for operation in operations(demo.schema):
        parameters = operation.parameters("query")
        if not parameters:
            continue
        found = demo.path_values(operation)
        if found is None:
            failures.append(f"{operation}: no object in the demo city to walk it with")
            continue
        values, _known = found
        query = demo.required_query(operation, demo.rows(demo.client))
        for parameter in parameters:
            walked += 1
            for junk in junk_for(parameter.get("schema", {})):
                url = operation.url(values, {**query, parameter["name"]: junk})
                response = call(demo.client, operation, url, {})
                failures += demo.checker.problems(operation, url, response)
                if junk == "" or conforms(junk, parameter.get("schema", {})):
                    continue
                named = is_json(response) and isinstance(response.json(), dict) and parameter["name"] in response.json()
                if response.status_code != 400 or not named:
                    failures.append(describe(operation, url, response, f"junk {parameter['name']}={junk!r}"))
    assert walked > 50
    assert not failures, report(failures)


def test_request_bodies_answer_4xx_json_or_what_the_schema_says(demo):
    failures, walked = [], 0
    for operation in operations(demo.schema):
        if operation.method == "get":
            continue
        found = demo.path_values(operation)
        if found is None:
            failures.append(f"{operation}: no object in the demo city to walk it with")
            continue
        values, known = found
        if known is None and operation.method == "post":
            rows = demo.rows(demo.client).get(operation.path)
            known = rows[0] if rows else None
        url = operation.url(values)
        media_type = "multipart/form-data" if operation.request_media_types() == ["multipart/form-data"] else None
        walked += 1
        if media_type is None:
            for raw in ("[", "null"):
                response = call(demo.client, operation, url, raw)
                failures += demo.checker.problems(operation, url, response)
        for label, body in body_variants(demo.schema, operation, known):
            response = call(demo.client, operation, url, body, media_type or "application/json")
            problems = demo.checker.problems(operation, url, response)
            # A crash names the body that caused it; a schema disagreement is the same whatever the body.
            failures += [f"{problem} [{label}]" if " -> " in problem else problem for problem in problems]
    assert walked > 50
    assert not failures, report(failures)


# --- what no view answers --------------------------------------------------------------------------


def test_unknown_api_urls_answer_json_and_pages_keep_html(city):
    client = api_client(city.user(Role.DEPARTMENT_APPLICANT))
    for url in ("/api/", "/api/v1/no-such-thing/", "/api/v2/organizations/", "/api/v1/organizations/1/nothing/"):
        for method in ("get", "post", "delete"):
            response = getattr(client, method)(url)
            assert response.status_code == 404 and is_json(response), (method, url)
            assert response.json()["detail"] == "未找到。"
    english = client.get("/api/v1/no-such-thing/", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["detail"] == "Not found."
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


def test_a_crash_under_api_answers_json_with_the_request_id(city, monkeypatch):
    def crash(self, request, *args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(JobViewSet, "list", crash)
    client = api_client(city.user(Role.DEPARTMENT_APPLICANT))
    response = client.get("/api/v1/jobs/")
    assert response.status_code == 500 and is_json(response)
    assert response.json() == {"detail": "服务器出现了错误。", "request_id": response["X-Request-ID"]}
    assert "boom" not in response.content.decode()
