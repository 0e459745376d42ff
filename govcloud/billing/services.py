"""Writes of billing: drafting the month's statements for every department in one job, issuing
them after the late-data window, and the center's adjustments. An issued statement is never
written again: every write here refuses one."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govcloud.audit.services import audit_record
from govcloud.billing.metering import month_bounds, month_start, next_month, resources_in
from govcloud.billing.models import STATEMENT_ADJUSTERS, Statement, StatementLine, StatementState
from govcloud.billing.rating_sql import draft_lines
from govcloud.catalog.specs import money
from govcloud.core.actors import Actor
from govcloud.core.crypto import hmac_sm3_hex, sm3_hex
from govcloud.core.permissions import require_role
from govcloud.core.policy import Policy, policy_value
from govcloud.workdays.selectors import work_calendar

BATCH = 5000


def _issue_after(period: date) -> datetime:
    """The end of the late-data window: N working days after the month, at the close of office."""
    _start, end = month_bounds(period)
    days = int(policy_value(Policy.STATEMENT_LATE_DATA_WORKING_DAYS))
    if days == 0:
        return end
    return work_calendar().deadline(end, days, office_end=policy_value(Policy.OFFICE_HOURS_END)).due


def statement_number(organization_id: int, period: date) -> str:
    return f"DZD-{period:%Y%m}-{organization_id:06d}"


def verification_code(statement: Statement, lines: list[StatementLine]) -> str:
    """A keyed digest of what the statement says: equal codes mean a printed statement shows the
    platform's issued record, unaltered."""
    text = repr(
        (
            statement.number,
            statement.organization_id,
            statement.period.isoformat(),
            str(statement.total),
            sorted((line.resource_id or 0, line.unit, str(line.quantity), str(line.amount)) for line in lines),
        )
    )
    key = sm3_hex(f"{settings.SECRET_KEY}:billing-statement".encode()).encode()
    digest = hmac_sm3_hex(key, text.encode("utf-8"))[:16].upper()
    return "-".join(digest[i : i + 4] for i in range(0, 16, 4))


def _new_statement(organization_id: int, period: date, now: datetime) -> Statement:
    return Statement(
        organization_id=organization_id,
        period=period,
        state=StatementState.DRAFT,
        number=statement_number(organization_id, period),
        drafted_at=now,
        issue_after=_issue_after(period),
    )


@transaction.atomic
def statements_draft(*, actor: Actor, period: date, now: datetime | None = None) -> dict[str, int]:
    """Draft (or re-draft) the statements of `period` for every department with resources in
    service in the month, in one pass: the lines are rated and inserted by one SQL statement
    (`rating_sql`), whatever the number of resources. A draft's metered lines are replaced (its
    adjustment lines stay); an issued statement is never touched."""
    require_role(actor, STATEMENT_ADJUSTERS)
    period = month_start(period)
    now = now or timezone.now()
    start, end = month_bounds(period)
    holders = set(resources_in(start, end).order_by().values_list("organization_id", flat=True).distinct())

    existing = {s.organization_id: s for s in Statement.objects.select_for_update().filter(period=period)}
    issued = {org for org, s in existing.items() if s.state == StatementState.ISSUED}
    # Re-drafting: the metered lines of drafts go; adjustments stay.
    # One DELETE: metered lines of a draft are never referenced (only issued lines are adjusted),
    # so the ORM's collector (which would load every line to check references) is not needed.
    if len(existing) > len(issued):
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {StatementLine._meta.db_table} WHERE is_adjustment = %s AND statement_id IN "
                f"(SELECT id FROM {Statement._meta.db_table} WHERE period = %s AND state = %s)",
                [False, period, StatementState.DRAFT],
            )
    Statement.objects.bulk_create(
        [_new_statement(org, period, now) for org in sorted(holders - existing.keys())], batch_size=BATCH
    )
    lines = draft_lines(period)
    drafts = list(Statement.objects.filter(period=period, state=StatementState.DRAFT))
    _retotal(drafts, now=now)
    audit_record(
        actor=actor,
        action="statement.draft",
        object_type="billing.statement",
        object_repr=f"{period:%Y-%m}",
        message=f"{len(drafts)} drafts, {lines} lines, {len(issued)} issued untouched",
    )
    return {"statements": len(drafts), "lines": lines, "issued_untouched": len(issued)}


