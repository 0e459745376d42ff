"""Pages and endpoints read a constant number of queries whatever the number of departments,
statements and resources."""

from datetime import date

import pytest
from django.urls import reverse

from conftest import login
from govcloud.budgets.services import budget_set
from govcloud.budgets.tests.helpers import cost
from govcloud.core.actors import SYSTEM
from govcloud.core.roles import Role
from govcloud.ledger.tests.helpers import adopt
from govcloud.organizations.models import OrganizationLevel
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

URLS = [
    ("budgets:finance", {"year": 2026}),
    ("budgets:finance", {"year": 2026, "granularity": "year"}),
    ("budgets:budget_list", {"year": 2026}),
    ("budgets:export", {"year": 2026}),
    ("budget-list", {}),
    ("finance-overview-list", {"year": 2026}),
]


def _grow(city, n):
    for i in range(n):
        org = OrganizationFactory(name=f"局{i}", parent=city.root, level=OrganizationLevel.DEPARTMENT)
        budget_set(actor=SYSTEM, organization=org, year=2026, amount=100 + i)
        adopt(org)
        for month in (1, 5, 9):
            cost(org, date(2026, month, 1), 10 + i)
            cost(org, date(2025, month, 1), 5 + i, kind="storage")


@pytest.mark.parametrize("name,query", URLS)
def test_constant_queries(client, city, name, query, django_assert_max_num_queries):
    login(client, city.user(Role.FINANCE_VIEWER))
    url = reverse(name)
    for size in (1, 6):
        _grow(city, size)
        assert client.get(url, query).status_code == 200  # warm up (session, caches)
        with django_assert_max_num_queries(10):
            assert client.get(url, query).status_code == 200
