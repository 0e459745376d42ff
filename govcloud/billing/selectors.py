"""Reads of billing, always scoped: the center, finance and the leading group see every
department's statements and costs; a department its own organization subtree."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from govcloud.billing.metering import PriceBook, meter_until, month_bounds, period_of, previous_month
from govcloud.billing.models import STATEMENT_VIEWERS, Statement, StatementLine, StatementState
from govcloud.catalog.models import ResourceKind
from govcloud.catalog.specs import money
from govcloud.core.permissions import has_any_role
from govcloud.core.scoping import Action
from govcloud.organizations.models import Organization


def statements_for(*, user, action: str = Action.VIEW) -> QuerySet[Statement]:
    return (
        Statement.objects.restrict(user, action)
        .select_related("organization")
        .order_by("-period", "organization__path")
    )


def monthly_totals(statements: QuerySet[Statement], *, months: int = 12) -> list[dict]:
    """[{period, total, count}] of the (filtered) statements, newest month first: one query."""
    return list(
        statements.order_by()
        .values("period")
        .annotate(total=Sum("total"), count=Count("pk"))
        .order_by("-period")[:months]
    )


def lines_for(*, user) -> QuerySet[StatementLine]:
    return StatementLine.objects.restrict(user, Action.VIEW)


def statement_lines(statement: Statement) -> QuerySet[StatementLine]:
    return statement.lines.select_related("resource", "system", "adjusts__statement").order_by(
        "is_adjustment", "system_id", "resource_id", "unit", "starts_at", "pk"
    )


def costs_by_month(*, user, start: date, end: date) -> list[dict]:
    """[{organization_id, period, resource_kind, state, amount}] summed over the lines of the
    statements (drafts included, with their state) of the months in [start, end), within scope."""
    rows = (
        lines_for(user=user)
        .filter(statement__period__gte=start, statement__period__lt=end)
        .values("statement__organization_id", "statement__period", "resource_kind", "statement__state")
        .annotate(amount=Sum("amount"))
        .values_list("statement__organization_id", "statement__period", "resource_kind", "statement__state", "amount")
        .order_by("statement__period", "statement__organization_id", "resource_kind")
    )
    return [
        {"organization_id": org, "period": period, "resource_kind": kind, "state": state, "amount": amount}
        for org, period, kind, state, amount in rows
    ]


def _can_see_org(user, organization: Organization) -> bool:
    if has_any_role(user, STATEMENT_VIEWERS):
        return True
    own = getattr(user, "organization", None)
    return own is not None and organization.path.startswith(own.path)


def month_to_date(*, user, organization: Organization, at: datetime | None = None) -> dict:
    """The cost of `organization` (and its units) so far this month and a forecast to month end,
    live from metering (not from statements): the forecast adds the resources in service now at
    their current rate for the rest of the month. Out of scope: PermissionDenied."""
    from django.core.exceptions import PermissionDenied

    if not _can_see_org(user, organization):
        raise PermissionDenied
    at = at or timezone.now()
    period = period_of(at)
    book = PriceBook.load()
    _start, end = month_bounds(period)
    so_far, whole = meter_until(period, org_paths=[organization.path], as_of=at, untils=[at, end], book=book)
    cost = sum((line.amount for line in so_far), Decimal(0))
    forecast = sum((line.amount for line in whole), Decimal(0))
    return {"cost": money(cost), "forecast": money(max(forecast, cost)), "period": period}


def statement_summary(statement: Statement, lines: list[StatementLine]) -> dict:
    """Subtotals per information system and per resource type, and the change from the previous
    month's statement (one query)."""
    per_system: dict = defaultdict(lambda: Decimal(0))
    per_kind: dict = defaultdict(lambda: Decimal(0))
    systems = {}
    for line in lines:
        per_system[line.system_id] += line.amount
        per_kind[line.resource_kind] += line.amount
        if line.system_id:
            systems[line.system_id] = line.system
    previous = (
        Statement.objects.filter(organization_id=statement.organization_id, period=previous_month(statement.period))
        .values_list("total", flat=True)
        .first()
    )
    change = None if previous is None else statement.total - previous
    percent = None
    if previous:
        percent = (change * 100 / previous).quantize(Decimal("0.1"))
    return {
        "per_system": [
            (systems.get(pk), amount) for pk, amount in sorted(per_system.items(), key=lambda kv: kv[0] or 0)
        ],
        "per_kind": [(ResourceKind(kind).label, kind, amount) for kind, amount in sorted(per_kind.items())],
        "previous_total": previous,
        "change": change,
        "change_percent": percent,
    }


def statement_by_code(code: str) -> Statement | None:
    code = (code or "").strip().upper()
    if not code:
        return None
    return Statement.objects.filter(state=StatementState.ISSUED, verification_code=code).first()
