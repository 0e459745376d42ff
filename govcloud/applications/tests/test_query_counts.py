"""The workflow's lists (pages and endpoints) run a constant number of queries (≤ 10), whatever the
number of applications, items and work orders."""

from __future__ import annotations

import itertools

import pytest
from django.urls import reverse

from conftest import login
from govcloud.applications import services
from govcloud.applications.models import ApplicationState
from govcloud.applications.tests.helpers import advance, host_row, item, new_application, pdf
from tests.test_query_counts import LIMIT, count

pytestmark = pytest.mark.django_db
S = ApplicationState
_serial = itertools.count()


def grow(wf, n: int) -> None:
    """n more applications in every stage, each with two items, a document and work orders."""
    for k in range(n):
        i = next(_serial)
        rows = [host_row(1), services.ItemInput(catalog_item=item("storage"), spec={"storage_tb": "1"})]
        state = [S.IN_DELIVERY, S.DELIVERED, S.SUBMITTED, S.ACCEPTED, S.DRAFT][k % 5]
        app = new_application(wf, rows=rows, purpose=f"申请{i}")
        services.attachment_add(actor=wf.applicant, application=app, upload=pdf())
        advance(wf, app, state)


CASES = [
    ("applicant", "applications:application_list"),
    ("admin", "applications:application_list"),
    ("reviewer", "applications:inbox"),
    ("provider", "delivery:work_order_list"),
    ("applicant", "delivery:work_order_list"),
    ("applicant", "application-list"),
    ("reviewer", "application-inbox"),
    ("provider", "work-order-list"),
    ("applicant", "application-attachment-list"),
]


@pytest.mark.parametrize("role, name", CASES, ids=[f"{r}-{n}" for r, n in CASES])
def test_constant_queries(client, wf, role, name):
    user = wf.people()[role]
    login(client, user)
    url = reverse(name)
    grow(wf, 3)
    count(client, url)  # warm the caches (policies, calendar) as a running server has them
    small = count(client, url)
    grow(wf, 12)
    count(client, url)  # growing can outlast the caches' few seconds: warm them again
    large = count(client, url)
    paged = count(client, f"{url}?page_size=200") if "-" in name else large
    assert small == large == paged, (small, large, paged)
    assert large <= LIMIT, large
