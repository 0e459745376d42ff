"""The budgets part of the isolation harness (see tests/isolation.py): department A has a budget
(marker in its note) and a statement line of cost (a resource kind and amount B must not see)."""

from tests.isolation import MARKER, MISSING_INT, Kind, Probe


def populate(world) -> None:
    from datetime import date

    from django.utils import timezone

    from govcloud.budgets.services import budget_set
    from govcloud.budgets.tests.helpers import cost
    from govcloud.core.actors import SYSTEM

    year = timezone.localdate().year
    world.a_budget = budget_set(actor=SYSTEM, organization=world.a_org, year=year, amount=1000, note=f"预算{MARKER}")
    cost(world.a_org, date(year, 1, 1), "123.45", note=MARKER)


def _pk(name):
    return lambda w: {"pk": getattr(w, name).pk}


def _missing(w):
    return MISSING_INT


ENDPOINTS = {
    # --- pages: the department name of A carries the marker, so any of A's rows would show it --------
    "budgets:budget_list": Probe(Kind.LIST, methods=("get", "post"), data={"year": 2026, "amount": "1"}),
    "budgets:finance": Probe(Kind.LIST),
    "budgets:export": Probe(Kind.LIST),
    # --- REST API ------------------------------------------------------------------------------------
    "budget-list": Probe(Kind.LIST, methods=("get", "post"), data={"year": 2026, "amount": "1"}),
    "budget-detail": Probe(Kind.DETAIL, _pk("a_budget"), _missing, owner_sees_marker=True),
    "finance-overview-list": Probe(Kind.LIST),
}
