"""The month's drafting rates in SQL (`rating_sql`); the rules are written out plainly in Python
(`metering.meter`). On random ledgers — resizes, changes started and cancelled, terminations,
moments with microseconds, a price change mid-month — both must give exactly the same lines."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from govcloud.billing import services
from govcloud.billing.metering import meter, meter_until, month_bounds
from govcloud.billing.models import StatementLine
from govcloud.billing.tests.helpers import host, prices_from
from govcloud.catalog.models import PriceUnit
from govcloud.core.actors import SYSTEM
from govcloud.ledger import services as ledger_services
from govcloud.ledger.tests.helpers import INTERNET_SPEC, adopt

pytestmark = pytest.mark.django_db

NOVEMBER = date(2026, 11, 1)
START, END = month_bounds(NOVEMBER)
MONTH = int((END - START).total_seconds())

# From ten days before the month to five days after it; some moments fall inside a second.
moments = st.builds(
    lambda seconds, micro: START + timedelta(seconds=seconds, microseconds=micro),
    st.integers(-10 * 86400, MONTH + 5 * 86400),
    st.sampled_from([0, 1, 499_999, 999_999]),
)
operations = st.lists(
    st.tuples(st.sampled_from(["resize", "start", "cancel", "terminate"]), moments, st.sampled_from([1, 2, 4, 8])),
    max_size=5,
)
resources = st.lists(
    st.tuples(st.sampled_from(["host", "network-internet"]), moments, operations), min_size=1, max_size=3
)


def _apply(resource, operation: str, moment, size: int):
    if operation == "resize":
        spec = (
            {**resource.spec, "vcpu": size}
            if "vcpu" in resource.spec
            else {**resource.spec, "bandwidth_mbps": size * 10}
        )
        return ledger_services.resource_change(actor=SYSTEM, resource=resource, spec=spec, at=moment)
    if operation == "start":
        return ledger_services.resource_change_start(actor=SYSTEM, resource=resource, at=moment)
    if operation == "cancel":
        return ledger_services.resource_change_cancel(actor=SYSTEM, resource=resource, at=moment)
    return ledger_services.resource_terminate(actor=SYSTEM, resource=resource, at=moment)


def _key(resource_id, unit, detail, quantity, price, starts_at, ends_at, seconds, amount):
    return (resource_id, unit, detail, quantity, price, starts_at, ends_at, seconds, amount)


# Without shrinking: each example builds a ledger through the services, and shrinking one took
# minutes; the failing example is printed as generated.
@settings(
    max_examples=40,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    ledger=resources,
    price_day=st.one_of(st.none(), st.integers(2, 30)),
    vcpu_price=st.decimals("0", "99.9999", places=4),
)
def test_sql_drafting_bills_what_the_rules_say(city, ledger, price_day, vcpu_price):
    with transaction.atomic():
        prices_from(date(2026, 1, 1))
        if price_day:
            prices_from(date(2026, 11, price_day), {PriceUnit.VCPU_MONTH: vcpu_price})
        for code, since, steps in ledger:
            if code == "host":
                resource = host(city.dept_a, since)
            else:
                resource = adopt(city.dept_b, code, dict(INTERNET_SPEC), in_service_at=since)
            for operation, moment, size in sorted(steps, key=lambda step: step[1]):
                if moment <= since:
                    continue
                try:
                    with transaction.atomic():
                        resource = _apply(resource, operation, moment, size)
                except ValidationError:
                    pass  # not possible in the resource's state then: the ledger refuses it

        expected = sorted(
            _key(
                line.resource_id,
                line.unit,
                line.unit_detail,
                line.quantity,
                line.unit_price,
                line.starts_at,
                line.ends_at,
                line.seconds,
                line.amount,
            )
            for line in meter(NOVEMBER)
        )
        services.statements_draft(actor=SYSTEM, period=NOVEMBER)
        drafted = sorted(
            _key(*row)
            for row in StatementLine.objects.filter(is_adjustment=False).values_list(
                "resource_id",
                "unit",
                "unit_detail",
                "quantity",
                "unit_price",
                "starts_at",
                "ends_at",
                "seconds",
                "amount",
            )
        )
        assert drafted == expected
        assert all(amount >= Decimal(0) for *_rest, amount in drafted)
        transaction.set_rollback(True)


@settings(
    max_examples=25,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(ledger=resources, now=moments)
def test_metering_two_ends_at_once_equals_metering_each(city, ledger, now):
    """The month-to-date card meters the month so far and the forecast in one pass (meter_until):
    each must be what a meter() of its own gives."""
    with transaction.atomic():
        prices_from(date(2026, 1, 1))
        for code, since, steps in ledger:
            if code == "host":
                resource = host(city.dept_a, since)
            else:
                resource = adopt(city.dept_b, code, dict(INTERNET_SPEC), in_service_at=since)
            for operation, moment, size in sorted(steps, key=lambda step: step[1]):
                if moment <= since:
                    continue
                try:
                    with transaction.atomic():
                        resource = _apply(resource, operation, moment, size)
                except ValidationError:
                    pass
        so_far, whole = meter_until(NOVEMBER, as_of=now, untils=[now, END])
        assert so_far == meter(NOVEMBER, as_of=now, until=now)
        assert whole == meter(NOVEMBER, as_of=now, until=END)
        transaction.set_rollback(True)
