"""Pages of the long lists, read in two steps (issue 19).

A list page joins each row to what it shows (department, system, catalog item, claimant) and may
count its items in a subquery. When the database cannot read the list's order straight from an index
(SQLite merging the two states of the open work-order queue, the inbox's states ordered by their due
time) it joined and computed every matching row, sorted them all and kept fifty: 15 ms of a 30 ms page
at 10,000 applications. Here the page's keys are read first, sorted on the narrow table alone, and
then only those rows are read with everything they show — the "late row lookup" of large lists.

On SQLite only. PostgreSQL reads these orders from the lists' indexes and stops after a page
(tests/test_list_plans.py explains every list query at city scale); given fifty keys it joins the
page's rows to a whole table by hashing it instead, which that test rightly refuses.
"""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db import connection

# Rows per page of the lists (a page a screen or two long; the query-count tests hold it constant).
PAGE_SIZE = 50


class RowsPaginator(Paginator):
    """A Paginator over a QuerySet that reads a page's primary keys, then those rows."""

    def page(self, number) -> Page:
        if connection.vendor != "sqlite":
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        queryset = self.object_list
        keys = list(queryset.values_list("pk", flat=True)[bottom:top])
        rows = {row.pk: row for row in queryset.order_by().filter(pk__in=keys)}
        # A row removed between the two reads is left out rather than shown half.
        return self._get_page([rows[key] for key in keys if key in rows], number, self)


def rows_page(request, queryset, size: int = PAGE_SIZE) -> Page:
    """The page the request asks for (`?page=`; past the last: the last, junk: the first)."""
    return RowsPaginator(queryset, size).get_page(request.GET.get("page"))


def page_of(request, queryset, size: int = PAGE_SIZE) -> Page:
    """The page the request asks for, read the usual way (one query): lists short enough, or ordered
    straight from an index on every database."""
    return Paginator(queryset, size).get_page(request.GET.get("page"))
