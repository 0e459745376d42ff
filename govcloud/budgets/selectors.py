"""Reads of the budgets app: costs per department by month, quarter or year with rankings and
trend charts (the finance overview), and the budget-preparation table (resources held, average
monthly cost, cost this and last year, change, budget, % used, forecast).

Costs are the billing app's statement lines (drafts included: a month not yet issued is still
cost), read through the statements' scope: a department sees its own and its units', the center,
finance and the leading group see all. Every read is a constant number of grouped queries; the
roll-up from units to their department happens in Python over the grouped rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db.models import Count, IntegerField, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from govcloud.budgets.models import BUDGET_SCOPE, Budget
from govcloud.catalog.models import ResourceKind
from govcloud.core.actors import SYSTEM, is_system
from govcloud.core.scoping import Action
from govcloud.ledger.models import Resource, ResourceState
from govcloud.organizations.models import Organization, OrganizationKind, OrganizationLevel


class Granularity:
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    CHOICES = (MONTH, QUARTER, YEAR)


# Resources held: what is billed (the test period is not).
HELD = (ResourceState.IN_SERVICE, ResourceState.CHANGING)
# How many years the yearly view shows.
YEARS_SHOWN = 5
ZERO = Decimal("0.00")


def _line_model():
    """The billing app's StatementLine, or None while billing is not installed (no costs yet)."""
    if not apps.is_installed("govcloud.billing"):
        return None
    return apps.get_model("billing", "StatementLine")


def scoped_lines(*, user) -> QuerySet | None:
    """Statement lines of the statements `user` may see (billing's scope); None without billing."""
    line = _line_model()
    if line is None:
        return None
    statement = apps.get_model("billing", "Statement")
    if user is None:
        return line.objects.none()
    if is_system(user):
        return line.objects.all()
    return line.objects.filter(statement__in=statement.objects.restrict(user, Action.VIEW).values("pk"))


def costs_by_path(
    *, start: date, end: date, user=None, resource_kind: str | None = None
) -> dict[str, dict[date, Decimal]]:
    """{organization path: {month: amount}} of the statements of months in [start, end]; without a
    user, every organization's (for the sweep). One grouped query."""
    lines = scoped_lines(user=user or SYSTEM)
    if lines is None:
        return {}
    lines = lines.filter(statement__period__gte=start, statement__period__lte=end)
    if resource_kind:
        lines = lines.filter(resource_kind=resource_kind)
    grouped = (
        lines.order_by().values("statement__organization__path", "statement__period").annotate(amount=Sum("amount"))
    )
    result: dict[str, dict[date, Decimal]] = defaultdict(dict)
    for row in grouped:
        result[row["statement__organization__path"]][row["statement__period"]] = row["amount"] or ZERO
    return result


def subtree_sum(by_path: Mapping[str, Mapping[date, Decimal]], path: str) -> dict[date, Decimal]:
    """The months of an organization and its units added up (no query)."""
    months: dict[date, Decimal] = defaultdict(lambda: ZERO)
    for org_path, values in by_path.items():
        if org_path.startswith(path):
            for period, amount in values.items():
                months[period] += amount
    return dict(months)


def project(months: Mapping[date, Decimal], today: date) -> Decimal:
    """The year's cost forecast: the closed months, then this month and the months left at the
    average monthly rate so far (this month at least what it already has)."""
    current = date(today.year, today.month, 1)
    mine = {p: v for p, v in months.items() if p.year == today.year}
    closed = sum((v for p, v in mine.items() if p < current), ZERO)
    this_month = sum((v for p, v in mine.items() if p >= current), ZERO)
    elapsed = today.month - 1
    rate = closed / elapsed if elapsed else this_month
    return (closed + max(this_month, rate) + rate * (12 - today.month)).quantize(Decimal("0.01"))


