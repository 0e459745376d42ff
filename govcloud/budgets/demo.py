"""Demo budgets for this year; called by govcloud/web/demo.py after the billing demo.

Each demo department with cost gets a budget sized from its cost so far, so the list shows the range
a finance office meets: comfortably within, past 80 %, and one over budget. Idempotent: a department
that has a budget for the year keeps it.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from govcloud.billing.models import StatementLine
from govcloud.budgets.models import Budget
from govcloud.budgets.services import budget_set
from govcloud.core.actors import SYSTEM
from govcloud.organizations.models import OrganizationKind, OrganizationLevel

# Budget as a multiple of the year's cost so far, by department (the rest get 3×).
FACTORS = {"gaj": Decimal("1.1"), "wjw": Decimal("0.9")}


def load_demo(*, orgs: dict, users: dict) -> None:
    year = timezone.localdate().year
    costs = dict(
        StatementLine.objects.filter(statement__period__year=year)
        .values_list("statement__organization__path")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for key, org in orgs.items():
        if org.kind != OrganizationKind.DEPARTMENT or org.level != OrganizationLevel.DEPARTMENT:
            continue
        if Budget.objects.filter(organization=org, year=year).exists():
            continue
        spent = sum((total for path, total in costs.items() if path.startswith(org.path)), Decimal(0))
        if not spent:
            continue
        amount = (spent * FACTORS.get(key, Decimal(3))).quantize(Decimal("1000"))
        budget_set(
            actor=SYSTEM, organization=org, year=year, amount=max(amount, Decimal(1000)), note="年度云服务预算（演示）"
        )
