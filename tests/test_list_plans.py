"""The list pages' queries are served by indexes at city scale, on PostgreSQL (issue 19).

The center's application list once sorted all 10,000 applications on every request: no index stood
behind its default order. Here a city of 4,000 applications, 12,000 resources and a work order per
item is built (the benchmarks' builder), the planner's statistics are refreshed, each list page is
fetched as the role that reads it, and every SELECT it ran is explained. A plan fails when it reads
a whole big table sequentially or sorts more than a page's worth of rows where an index could have
given them in order. Counts and sums over a whole list (the paginator's, the tabs', monthly totals) are exempt:
counting rows is reading them.

EXPLAIN plans are PostgreSQL's: the test runs in CI's PostgreSQL run and is skipped on SQLite."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
APPLICATIONS = 4000
BIG_TABLES = {"applications_application", "ledger_resource", "delivery_workorder", "billing_statement"}
# More rows than this through a Sort (or a sequential scan of a big table) is a missing index.
LIMIT = 1000

pytestmark = pytest.mark.django_db


def _nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def problems_in(sql: str, params) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    plan = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]
    top = plan
    while top["Node Type"] in ("Limit", "Sort", "Incremental Sort"):  # the order of a grouped result
        top = top["Plans"][0]
    if top["Node Type"] == "Aggregate":
        return []  # counts and sums over the list (the paginator, the tabs, monthly totals) read the rows
    found = []
    for node in _nodes(plan):
        kind = node["Node Type"]
        if kind == "Seq Scan" and node.get("Relation Name") in BIG_TABLES and node["Plan Rows"] > LIMIT:
            found.append(f"sequential scan of {node['Relation Name']} ({node['Plan Rows']} rows)")
        if kind == "Sort" and node["Plans"][0]["Plan Rows"] > LIMIT:
            found.append(f"sort of {node['Plans'][0]['Plan Rows']} rows by {', '.join(node['Sort Key'])}")
    return found


@pytest.fixture
def city():
    if connection.vendor != "postgresql":
        pytest.skip("EXPLAIN plans are PostgreSQL's (CI's PostgreSQL run)")
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import pages
        from workflow import build, log_in
    finally:
        sys.path.remove(str(BENCHMARKS))
    from govcloud.organizations.models import Organization, OrganizationKind

    reviewer, applicant, _department = build(APPLICATIONS)
    operator = pages.build_more(list(Organization.objects.filter(kind=OrganizationKind.DEPARTMENT).order_by("pk")))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    clients = {}
    for role, user in (("center", reviewer), ("provider", operator), ("department", applicant)):
        clients[role] = Client()
        log_in(clients[role], user)
    return clients


LISTS = [
    ("center", "/applications/"),
    ("center", "/applications/inbox/"),
    ("center", "/ledger/"),
    ("center", "/billing/"),
    ("center", "/api/v1/applications/"),
    ("center", "/api/v1/resources/"),
    ("provider", "/work-orders/"),
    ("provider", "/work-orders/?queue=all"),
    ("provider", "/api/v1/work-orders/"),
    ("department", "/applications/"),
    ("department", "/ledger/"),
    ("department", "/billing/"),
]


def test_every_list_page_reads_its_rows_through_an_index(city):
    found = {}
    for role, path in LISTS:
        with CaptureQueriesContext(connection) as queries:
            response = city[role].get(path)
        assert response.status_code == 200, (role, path, response.status_code)
        for query in queries.captured_queries:
            sql = query["sql"]
            if not sql.startswith("SELECT"):
                continue
            # The captured text has its parameters interpolated already.
            for problem in problems_in(sql, None):
                found.setdefault(f"{role} {path}", []).append(f"{problem}: {sql[:200]}")
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)
