"""Writes of the budgets app: setting a department's annual budget (center administrator or
finance, audited) and the daily sweep that warns a department's heads and the center when the
department reaches 80 % / 100 % of its budget, on actual cost or on the forecast to year end."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govcloud.audit.services import audit_record, diff, snapshot
from govcloud.budgets.models import BUDGET_SETTERS, Basis, Budget, BudgetAlert, Threshold
from govcloud.budgets.selectors import costs_by_path, project, subtree_sum
from govcloud.core.actors import SYSTEM, Actor, is_system
from govcloud.core.permissions import require_role
from govcloud.core.roles import Role
from govcloud.notifications.kinds import register_kind
from govcloud.notifications.models import Severity
from govcloud.notifications.services import notify, users_with_roles
from govcloud.organizations.models import Organization, OrganizationKind, OrganizationLevel

KIND_THRESHOLD = "budgets.threshold"
KIND_EXHAUSTED = "budgets.exhausted"
BUDGET_FIELDS = ("amount", "note")
MAX_AMOUNT = Decimal("999999999999.99")


def register_kinds() -> None:
    """Called from the app's ready(): 80 % warnings follow the severity, 100 % always e-mails."""
    roles = {Role.DEPARTMENT_HEAD, Role.CENTER_ADMIN}
    register_kind(KIND_THRESHOLD, gettext_lazy("Cloud budget at 80 %"), email_default=None, roles=roles)
    register_kind(KIND_EXHAUSTED, gettext_lazy("Cloud budget at 100 %"), email_default=True, roles=roles)


def budget_set(*, actor: Actor, organization: Organization, year: int, amount: Decimal, note: str = "") -> Budget:
    """Set (create or replace) a department's budget for cloud services for a year. A changed
    amount re-arms the warnings, so they are judged against the new amount."""
    require_role(actor, BUDGET_SETTERS)
    if organization.kind != OrganizationKind.DEPARTMENT or organization.level != OrganizationLevel.DEPARTMENT:
        raise ValidationError({"organization": _("Budgets are set for departments.")})
    if not (2000 <= int(year) <= 2100):
        raise ValidationError({"year": _("Enter a year between 2000 and 2100.")})
    amount = Decimal(str(amount))
    if amount < 0 or amount > MAX_AMOUNT:
        raise ValidationError({"amount": _("A budget is a non-negative amount below one trillion yuan.")})
    with transaction.atomic():
        budget = Budget.objects.select_for_update().filter(organization=organization, year=year).first()
        before = snapshot(budget, BUDGET_FIELDS) if budget else {}
        if budget is None:
            budget = Budget(organization=organization, year=year)
        budget.amount = amount.quantize(Decimal("0.01"))
        budget.note = note or ""
        budget.set_by_name = "" if is_system(actor) else (actor.get_full_name() or actor.username)
        try:
            with transaction.atomic():
                budget.save()
        except IntegrityError as exc:
            raise ValidationError(_("Someone set this budget at the same moment; reload and try again.")) from exc
        changes = diff(before, snapshot(budget, BUDGET_FIELDS))
        if before and "amount" in changes:
            BudgetAlert.objects.filter(budget=budget).delete()
        if changes:
            audit_record(
                actor=actor,
                action="budgets.budget_set",
                target=budget,
                object_repr=f"{organization.name} {year}",
                message=_("Budget of %(name)s for %(year)s: %(amount)s yuan")
                % {"name": organization.name, "year": year, "amount": budget.amount},
                changes=changes,
            )
    return budget


def _recipients(organization: Organization) -> list:
    heads = users_with_roles([Role.DEPARTMENT_HEAD], organization)
    center = users_with_roles([Role.CENTER_ADMIN])
    return list(heads) + list(center)


def budget_alerts_sweep(*, actor: Actor = SYSTEM, today: date | None = None) -> int:
    """Warn once per budget, threshold and basis (actual / forecast): the department's heads and
    the center's administrators. Set-based: one query for the year's budgets with their alerts,
    one aggregate of the year's costs; queries per warning only when one is due. Returns how
    many warnings were sent."""
    today = today or timezone.localdate()
    budgets = list(
        Budget.objects.filter(year=today.year, amount__gt=0).select_related("organization").prefetch_related("alerts")
    )
    if not budgets:
        return 0
    by_path = costs_by_path(start=date(today.year, 1, 1), end=date(today.year, 12, 31))
    sent = 0
    for budget in budgets:
        months = subtree_sum(by_path, budget.organization.path)
        values = {Basis.ACTUAL: sum(months.values(), Decimal(0)), Basis.FORECAST: project(months, today)}
        done = {(a.threshold, a.basis) for a in budget.alerts.all()}
        for threshold in Threshold:
            for basis in Basis:
                value = values[basis]
                if (threshold.value, basis.value) in done or value * 100 < budget.amount * threshold.value:
                    continue
                sent += _warn(budget=budget, threshold=threshold, basis=basis, value=value)
    return sent


def _warn(*, budget: Budget, threshold: Threshold, basis: Basis, value: Decimal) -> int:
    org = budget.organization
    with transaction.atomic():
        try:
            with transaction.atomic():
                BudgetAlert.objects.create(budget=budget, threshold=threshold, basis=basis, value=value)
        except IntegrityError:
            return 0  # another sweep sent it
        percent = int(value * 100 / budget.amount)
        params = {"name": org.name, "year": budget.year, "percent": percent, "threshold": threshold.value}
        if basis == Basis.ACTUAL:
            title = _("%(name)s has used %(percent)s %% of its %(year)s cloud budget (≥ %(threshold)s %%)") % params
        else:
            title = (
                _("%(name)s is forecast to use %(percent)s %% of its %(year)s cloud budget (≥ %(threshold)s %%)")
                % params
            )
        body = _("Budget %(amount)s yuan; %(basis)s %(value)s yuan.") % {
            "amount": budget.amount,
            "basis": Basis(basis).label,
            "value": value.quantize(Decimal("0.01")),
        }
        exhausted = threshold == Threshold.EXHAUSTED
        count = notify(
            recipients=_recipients(org),
            kind=KIND_EXHAUSTED if exhausted else KIND_THRESHOLD,
            title=title,
            body=body,
            link=f"{reverse('budgets:budget_list')}?year={budget.year}",
            severity=Severity.DANGER if exhausted else Severity.WARNING,
            dedupe_key=f"budgets:{budget.pk}:{threshold.value}:{basis}:{budget.amount}",
        )
        audit_record(
            actor=SYSTEM,
            action="budgets.threshold_warned",
            target=budget,
            object_repr=f"{org.name} {budget.year}",
            message=title,
        )
    return count
