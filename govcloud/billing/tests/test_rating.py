"""Metering and rating: the issue's worked example, changes, price changes, month boundaries, the
test period, and properties (hypothesis)."""

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govcloud.billing.metering import Segment, meter, month_bounds, rate, split
from govcloud.billing.tests.helpers import at, deliver, host, prices_from, resize, terminate
from govcloud.catalog.models import PriceUnit
from govcloud.core.actors import SYSTEM
from govcloud.core.roles import Role
from govcloud.ledger import services as ledger_services

pytestmark = pytest.mark.django_db

NOVEMBER = date(2026, 11, 1)


def _total(lines):
    return sum((line.amount for line in lines), Decimal(0))


def test_worked_example(city):
    prices_from(date(2026, 1, 1))
    host(city.dept_a, at(2026, 11, 10, 14))
    lines = meter(NOVEMBER)
    assert {line.unit: line.amount for line in lines} == {
        PriceUnit.VCPU_MONTH: Decimal("163.33"),
        PriceUnit.MEMORY_GB_MONTH: Decimal("108.89"),
        PriceUnit.DISK_SSD_GB_MONTH: Decimal("81.67"),
    }
    assert {line.seconds for line in lines} == {(20 * 24 + 10) * 3600}
    # The figure: 520 × 490/720 = 353.89 for the whole host.
    assert (Decimal(520) * 490 / 720).quantize(Decimal("0.01")) == Decimal("353.89")
    assert _total(lines) == Decimal("353.89")


def test_mid_month_resize_and_termination(city):
    prices_from(date(2026, 1, 1))
    resource = host(city.dept_a, at(2026, 11, 1))
    resize(resource, at(2026, 11, 16), vcpu=8)
    terminate(resource, at(2026, 11, 21))
    lines = [line for line in meter(NOVEMBER) if line.unit == PriceUnit.VCPU_MONTH]
    assert [(line.quantity, line.amount) for line in lines] == [
        (Decimal(4), Decimal("120.00")),  # 4 × 60 × 15/30
        (Decimal(8), Decimal("80.00")),  # 8 × 60 × 5/30
    ]
    assert lines[-1].ends_at == at(2026, 11, 21)


def test_price_change_mid_month(city):
    prices_from(date(2026, 1, 1))
    prices_from(date(2026, 11, 16), {PriceUnit.VCPU_MONTH: Decimal("90")})
    host(city.dept_a, at(2026, 10, 1))
    lines = [line for line in meter(NOVEMBER) if line.unit == PriceUnit.VCPU_MONTH]
    assert [(line.unit_price, line.amount) for line in lines] == [
        (Decimal("60"), Decimal("120.00")),
        (Decimal("90"), Decimal("180.00")),
    ]


def test_resource_spanning_a_month_boundary(city):
    prices_from(date(2026, 1, 1))
    resource = host(city.dept_a, at(2026, 10, 31, 12))
    terminate(resource, at(2026, 11, 2, 12))
    october = [line for line in meter(date(2026, 10, 1)) if line.unit == PriceUnit.VCPU_MONTH]
    november = [line for line in meter(NOVEMBER) if line.unit == PriceUnit.VCPU_MONTH]
    assert october[0].seconds == 12 * 3600 and october[0].amount == Decimal("3.87")  # 240 × 12/744
    assert november[0].seconds == 36 * 3600 and november[0].amount == Decimal("12.00")  # 240 × 36/720
    assert november[0].starts_at == at(2026, 11, 1)


def test_whole_month_costs_quantity_times_price(city):
    prices_from(date(2026, 1, 1))
    host(city.dept_a, at(2026, 9, 1))
    assert _total(meter(NOVEMBER)) == Decimal(4 * 60 + 8 * 20) + Decimal("1.2") * 100


def test_no_charge_during_testing(city):
    prices_from(date(2026, 1, 1))
    applicant = city.user(Role.DEPARTMENT_APPLICANT)
    resource, _app = deliver(city.dept_a, created_by=applicant, at=at(2026, 11, 5))
    assert meter(NOVEMBER) == []
    ledger_services.resource_activate(actor=SYSTEM, resource=resource, at=at(2026, 11, 11))
    lines = meter(NOVEMBER)
    assert {line.starts_at for line in lines} == {at(2026, 11, 11)}
    assert {line.seconds for line in lines} == {20 * 86400}


def test_changing_is_billed_at_the_old_spec(city):
    prices_from(date(2026, 1, 1))
    resource = host(city.dept_a, at(2026, 11, 1))
    ledger_services.resource_change_start(actor=SYSTEM, resource=resource, at=at(2026, 11, 10))
    lines = [line for line in meter(NOVEMBER) if line.unit == PriceUnit.VCPU_MONTH]
    assert [(line.quantity, line.amount) for line in lines] == [(Decimal(4), Decimal("240.00"))]