def _percent(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    if part is None or not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def _ancestors(path: str) -> list[str]:
    """ "/1/4/17/" → ["/1/", "/1/4/", "/1/4/17/"]."""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


# --- Finance overview -------------------------------------------------------------------------


def periods_for(year: int, granularity: str) -> list[tuple[str, str]]:
    """(key, label) of the columns."""
    if granularity == Granularity.QUARTER:
        return [(f"{year}-Q{q}", _("Q%(q)s %(year)s") % {"q": q, "year": year}) for q in range(1, 5)]
    if granularity == Granularity.YEAR:
        return [(str(y), str(y)) for y in range(year - YEARS_SHOWN + 1, year + 1)]
    return [(f"{year}-{m:02d}", f"{year}-{m:02d}") for m in range(1, 13)]


def period_key(period: date, granularity: str) -> str:
    if granularity == Granularity.QUARTER:
        return f"{period.year}-Q{(period.month - 1) // 3 + 1}"
    if granularity == Granularity.YEAR:
        return str(period.year)
    return f"{period.year}-{period.month:02d}"


@dataclass
class CostRow:
    organization_id: int
    name: str
    path: str
    amounts: dict[str, Decimal] = field(default_factory=dict)
    total: Decimal = ZERO
    last_year: Decimal = ZERO

    @property
    def change(self) -> Decimal:
        return self.total - self.last_year

    @property
    def change_percent(self) -> Decimal | None:
        return _percent(self.change, self.last_year)


def finance_overview(
    *, user, year: int, granularity: str = Granularity.MONTH, resource_kind: str | None = None, top: int = 10
) -> dict[str, Any]:
    """Per organization billed: amounts per period and the year's total, last year's total and the
    change; totals per period and per resource kind; the top `top` by cost and by increase; and
    ECharts options for the trend and the ranking. One query."""
    if granularity not in Granularity.CHOICES:
        granularity = Granularity.MONTH
    periods = periods_for(year, granularity)
    keys = [k for k, _label in periods]
    first_year = year - YEARS_SHOWN + 1 if granularity == Granularity.YEAR else year - 1
    lines = scoped_lines(user=user)
    grouped: Iterable[dict] = []
    if lines is not None:
        lines = lines.filter(statement__period__gte=date(first_year, 1, 1), statement__period__lte=date(year, 12, 31))
        if resource_kind:
            lines = lines.filter(resource_kind=resource_kind)
        grouped = (
            lines.order_by()
            .values(
                "statement__organization_id",
                "statement__organization__name",
                "statement__organization__path",
                "statement__period",
                "resource_kind",
            )
            .annotate(amount=Sum("amount"))
        )
    rows: dict[int, CostRow] = {}
    by_period: dict[str, Decimal] = dict.fromkeys(keys, ZERO)
    by_kind: dict[str, Decimal] = {}
    for g in grouped:
        org_id = g["statement__organization_id"]
        row = rows.get(org_id)
        if row is None:
            row = rows[org_id] = CostRow(
                organization_id=org_id,
                name=g["statement__organization__name"],
                path=g["statement__organization__path"],
                amounts=dict.fromkeys(keys, ZERO),
            )
        amount = g["amount"] or ZERO
        period: date = g["statement__period"]
        key = period_key(period, granularity)
        if key in row.amounts:
            row.amounts[key] += amount
            by_period[key] += amount
        if period.year == year:
            row.total += amount
            by_kind[g["resource_kind"]] = by_kind.get(g["resource_kind"], ZERO) + amount
        elif period.year == year - 1:
            row.last_year += amount
    ordered = sorted(rows.values(), key=lambda r: r.path)
    ranking = sorted((r for r in ordered if r.total), key=lambda r: r.total, reverse=True)[:top]
    increases = sorted((r for r in ordered if r.change > 0), key=lambda r: r.change, reverse=True)[:top]
    kind_labels = dict(ResourceKind.choices)
    kinds = [
        {"kind": k, "label": str(kind_labels.get(k, k)), "amount": v}
        for k, v in sorted(by_kind.items(), key=lambda kv: kv[1], reverse=True)
    ]
    total = sum((r.total for r in ordered), ZERO)
    last_year = sum((r.last_year for r in ordered), ZERO)
    return {
        "year": year,
        "granularity": granularity,
        "periods": periods,
        "rows": ordered,
        "by_period": [by_period[k] for k in keys],
        "by_kind": kinds,
        "total": total,
        "last_year": last_year,
        "change_percent": _percent(total - last_year, last_year),
        "ranking": ranking,
        "increases": increases,
        "trend_chart": _trend_chart(periods, by_period, ranking[:5]),
        "ranking_chart": _ranking_chart(ranking),
        "kind_chart": _kind_chart(kinds),
    }


def _num(value: Decimal) -> float:
    return float(value)


def _trend_chart(periods, by_period, leaders: list[CostRow]) -> dict[str, Any]:
    labels = [label for _key, label in periods]
    everyone = _("All departments")
    series = [{"name": everyone, "type": "line", "data": [_num(by_period[k]) for k, _l in periods]}]
    series += [{"name": r.name, "type": "line", "data": [_num(r.amounts[k]) for k, _l in periods]} for r in leaders]
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0, "type": "scroll"},
        "grid": {"left": 64, "right": 24, "top": 40, "bottom": 32},
        "xAxis": {"type": "category", "data": labels},
        "yAxis": {"type": "value", "name": _("yuan")},
        "series": series,
    }


def _ranking_chart(ranking: list[CostRow]) -> dict[str, Any]:
    return {
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 160, "right": 24, "top": 16, "bottom": 24},
        "xAxis": {"type": "value"},
        "yAxis": {"type": "category", "inverse": True, "data": [r.name for r in ranking]},
        "series": [{"name": _("Cost"), "type": "bar", "color": "#1756a0", "data": [_num(r.total) for r in ranking]}],
    }


