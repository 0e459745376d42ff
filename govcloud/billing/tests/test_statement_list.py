"""The center's statements list (issue 16 §4): filters by month and department, monthly totals,
sorting, amounts with thousands separators, in a constant number of queries."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import login
from govcloud.billing.models import Statement, StatementState
from govcloud.core.roles import Role

pytestmark = pytest.mark.django_db


def statement(org, period: date, total: str, n: int) -> Statement:
    now = timezone.now()
    return Statement.objects.create(
        organization=org,
        period=period,
        number=f"ST-{period:%Y%m}-{n:03d}",
        total=Decimal(total),
        drafted_at=now,
        issue_after=now,
        state=StatementState.ISSUED,
    )


@pytest.fixture
def statements(city):
    return [
        statement(city.dept_a, date(2026, 10, 1), "12345.60", 1),
        statement(city.dept_b, date(2026, 10, 1), "1000.00", 2),
        statement(city.dept_a, date(2026, 11, 1), "940.00", 3),
        statement(city.unit_a, date(2026, 11, 1), "2500.50", 4),
    ]


def rows(body: str) -> list[str]:
    return re.findall(r'data-testid="statement-row"><td><a href="[^"]+">([^<]+)</a>', body)


def test_filters_by_month_and_department_with_totals_and_separators(client, city, statements):
    login(client, city.user(Role.CENTER_ADMIN))
    url = reverse("billing:statement_list")
    body = client.get(url).content.decode()
    assert len(rows(body)) == 4
    assert "12,345.60" in body  # thousands separators
    totals = body[body.index('data-testid="monthly-totals"') :]
    assert "2026-11" in totals and "3,440.50" in totals and "13,345.60" in totals
    assert rows(client.get(url, {"month": "2026-11"}).content.decode()) == ["ST-202611-003", "ST-202611-004"]
    # A department includes its units.
    in_a = rows(client.get(url, {"organization": city.dept_a.pk}).content.decode())
    assert sorted(in_a) == ["ST-202610-001", "ST-202611-003", "ST-202611-004"]
    assert client.get(url, {"month": "2026-13"}).status_code == 200  # a bad month: a message, no rows
    assert rows(client.get(url, {"month": "2026-13"}).content.decode()) == []


def test_sorting_by_total(client, city, statements):
    login(client, city.user(Role.CENTER_ADMIN))
    body = client.get(reverse("billing:statement_list"), {"order": "-total"}).content.decode()
    assert rows(body) == ["ST-202610-001", "ST-202611-004", "ST-202610-002", "ST-202611-003"]


def test_the_list_takes_a_constant_number_of_queries(client, city, statements, django_assert_max_num_queries):
    login(client, city.user(Role.CENTER_ADMIN))
    client.get(reverse("billing:statement_list"))
    for n in range(20):
        statement(city.dept_b, date(2025, 1 + n % 12, 1) if n < 12 else date(2024, 1 + n % 12, 1), "10.00", 100 + n)
    with django_assert_max_num_queries(12):
        client.get(reverse("billing:statement_list"), {"order": "-total"})