def _retotal(statements: list[Statement], *, now: datetime) -> None:
    """A statement's total is the sum of its rounded lines (one grouped query for all)."""
    from django.db.models import Sum

    if not statements:
        return
    sums = dict(
        StatementLine.objects.filter(statement__in=statements)
        .values_list("statement_id")
        .annotate(total=Sum("amount"))
        .values_list("statement_id", "total")
    )
    for statement in statements:
        statement.total = money(sums.get(statement.pk) or Decimal(0))
        statement.drafted_at = now
    Statement.objects.bulk_update(statements, ["total", "drafted_at"], batch_size=BATCH)


@transaction.atomic
def statement_issue(*, actor: Actor, statement: Statement, now: datetime | None = None) -> Statement:
    require_role(actor, STATEMENT_ADJUSTERS)
    statement = Statement.objects.select_for_update().get(pk=statement.pk)
    if statement.state == StatementState.ISSUED:
        raise ValidationError(_("This statement has been issued and can no longer be changed."))
    lines = list(statement.lines.all())
    statement.state = StatementState.ISSUED
    statement.issued_at = now or timezone.now()
    statement.verification_code = verification_code(statement, lines)
    statement.save(update_fields=["state", "issued_at", "verification_code", "updated_at"])
    audit_record(
        actor=actor,
        action="statement.issue",
        target=statement,
        changes={"state": [StatementState.DRAFT, StatementState.ISSUED]},
        message=f"{statement.number} {statement.total}",
    )
    return statement


def statements_issue_due(*, actor: Actor, now: datetime | None = None) -> int:
    """Issue every draft whose late-data window has passed."""
    now = now or timezone.now()
    due = list(Statement.objects.filter(state=StatementState.DRAFT, issue_after__lte=now).order_by("pk"))
    for statement in due:
        statement_issue(actor=actor, statement=statement, now=now)
    return len(due)


def _next_draft(organization_id: int, after: date, now: datetime) -> Statement:
    """The organization's first draft after `after`, created (empty) if every later month so far is
    issued or not drafted."""
    periods = {
        s.period: s
        for s in Statement.objects.select_for_update().filter(organization_id=organization_id, period__gt=after)
    }
    period = next_month(after)
    while period in periods and periods[period].state == StatementState.ISSUED:
        period = next_month(period)
    if period in periods:
        return periods[period]
    statement = _new_statement(organization_id, period, now)
    statement.save()
    return statement


@transaction.atomic
def statement_adjust(
    *, actor: Actor, original_line: StatementLine, amount: Decimal | str, reason: str, now: datetime | None = None
) -> StatementLine:
    """A correction of an issued line: an adjustment line (positive or negative `amount`, CNY) on
    the organization's next draft statement, referencing the original line and saying why."""
    require_role(actor, STATEMENT_ADJUSTERS)
    now = now or timezone.now()
    reason = (reason or "").strip()
    errors = {}
    try:
        value = money(Decimal(str(amount)))
    except Exception:
        value = None
        errors["amount"] = _("Enter an amount in CNY, for example -12.50.")
    if value is not None and value == 0:
        errors["amount"] = _("An adjustment of zero changes nothing.")
    if not reason:
        errors["reason"] = _("Say why the line is corrected.")
    if errors:
        raise ValidationError(errors)
    try:
        original = StatementLine.objects.select_related("statement").get(pk=original_line.pk)
    except StatementLine.DoesNotExist:
        raise PermissionDenied(_("This line does not exist."))
    if original.statement.state != StatementState.ISSUED:
        raise ValidationError(_("Only lines of issued statements are adjusted; a draft is re-drafted instead."))
    target = _next_draft(original.statement.organization_id, original.statement.period, now)
    line = StatementLine.objects.create(
        statement=target,
        resource_id=original.resource_id,
        system_id=original.system_id,
        resource_kind=original.resource_kind,
        unit=original.unit,
        unit_detail=original.unit_detail,
        quantity=Decimal(0),
        unit_price=Decimal(0),
        starts_at=original.starts_at,
        ends_at=original.ends_at,
        seconds=0,
        amount=value,
        adjusts=original,
        reason=reason,
        is_adjustment=True,
    )
    _retotal([target], now=target.drafted_at)
    audit_record(
        actor=actor,
        action="statement.adjust",
        target=target,
        changes={"adjusts": original.pk, "amount": str(value), "statement": original.statement.number},
        message=reason,
    )
    return line