def _kind_chart(kinds: list[dict]) -> dict[str, Any]:
    return {
        "tooltip": {"trigger": "item"},
        "legend": {"bottom": 0},
        "series": [
            {
                "type": "pie",
                "radius": ["45%", "70%"],
                "data": [{"name": k["label"], "value": _num(k["amount"])} for k in kinds],
            }
        ],
    }


# --- Budget-preparation table -----------------------------------------------------------------


@dataclass
class BudgetRow:
    organization: Organization
    budget: Budget | None = None
    resources: int = 0
    vcpu: int = 0
    memory_gb: int = 0
    disk_gb: int = 0
    cost: Decimal = ZERO
    last_year: Decimal = ZERO
    months_billed: int = 0
    forecast: Decimal = ZERO

    @property
    def average_monthly(self) -> Decimal:
        return (self.cost / self.months_billed).quantize(Decimal("0.01")) if self.months_billed else ZERO

    @property
    def change(self) -> Decimal:
        return self.cost - self.last_year

    @property
    def change_percent(self) -> Decimal | None:
        return _percent(self.change, self.last_year)

    @property
    def amount(self) -> Decimal | None:
        return self.budget.amount if self.budget else None

    @property
    def percent_used(self) -> Decimal | None:
        return _percent(self.cost, self.amount)

    @property
    def forecast_percent(self) -> Decimal | None:
        return _percent(self.forecast, self.amount)


def in_budget_scope(queryset: QuerySet, user, org_path: str) -> QuerySet:
    """`queryset` limited as budgets are (center, finance, leading group: all; a department: its
    subtree), for models whose own scope differs (organizations, ledger resources)."""
    if user is None:
        return queryset.none()
    if is_system(user):
        return queryset
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return queryset.none()
    q = replace(BUDGET_SCOPE, org_path=org_path).q_for(user, Action.VIEW)
    return queryset if q is None else queryset.filter(q)


def departments_for(*, user) -> QuerySet[Organization]:
    """The departments whose budgets `user` may see (a department user: their own)."""
    return (
        in_budget_scope(Organization.objects.all(), user, "path")
        .filter(kind=OrganizationKind.DEPARTMENT, level=OrganizationLevel.DEPARTMENT, is_active=True)
        .order_by("path")
    )


def budget_table(*, user, year: int, today: date | None = None) -> list[BudgetRow]:
    """Per department: resources held with vCPU/memory/disk, the year's cost, its average per
    month billed, last year's cost and the change, the budget, % used and the forecast to year
    end (this year only). A department's units count toward it. Four queries."""
    today = today or timezone.localdate()
    rows = {org.path: BudgetRow(organization=org) for org in departments_for(user=user)}
    if not rows:
        return []
    budgets = Budget.objects.restrict(user, Action.VIEW).filter(year=year, organization__path__in=list(rows))
    for budget in budgets.select_related("organization"):
        rows[budget.organization.path].budget = budget

    held = (
        in_budget_scope(Resource.objects.all(), user, "organization__path")
        .filter(state__in=HELD)
        .order_by()
        .values("organization__path")
        .annotate(
            n=Count("id"),
            vcpu_sum=Coalesce(Sum("vcpu"), 0, output_field=IntegerField()),
            memory_sum=Coalesce(Sum("memory_gb"), 0, output_field=IntegerField()),
            disk_sum=Coalesce(Sum("disk_gb"), 0, output_field=IntegerField()),
        )
    )
    for g in held:
        for prefix in _ancestors(g["organization__path"]):
            row = rows.get(prefix)
            if row is not None:
                row.resources += g["n"]
                row.vcpu += g["vcpu_sum"]
                row.memory_gb += g["memory_sum"]
                row.disk_gb += g["disk_sum"]

    costs = costs_by_path(start=date(year - 1, 1, 1), end=date(year, 12, 31), user=user)
    months: dict[str, dict[date, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for path, values in costs.items():
        for prefix in _ancestors(path):
            if prefix in rows:
                for period, amount in values.items():
                    months[prefix][period] += amount
    for path, row in rows.items():
        mine = months.get(path, {})
        row.cost = sum((v for p, v in mine.items() if p.year == year), ZERO)
        row.last_year = sum((v for p, v in mine.items() if p.year == year - 1), ZERO)
        row.months_billed = len([p for p, v in mine.items() if p.year == year and v])
        row.forecast = project(mine, today) if year == today.year else row.cost
    return list(rows.values())


def budget_totals(rows: Iterable[BudgetRow]) -> dict[str, Decimal]:
    total = {"cost": ZERO, "last_year": ZERO, "amount": ZERO, "forecast": ZERO, "resources": 0}
    for row in rows:
        total["cost"] += row.cost
        total["last_year"] += row.last_year
        total["forecast"] += row.forecast
        total["amount"] += row.amount or ZERO
        total["resources"] += row.resources
    total["percent_used"] = _percent(total["cost"], total["amount"])
    return total
