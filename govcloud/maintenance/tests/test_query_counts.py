"""The maintenance lists (pages and endpoint), the upcoming agenda, a window's page with many
resources and departments, and the department's home page run a constant number of queries
(≤ 10), whatever the number of windows."""

from __future__ import annotations

import itertools

import pytest
import time_machine
from django.urls import reverse

from conftest import login
from govcloud.ledger.tests.helpers import adopt
from govcloud.maintenance import services
from govcloud.maintenance.tests.helpers import NOW, approved, draft
from govcloud.organizations.models import OrganizationLevel
from tests.factories import OrganizationFactory
from tests.test_query_counts import LIMIT, count

pytestmark = pytest.mark.django_db
_serial = itertools.count(1)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def grow(m, n: int) -> None:
    """n more windows of each kind: approved for A (two resources), approved for B, platform-wide,
    a draft and a returned one."""
    for _ in range(n):
        i = next(_serial)
        approved(m, days_ahead=4 + i % 20, resources=[m.res_a, m.res_unit], title=f"甲{i}")
        approved(m, days_ahead=5 + i % 20, resources=[m.res_b], departments=[m.city.dept_a], title=f"乙{i}")
        approved(m, days_ahead=6 + i % 20, resources=[], platform_wide=True, title=f"全{i}")
        draft(m, days_ahead=7 + i % 20)
        returned = draft(m, days_ahead=8 + i % 20)
        services.window_submit(actor=m.provider, window=returned)
        services.window_return(actor=m.center, window=returned, comment="改")


CASES = [
    ("center", "maintenance:window_list"),
    ("provider", "maintenance:window_list"),
    ("a_head", "maintenance:window_list"),
    ("center", "maintenance:window_upcoming"),
    ("unit_head", "maintenance:window_upcoming"),
    ("a_head", "web:home"),
    ("center", "maintenance-window-list"),
    ("b_head", "maintenance-window-list"),
]


@pytest.mark.parametrize("who, name", CASES, ids=[f"{w}-{n}" for w, n in CASES])
def test_constant_queries(client, m, who, name, django_assert_max_num_queries):
    login(client, getattr(m, who))
    url = reverse(name)
    grow(m, 2)
    count(client, url)
    small = count(client, url)
    grow(m, 10)
    count(client, url)
    with django_assert_max_num_queries(LIMIT):
        large = count(client, url)
    paged = count(client, f"{url}?page_size=200") if name.endswith("-list") else large
    assert small == large == paged, (small, large, paged)


@pytest.mark.parametrize("name", ["maintenance:window_detail", "maintenance-window-detail"])
@pytest.mark.parametrize("who", ["center", "a_head"])
def test_a_window_with_many_resources_and_departments(client, m, who, name):
    login(client, getattr(m, who))

    def window_over(n: int):
        orgs = [
            OrganizationFactory(parent=m.city.root, level=OrganizationLevel.DEPARTMENT, name=f"部门{next(_serial)}")
            for _ in range(n)
        ]
        resources = [adopt(org) for org in orgs] + [m.res_a]
        return approved(m, resources=resources, departments=orgs[:2])

    small_window, large_window = window_over(2), window_over(12)
    count(client, reverse(name, args=[small_window.pk]))
    small = count(client, reverse(name, args=[small_window.pk]))
    large = count(client, reverse(name, args=[large_window.pk]))
    assert small == large <= LIMIT, (small, large)