# --- properties -------------------------------------------------------------------------------------

START, END = month_bounds(NOVEMBER)
MONTH = int((END - START).total_seconds())
quantities = st.decimals(min_value=0, max_value=10000, places=2, allow_nan=False, allow_infinity=False)
prices = st.decimals(min_value=0, max_value=100000, places=4, allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None)
@given(q=quantities, p=prices, a=st.integers(0, MONTH), b=st.integers(0, MONTH), cut=st.integers(0, MONTH))
def test_splitting_changes_a_line_by_at_most_the_rounding(q, p, a, b, cut):
    lo, hi = sorted((a, b))
    seg = Segment(START + timedelta(seconds=lo), START + timedelta(seconds=hi), {})
    pieces = split(seg, [START + timedelta(seconds=cut)])
    whole = rate(q, p, hi - lo, MONTH)
    parts = sum(rate(q, p, int((x.ends_at - x.starts_at).total_seconds()), MONTH) for x in pieces)
    # Each rounded line is off by at most half a cent.
    assert abs(whole - parts) <= Decimal("0.005") * (len(pieces) + 1)
    assert sum(int((x.ends_at - x.starts_at).total_seconds()) for x in pieces) == hi - lo


@settings(max_examples=200, deadline=None)
@given(q=quantities, p=prices, s=st.integers(0, MONTH))
def test_amounts_are_never_negative(q, p, s):
    assert rate(q, p, s, MONTH) >= 0


@settings(max_examples=200, deadline=None)
@given(q=quantities, p=prices)
def test_a_whole_month_costs_exactly_quantity_times_price(q, p):
    assert rate(q, p, MONTH, MONTH) == (q * p).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@settings(max_examples=500, deadline=None)
@given(q=quantities, p=prices, s=st.integers(0, MONTH), month=st.sampled_from([28, 29, 30, 31]))
def test_an_amount_is_the_exact_product_rounded_half_up_once(q, p, s, month):
    """The rule as stated in rational arithmetic (quantity × price × seconds ÷ month seconds,
    half a cent up), against the integer arithmetic rate() does it in."""
    month_seconds = month * 86400
    exact = Fraction(q) * Fraction(p) * min(s, month_seconds) / month_seconds
    expected = Decimal(int((exact * 100 + Fraction(1, 2)) // 1)).scaleb(-2)
    assert rate(q, p, min(s, month_seconds), month_seconds) == expected


def test_half_a_cent_rounds_up_and_just_under_rounds_down():
    # 1 × 0.01 × 1/2 month = 0.005 → 0.01; 1 × 0.0099 × 1/2 month = 0.00495 → 0.00.
    assert rate(Decimal(1), Decimal("0.01"), 50, 100) == Decimal("0.01")
    assert rate(Decimal(1), Decimal("0.0099"), 50, 100) == Decimal("0.00")
    assert rate(Decimal("2.5"), Decimal("0.0003"), 1, 1) == Decimal("0.00")  # 0.00075
    assert rate(Decimal("3"), Decimal("33.3333"), 1, 3) == Decimal("33.33")  # 33.3333


def test_metering_takes_the_same_queries_for_one_resource_or_many_of_every_kind(city, django_assert_num_queries):
    """Hosts, databases and security services (whose lines name the item): the queries do not grow
    with the resources, nor with the catalog items they use (a deferred item name was read once per
    security service)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from govcloud.catalog import services as catalog_services
    from govcloud.catalog.models import ResourceKind
    from govcloud.ledger.tests.helpers import adopt

    prices_from(date(2026, 1, 1))
    host(city.dept_a, at(2026, 10, 1))
    with CaptureQueriesContext(connection) as one:
        assert meter(NOVEMBER)
    guards = [
        catalog_services.item_create(
            actor=SYSTEM, kind=ResourceKind.SECURITY, code=f"waf-{n}", name=f"防火墙{n}", sort=n
        )
        for n in range(3)
    ]
    for n in range(4):
        host(city.dept_a, at(2026, 10, 1))
        adopt(
            city.dept_b, "db-mysql-5.6", {"vcpu": 2, "memory_gb": 4, "storage_gb": 100}, in_service_at=at(2026, 10, 2)
        )
        adopt(city.dept_b, guards[n % 3].code, {}, in_service_at=at(2026, 10, 3))
    with django_assert_num_queries(len(one.captured_queries)):
        lines = meter(NOVEMBER)
    named = {line.unit_detail for line in lines if line.unit == PriceUnit.SECURITY_SERVICE_MONTH}
    assert named == {"防火墙0", "防火墙1", "防火墙2"}
    assert {line.unit_detail for line in lines if line.unit == PriceUnit.DATABASE_INSTANCE_MONTH} == {"MySQL 5.6"}
