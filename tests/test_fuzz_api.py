"""Fuzzing the REST API with schemathesis: every operation of /api/v1/schema/, as a department
applicant and as a center administrator, with generated input (valid and invalid by the schema),
bounded by a number of examples per operation and by a time budget per role.

Each answer must be no server error, a status the schema lists, of a content type it lists, and a
body valid against the schema made strict (tests/apiwalk.py: a field the API sends but the schema
does not name is a disagreement too). Path parameters name real objects the role can see (the
demo city and the isolation harness's world, tests/apiwalk.py DemoCity), so that generated bodies
and queries reach the validation behind the lookup; tests/test_api_walk.py covers junk ids.

The requests go through Django's WSGI application in the test's process and transaction (as
Django's test client does, the signal that closes connections after a request is held off).
Generation is derandomized so that CI sees the same examples each run; to look further:

    GOVCLOUD_FUZZ_SEED=123 GOVCLOUD_FUZZ_EXAMPLES=100 .venv/bin/pytest -n 0 tests/test_fuzz_api.py
"""

from __future__ import annotations

import logging
import os
import time
import traceback
from contextlib import contextmanager

import hypothesis
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from govcloud.core.roles import Role
from tests.apiwalk import DemoCity, api_client, api_token_for, operations, strict

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

EXAMPLES = int(os.environ.get("GOVCLOUD_FUZZ_EXAMPLES", "20"))
SEED = os.environ.get("GOVCLOUD_FUZZ_SEED")
# Seconds of this process's CPU time per role (wall time depends on what else the machine runs):
# the operations are walked in order, each given its examples, and the walk stops (failing, so
# that the slow operation is found or the bound raised) past the budget.
BUDGET = float(os.environ.get("GOVCLOUD_FUZZ_BUDGET", "240"))
# Only the operations whose "METHOD /path" contains this (e.g. "POST /api/v1/applications/").
ONLY = os.environ.get("GOVCLOUD_FUZZ_ONLY", "")
CHECKS = [status_code_conformance, content_type_conformance, response_schema_conformance]


@contextmanager
def in_process_requests():
    """Requests answered by the WSGI application inside the test's transaction: Django closes the
    database connection around each request otherwise (its test client holds this off too)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.CRITICAL)  # thousands of deliberate 4xx answers would each log a warning
    crashes: list[str] = []

    def crashed(sender, request=None, **kwargs):
        crashes.append(traceback.format_exc(limit=-12))

    got_request_exception.connect(crashed)
    app = WSGIHandler()
    app.crashes = crashes
    try:
        yield app
    finally:
        got_request_exception.disconnect(crashed)
        logger.setLevel(level)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def strategy(api_operation):
    """Valid and invalid input, half each."""
    return st.one_of(
        api_operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        api_operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )


def fuzz_operation(api_operation, path_values: dict | None, app, headers: dict) -> int:
    """Requests made to one operation; raises the first failure found."""
    made = 0

    @hypothesis.settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=SEED is None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: the failing example is shown as found
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    @hypothesis.given(case=strategy(api_operation))
    def run(case):
        nonlocal made
        # schemathesis's WSGI transport cannot send a form body (multipart or urlencoded) that is
        # not an object: werkzeug takes a dict of fields. Such examples are dropped; JSON bodies of
        # every shape are still sent.
        form = str(case.media_type).startswith(("multipart/", "application/x-www-form-urlencoded"))
        hypothesis.assume(not (form and not isinstance(case.body, dict)))
        if path_values:
            case.path_parameters = {**(case.path_parameters or {}), **path_values}
        response = case.call(app=app, headers=headers)
        made += 1
        if response.status_code >= 500:
            try:
                case.validate_response(response, checks=[not_a_server_error])
            finally:
                if app.crashes:
                    print(app.crashes[-1])  # hypothesis shows the failing example's output
        elif response.status_code >= 400:
            # Refusals are not listed in the schema operation by operation; they must be JSON.
            content_type = (response.headers.get("content-type") or [""])[0]
            assert content_type.split(";")[0].strip() == "application/json", (
                f"{response.status_code} answered {content_type!r}: {response.text[:200]}"
            )
        else:
            case.validate_response(response, checks=CHECKS)

    if SEED is not None:
        run = hypothesis.seed(int(SEED))(run)
    run()
    return made


def fuzz(demo: DemoCity, user) -> tuple[int, list[str]]:
    """(requests made, failures) for every operation of the schema as `user`."""
    client = api_client(user)  # lists the role's rows, for path parameters naming real objects
    headers = {"Authorization": f"Bearer {api_token_for(user)}", "Accept-Language": "zh-hans"}
    schema = schemathesis.openapi.from_dict(strict(demo.schema))
    # Deletions last: they would take away the objects the other operations are called on.
    walk = sorted(operations(demo.schema), key=lambda o: (o.method == "delete", o.path, o.method))
    walk = [o for o in walk if ONLY in str(o)]
    failures: list[str] = []
    made = 0
    # Found before the walk: Django's test client connects the signal in_process_requests holds off.
    found = {str(operation): demo.path_values(operation, client) for operation in walk}
    deadline = time.process_time() + BUDGET
    with in_process_requests() as app:
        for operation in walk:
            if time.process_time() > deadline:
                failures.append(f"time budget of {BUDGET:.0f} s spent before {operation}")
                break
            path_values = found[str(operation)][0] if found[str(operation)] else None
            try:
                made += fuzz_operation(schema[operation.path][operation.method], path_values, app, headers)
            except (Exception, FailureGroup) as failed:  # every operation's failure is listed
                failures.append(f"{operation}: {str(failed)[:1500]}")
                if not isinstance(failed, (FailureGroup, AssertionError)):
                    failures[-1] += "\n" + "".join(traceback.format_exception(failed, limit=-8))
    return made, failures


@pytest.fixture
def demo(city):
    return DemoCity(city)


@pytest.mark.parametrize("role", [Role.DEPARTMENT_APPLICANT, Role.CENTER_ADMIN])
def test_fuzzed_requests_get_no_server_error_and_answers_the_schema_describes(demo, city, role):
    made, failures = fuzz(demo, city.user(role))
    assert not failures, f"{len(failures)} operations failed:\n\n" + "\n\n".join(failures)
    assert made > 3 * len(operations(demo.schema)), made  # the requests were sent
