"""The billing part of the isolation harness (see tests/isolation.py): department A has an issued
statement whose line carries the marker (in its reason) and a resource in service (its cost)."""

from tests.isolation import MISSING_INT, Kind, Probe


def populate(world) -> None:
    from datetime import date
    from decimal import Decimal

    from govcloud.billing.models import Statement, StatementLine, StatementState
    from govcloud.billing.tests.helpers import at
    from govcloud.catalog.models import PriceUnit, ResourceKind
    from tests.isolation import MARKER

    statement = Statement.objects.create(
        organization=world.a_org,
        period=date(2026, 10, 1),
        state=StatementState.ISSUED,
        number=f"DZD-202610-{world.a_org.pk:06d}",
        total=Decimal("10.00"),
        drafted_at=at(2026, 11, 1),
        issue_after=at(2026, 11, 4, 17, 30),
        issued_at=at(2026, 11, 5),
        verification_code="AAAA-BBBB-CCCC-DDDD",
    )
    world.a_statement = statement
    world.a_line = StatementLine.objects.create(
        statement=statement,
        resource_kind=ResourceKind.HOST,
        unit=PriceUnit.VCPU_MONTH,
        quantity=Decimal(1),
        unit_price=Decimal(10),
        starts_at=at(2026, 10, 1),
        ends_at=at(2026, 11, 1),
        seconds=31 * 86400,
        amount=Decimal("10.00"),
        reason=f"原因{MARKER}",
    )


def _pk(name):
    return lambda w: {"pk": getattr(w, name).pk}


def _missing(w):
    return MISSING_INT


ENDPOINTS = {
    # --- pages ---------------------------------------------------------------------------------------
    "billing:statement_list": Probe(Kind.LIST),
    "billing:statement_detail": Probe(Kind.DETAIL, _pk("a_statement"), _missing, owner_sees_marker=True),
    "billing:statement_pdf": Probe(Kind.DETAIL, _pk("a_statement"), _missing),
    "billing:statement_xlsx": Probe(Kind.DETAIL, _pk("a_statement"), _missing),
    # The center administrator's: 403 before anything is looked up.
    "billing:line_adjust": Probe(
        Kind.DETAIL, _pk("a_line"), _missing, methods=("get", "post"), data={"amount": "1", "reason": "x"}
    ),
    "billing:verify": Probe(Kind.SHARED, query="code=AAAA-BBBB-CCCC-DDDD"),
    # --- REST API ------------------------------------------------------------------------------------
    "statement-list": Probe(Kind.LIST),
    "statement-detail": Probe(Kind.DETAIL, _pk("a_statement"), _missing, owner_sees_marker=True),
    "statement-lines": Probe(Kind.DETAIL, _pk("a_statement"), _missing, owner_sees_marker=True),
    "statement-adjust": Probe(
        Kind.DETAIL, _pk("a_statement"), _missing, methods=("post",), data={"line": 1, "amount": "1", "reason": "x"}
    ),
    "statement-month-to-date": Probe(Kind.LIST),
}
