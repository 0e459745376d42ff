"""The catalog's lists and pages run a constant number of queries (≤ 10), whatever the number of
items, values and price list versions."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import login
from govcloud.catalog import services
from govcloud.catalog.models import PriceList
from govcloud.catalog.tests.helpers import price_list_in_effect, seeded
from govcloud.core.actors import SYSTEM
from govcloud.core.roles import Role

pytestmark = pytest.mark.django_db

LIMIT = 10
_serial = itertools.count()


def grow(n: int) -> None:
    """n more database engines with values, and n more draft price lists."""
    today = timezone.localdate()
    for _ in range(n):
        i = next(_serial)
        db = services.item_create(actor=SYSTEM, kind="database", code=f"db-x{i}", name=f"数据库{i}", engine=f"X{i}")
        for vcpu in (2, 4):
            services.option_add(actor=SYSTEM, item=db, dimension="vcpu", value=vcpu)
        services.option_add(actor=SYSTEM, item=db, dimension="memory_gb", value=8)
        services.range_set(actor=SYSTEM, item=db, dimension="storage_gb", minimum=10, maximum=100)
        services.price_list_create_draft(actor=SYSTEM, name=f"草稿{i}", effective_from=today + timedelta(days=30 + i))


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


CASES = [
    (Role.CENTER_ADMIN, "catalog:item_list"),
    (Role.DEPARTMENT_APPLICANT, "catalog:item_list"),
    (Role.CENTER_ADMIN, "catalog:price_list_list"),
    (Role.CENTER_ADMIN, "catalog:price_list_detail"),
    (Role.DEPARTMENT_APPLICANT, "catalog:price_list_detail"),
    (Role.DEPARTMENT_APPLICANT, "catalog-item-list"),
    (Role.CENTER_ADMIN, "price-list-list"),
    (Role.FINANCE_VIEWER, "price-list-detail"),
    (Role.FINANCE_VIEWER, "price-list-compare"),
]


@pytest.mark.parametrize("role, name", CASES, ids=[f"{r.value}-{n}" for r, n in CASES])
def test_constant_queries(client, city, role, name):
    seeded()
    current = price_list_in_effect(effective_from=date.today())
    user = city.user(role)
    login(client, user)
    kwargs = {"pk": current.pk} if name.endswith(("detail", "compare")) else {}
    url = reverse(name, kwargs=kwargs)
    grow(3)
    count(client, url)
    small = count(client, url)
    grow(20)
    count(client, url)  # growing can outlast the caches and the idle-session save: warm again
    large = count(client, url)
    paged = count(client, f"{url}?page_size=200") if name.endswith("-list") else large
    assert small == large == paged, (small, large, paged)
    assert large <= LIMIT, large
    assert PriceList.objects.count() == 24
