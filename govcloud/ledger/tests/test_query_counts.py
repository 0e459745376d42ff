"""The ledger's lists run a constant number of queries (≤ 10), whatever the data volume."""

from __future__ import annotations

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import login
from govcloud.catalog import services as catalog_services
from govcloud.catalog.tests.helpers import HOST_SPEC
from govcloud.core.actors import SYSTEM
from govcloud.core.roles import Role
from govcloud.ledger import services
from govcloud.ledger.tests.helpers import DB_SPEC, INTERNET_SPEC, adopt, system_of
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

LIMIT = 10
_serial = itertools.count()


def grow(city, n: int) -> None:
    """n more units of department A, each with a system, three resources (one changed, one
    terminated) and a quota."""
    for _ in range(n):
        i = next(_serial)
        unit = OrganizationFactory(parent=city.dept_a)
        system = system_of(unit, f"系统{i}")
        host = adopt(
            unit, name=f"主机{i}", system=system, addresses=[{"network": "internet", "address": f"58.1.1.{i}"}]
        )
        services.resource_change(actor=SYSTEM, resource=host, spec={**HOST_SPEC, "vcpu": 8})
        adopt(unit, "db-mysql-5.6", DB_SPEC, name=f"数据库{i}", system=system)
        net = adopt(unit, "network-internet", INTERNET_SPEC, name=f"网络{i}")
        services.resource_terminate(actor=SYSTEM, resource=net)
        catalog_services.quota_set(actor=SYSTEM, organization=unit, vcpu=100, memory_gb=200)


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


CASES = [
    (Role.CENTER_REVIEWER, "ledger:resource_list", ""),
    (Role.DEPARTMENT_APPLICANT, "ledger:resource_list", ""),
    (Role.FINANCE_VIEWER, "ledger:resource_list", "?state=in_service&network=internet&q=主机"),
    (Role.CENTER_REVIEWER, "ledger:totals", ""),
    (Role.DEPARTMENT_HEAD, "ledger:totals", "?kind=host"),
    (Role.CENTER_ADMIN, "ledger:quota_list", ""),
    (Role.DEPARTMENT_HEAD, "ledger:quota_list", ""),
    (Role.CENTER_REVIEWER, "resource-list", ""),
    (Role.DEPARTMENT_APPLICANT, "resource-list", ""),
    (Role.FINANCE_VIEWER, "resource-totals", ""),
    (Role.CENTER_ADMIN, "quota-list", ""),
    (Role.DEPARTMENT_HEAD, "quota-list", ""),
]


@pytest.mark.parametrize("role, name, query", CASES, ids=[f"{r.value}-{n}{q}" for r, n, q in CASES])
def test_constant_queries(client, city, role, name, query):
    user = city.user(role)
    login(client, user)
    url = reverse(name) + query
    grow(city, 3)
    # Each measurement follows a warm-up request: building the rows takes long enough (on
    # PostgreSQL) for the per-process caches (10 s) and the session's idle save (1 min) to lapse,
    # which a running server pays once, not per page.
    count(client, url)
    small = count(client, url)
    grow(city, 25)
    count(client, url)
    large = count(client, url)
    sep = "&" if "?" in url else "?"
    paged = count(client, f"{url}{sep}page_size=200") if name.endswith("-list") else large
    assert small == large == paged, (small, large, paged)
    assert large <= LIMIT, large
    print(name, query, large)


def test_resource_detail_and_history_are_constant_too(client, city):
    grow(city, 1)
    resource = adopt(city.dept_a, name="被查看的主机")
    login(client, city.user(Role.CENTER_REVIEWER))
    urls = [
        reverse("ledger:resource_detail", kwargs={"pk": resource.pk}),
        reverse("resource-history", kwargs={"pk": resource.pk}),
    ]
    for url in urls:
        count(client, url)  # warm caches
    before = [count(client, url) for url in urls]
    for i in range(10):
        services.resource_change(actor=SYSTEM, resource=resource, spec={**HOST_SPEC, "data_disk_gb": 10 * (i + 1)})
    for url in urls:
        count(client, url)  # warm again (see above)
    assert [count(client, url) for url in urls] == before
    assert max(before) <= LIMIT
