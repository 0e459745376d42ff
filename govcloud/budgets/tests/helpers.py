"""Builders for the budgets tests: billing statements and lines written directly (the billing app
owns how they are computed), and budgets through the service."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from govcloud.billing.models import Statement, StatementLine, StatementState
from govcloud.catalog.models import PriceUnit, ResourceKind

_numbers = itertools.count(1)


def _aware(d: date) -> datetime:
    return timezone.make_aware(datetime.combine(d, time.min))


def cost(org, period: date, amount, *, kind: str = ResourceKind.HOST, issued: bool = True, note: str = ""):
    """One statement line of `amount` yuan for `org` in the month of `period` (its statement is
    created on first use)."""
    period = period.replace(day=1)
    statement = Statement.objects.filter(organization=org, period=period).first()
    if statement is None:
        statement = Statement.objects.create(
            organization=org,
            period=period,
            state=StatementState.ISSUED if issued else StatementState.DRAFT,
            number=f"ZD-{period:%Y%m}-{next(_numbers):05d}",
            drafted_at=_aware(period),
            issue_after=_aware(period) + timedelta(days=40),
            issued_at=_aware(period) + timedelta(days=40) if issued else None,
        )
    amount = Decimal(str(amount))
    line = StatementLine.objects.create(
        statement=statement,
        resource_kind=kind,
        unit=PriceUnit.VCPU_MONTH,
        unit_detail=note,
        quantity=Decimal("1"),
        unit_price=amount,
        starts_at=_aware(period),
        ends_at=_aware(period) + timedelta(days=28),
        seconds=28 * 86400,
        amount=amount,
        reason=note,
    )
    Statement.objects.filter(pk=statement.pk).update(total=statement.total + amount)
    return line
