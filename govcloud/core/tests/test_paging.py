"""Pages read in two steps (core/paging.py) are the pages Django's Paginator gives: the same rows in
the same order, on every page, the last one with its orphans, past the end and for junk numbers."""

from __future__ import annotations

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from govcloud.core.paging import RowsPaginator, rows_page
from govcloud.organizations.models import Organization
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def organizations():
    # Names that sort differently from the keys, some equal (the key breaks the tie).
    for n in range(23):
        OrganizationFactory(name=f"单位{(n * 7) % 5}")
    return Organization.objects.select_related("parent").order_by("name", "-pk")


@pytest.mark.parametrize(("size", "orphans"), [(5, 0), (5, 2), (10, 3), (50, 0)])
def test_the_pages_are_the_paginators(organizations, size, orphans):
    plain, two_step = (
        Paginator(organizations, size, orphans=orphans),
        RowsPaginator(organizations, size, orphans=orphans),
    )
    assert two_step.num_pages == plain.num_pages
    for number in plain.page_range:
        expected = [o.pk for o in plain.page(number)]
        page = two_step.page(number)
        assert [o.pk for o in page] == expected
        assert (page.start_index(), page.end_index()) == (
            plain.page(number).start_index(),
            plain.page(number).end_index(),
        )


def test_a_page_is_read_in_two_queries_and_keeps_what_the_rows_need(organizations):
    with CaptureQueriesContext(connection) as queries:
        page = RowsPaginator(organizations, 10).page(2)
        parents = [o.parent for o in page]  # select_related survives: no query per row
    assert len(parents) == 10
    # The count, the page's keys, the rows (SQLite); PostgreSQL reads the page in one query.
    assert len(queries) == (3 if connection.vendor == "sqlite" else 2)


def test_the_requested_page_past_the_end_and_junk(organizations):
    factory = RequestFactory()
    for asked, expected in [("2", 2), ("99", 3), ("x", 1), ("", 1), ("-1", 3)]:
        assert rows_page(factory.get("/", {"page": asked}), organizations, 10).number == expected
    empty = rows_page(factory.get("/"), organizations.none(), 10)
    assert empty.number == 1 and list(empty) == []
