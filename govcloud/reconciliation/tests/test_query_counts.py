"""Reconciliation's lists run a constant number of queries (≤ 10), whatever the number of
discrepancies; a run reads the ledger in a constant number of queries too."""

from __future__ import annotations

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import login
from govcloud.catalog.tests.helpers import api_for
from govcloud.core.actors import SYSTEM
from govcloud.core.roles import Role
from govcloud.ledger.tests.helpers import adopt
from govcloud.reconciliation import services
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

LIMIT = 10
_serial = itertools.count()


def grow(city, cloud, n: int) -> None:
    """n more units of department A, each with a drifted host, a missing one, and a shadow."""
    for _ in range(n):
        i = next(_serial)
        unit = OrganizationFactory(parent=city.dept_a)
        drifted = adopt(unit, provider_ref=f"uuid-d{i}")
        cloud.put(drifted.code, f"uuid-d{i}", vcpu=16)
        adopt(unit, provider_ref=f"uuid-m{i}")
        cloud.put(f"rogue-{i}", f"uuid-r{i}")


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


CASES = [
    (Role.CENTER_ADMIN, "reconciliation:discrepancy_list", "", "page"),
    (Role.DEPARTMENT_HEAD, "reconciliation:discrepancy_list", "", "page"),
    (Role.PROVIDER_OPERATOR, "reconciliation:discrepancy_list", "?kind=drift&state=open", "page"),
    (Role.CENTER_REVIEWER, "discrepancy-list", "", "api"),
    (Role.DEPARTMENT_APPLICANT, "discrepancy-list", "", "api"),
    (Role.CENTER_REVIEWER, "reconciliation-run-list", "", "api"),
]


@pytest.mark.parametrize(("role", "name", "query", "via"), CASES, ids=[f"{c[1]}-{c[0].value}" for c in CASES])
def test_lists_run_a_constant_number_of_queries(client, city, cloud, role, name, query, via):
    user = city.user(role)
    if via == "page":
        login(client, user)
        http = client
    else:
        http = api_for(user)
    url = reverse(name) + query
    grow(city, cloud, 2)
    services.reconciliation_run(actor=SYSTEM)
    count(http, url)  # warm caches (policies, calendar) as a running server has them
    small = count(http, url)
    grow(city, cloud, 8)
    services.reconciliation_run(actor=SYSTEM)
    count(http, url)  # growing can outlast the caches and the idle-session save: warm again
    large = count(http, url)
    assert small == large, (small, large)
    assert large <= LIMIT, large


def test_a_run_reads_the_ledger_in_constant_queries(city, cloud):
    grow(city, cloud, 2)
    with CaptureQueriesContext(connection) as ctx:
        services.reconciliation_run(actor=SYSTEM)
    small = len(ctx.captured_queries)
    grow(city, cloud, 10)
    with CaptureQueriesContext(connection) as ctx:
        services.reconciliation_run(actor=SYSTEM)
    assert len(ctx.captured_queries) <= small + 2, (small, len(ctx.captured_queries))
