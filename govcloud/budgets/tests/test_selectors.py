from datetime import date
from decimal import Decimal

import pytest

from govcloud.budgets import selectors
from govcloud.budgets.services import budget_set
from govcloud.budgets.tests.helpers import cost
from govcloud.catalog.tests.helpers import HOST_SPEC
from govcloud.core.actors import SYSTEM
from govcloud.core.roles import Role
from govcloud.ledger.tests.helpers import adopt

pytestmark = pytest.mark.django_db


def _amounts(overview, org):
    return next(r for r in overview["rows"] if r.organization_id == org.pk).amounts


def test_quarters_and_months_add_up(city):
    for month, amount in [(1, 10), (3, 20), (4, 5), (12, 7)]:
        cost(city.dept_a, date(2026, month, 1), amount)
    cost(city.dept_a, date(2026, 3, 1), "0.5", kind="storage")
    finance = city.user(Role.FINANCE_VIEWER)

    quarters = selectors.finance_overview(user=finance, year=2026, granularity="quarter")
    assert _amounts(quarters, city.dept_a) == {
        "2026-Q1": Decimal("30.50"),
        "2026-Q2": Decimal("5"),
        "2026-Q3": Decimal("0"),
        "2026-Q4": Decimal("7"),
    }
    assert quarters["total"] == Decimal("42.50")

    months = selectors.finance_overview(user=finance, year=2026)
    assert len(months["periods"]) == 12 and _amounts(months, city.dept_a)["2026-03"] == Decimal("20.50")
    assert {k["kind"]: k["amount"] for k in months["by_kind"]} == {"host": Decimal("42"), "storage": Decimal("0.5")}

    hosts = selectors.finance_overview(user=finance, year=2026, resource_kind="host")
    assert hosts["total"] == Decimal("42")


def test_years_show_five_and_compare_with_last_year(city):
    cost(city.dept_a, date(2022, 5, 1), 1)
    cost(city.dept_a, date(2021, 5, 1), 99)  # outside the five years shown
    cost(city.dept_a, date(2025, 1, 1), 40)
    cost(city.dept_a, date(2026, 1, 1), 50)
    cost(city.dept_a, date(2026, 2, 1), 10)
    overview = selectors.finance_overview(user=city.user(Role.FINANCE_VIEWER), year=2026, granularity="year")
    assert [k for k, _label in overview["periods"]] == ["2022", "2023", "2024", "2025", "2026"]
    row = overview["rows"][0]
    assert row.amounts == {
        "2022": Decimal("1"),
        "2023": Decimal("0"),
        "2024": Decimal("0"),
        "2025": Decimal("40"),
        "2026": Decimal("60"),
    }
    assert row.total == Decimal("60") and row.last_year == Decimal("40") and row.change_percent == Decimal("50.0")


def test_rankings_by_cost_and_by_increase(city):
    cost(city.dept_a, date(2026, 1, 1), 300)
    cost(city.dept_a, date(2025, 1, 1), 290)
    cost(city.dept_b, date(2026, 1, 1), 200)
    cost(city.dept_b, date(2025, 1, 1), 100)
    cost(city.district, date(2026, 1, 1), 100)
    cost(city.district, date(2025, 1, 1), 150)
    overview = selectors.finance_overview(user=city.user(Role.LEADING_GROUP), year=2026)
    assert [r.organization_id for r in overview["ranking"]] == [city.dept_a.pk, city.dept_b.pk, city.district.pk]
    assert [r.organization_id for r in overview["increases"]] == [city.dept_b.pk, city.dept_a.pk]
    assert overview["ranking_chart"]["series"][0]["data"] == [300.0, 200.0, 100.0]
    trend = overview["trend_chart"]
    assert len(trend["xAxis"]["data"]) == 12 and trend["series"][0]["data"][0] == 600.0


def test_a_department_sees_its_own_costs_and_its_units(city):
    cost(city.dept_a, date(2026, 1, 1), 10)
    cost(city.unit_a, date(2026, 1, 1), 5)
    cost(city.dept_b, date(2026, 1, 1), 1000)
    overview = selectors.finance_overview(user=city.user(Role.DEPARTMENT_HEAD, org=city.dept_a), year=2026)
    assert {r.organization_id for r in overview["rows"]} == {city.dept_a.pk, city.unit_a.pk}
    assert overview["total"] == Decimal("15")
    for role in (Role.PROVIDER_OPERATOR, Role.EXPERT):
        assert selectors.finance_overview(user=city.user(role), year=2026)["rows"] == []


def test_budget_table(city):
    finance = city.user(Role.FINANCE_VIEWER)
    adopt(city.dept_a)
    adopt(city.unit_a)
    budget_set(actor=SYSTEM, organization=city.dept_a, year=2026, amount=200)
    cost(city.dept_a, date(2026, 1, 1), 60)
    cost(city.unit_a, date(2026, 2, 1), 40)
    cost(city.dept_a, date(2025, 6, 1), 80)
    rows = {r.organization.pk: r for r in selectors.budget_table(user=finance, year=2026, today=date(2026, 3, 10))}
    assert set(rows) == {city.dept_a.pk, city.dept_b.pk}  # departments, units roll up
    a = rows[city.dept_a.pk]
    assert a.resources == 2 and a.vcpu == 2 * HOST_SPEC["vcpu"] and a.memory_gb == 2 * HOST_SPEC["memory_gb"]
    assert a.cost == Decimal("100") and a.last_year == Decimal("80") and a.change_percent == Decimal("25.0")
    assert a.average_monthly == Decimal("50.00") and a.percent_used == Decimal("50.0")
    # closed Jan–Feb: 100, 50 a month; March at least 50, then 9 more months: 600
    assert a.forecast == Decimal("600.00") and a.forecast_percent == Decimal("300.0")
    b = rows[city.dept_b.pk]
    assert b.budget is None and b.percent_used is None and b.cost == 0
    last_year = {r.organization.pk: r for r in selectors.budget_table(user=finance, year=2025)}
    assert last_year[city.dept_a.pk].forecast == Decimal("80")

    mine = selectors.budget_table(user=city.user(Role.DEPARTMENT_APPLICANT, org=city.dept_b), year=2026)
    assert [r.organization.pk for r in mine] == [city.dept_b.pk] and mine[0].cost == 0 and mine[0].resources == 0


def test_project_uses_this_month_in_january():
    assert selectors.project({date(2026, 1, 1): Decimal("10")}, date(2026, 1, 20)) == Decimal("120.00")
    assert selectors.project({}, date(2026, 5, 1)) == Decimal("0.00")
