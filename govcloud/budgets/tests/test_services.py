from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from govcloud.audit.models import AuditEvent
from govcloud.budgets.models import Budget, BudgetAlert
from govcloud.budgets.services import KIND_EXHAUSTED, KIND_THRESHOLD, budget_alerts_sweep, budget_set
from govcloud.budgets.tests.helpers import cost
from govcloud.core.actors import SYSTEM
from govcloud.core.roles import Role
from govcloud.notifications.kinds import email_default
from govcloud.notifications.models import Notification, Severity

pytestmark = pytest.mark.django_db


def test_center_admin_and_finance_set_budgets_audited(city):
    admin, finance = city.user(Role.CENTER_ADMIN), city.user(Role.FINANCE_VIEWER)
    budget = budget_set(actor=admin, organization=city.dept_a, year=2026, amount=Decimal("5000"), note="首次")
    again = budget_set(actor=finance, organization=city.dept_a, year=2026, amount=Decimal("6000.5"), note="调整")
    assert again.pk == budget.pk and Budget.objects.count() == 1
    again.refresh_from_db()
    assert again.amount == Decimal("6000.50") and again.set_by_name
    events = AuditEvent.objects.filter(action="budgets.budget_set").order_by("pk")
    assert events.count() == 2
    assert "6000.50" in events.last().changes and "5000.00" in events.last().changes


@pytest.mark.parametrize(
    "role", [Role.DEPARTMENT_HEAD, Role.CENTER_REVIEWER, Role.LEADING_GROUP, Role.PROVIDER_OPERATOR]
)
def test_other_roles_cannot_set_budgets(city, role):
    with pytest.raises(PermissionDenied):
        budget_set(actor=city.user(role), organization=city.dept_a, year=2026, amount=1)
    assert not Budget.objects.exists()


def test_bad_input_changes_nothing(city):
    admin = city.user(Role.CENTER_ADMIN)
    with pytest.raises(ValidationError, match="non-negative"):
        budget_set(actor=admin, organization=city.dept_a, year=2026, amount=-1)
    with pytest.raises(ValidationError, match="departments"):
        budget_set(actor=admin, organization=city.unit_a, year=2026, amount=1)
    with pytest.raises(ValidationError, match="departments"):
        budget_set(actor=admin, organization=city.finance, year=2026, amount=1)
    with pytest.raises(ValidationError, match="year"):
        budget_set(actor=admin, organization=city.dept_a, year=1900, amount=1)
    assert not Budget.objects.exists()


def _half_year(org, monthly):
    for month in range(1, 7):
        cost(org, date(2026, month, 1), monthly)


def test_forecast_warns_before_actual_once_each(city, july):
    head_a = city.user(Role.DEPARTMENT_HEAD, org=city.dept_a)
    applicant_a = city.user(Role.DEPARTMENT_APPLICANT, org=city.dept_a)
    head_b = city.user(Role.DEPARTMENT_HEAD, org=city.dept_b)
    admin = city.user(Role.CENTER_ADMIN)
    budget_set(actor=SYSTEM, organization=city.dept_a, year=2026, amount=1000)
    _half_year(city.dept_a, 100)  # actual 600 (60 %), forecast 600 + 6 × 100 = 1200 (120 %)

    budget_alerts_sweep()

    alerts = set(BudgetAlert.objects.values_list("threshold", "basis"))
    assert alerts == {(80, "forecast"), (100, "forecast")}
    got = Notification.objects.filter(kind__in=[KIND_THRESHOLD, KIND_EXHAUSTED])
    assert set(got.values_list("recipient_id", flat=True)) == {head_a.pk, admin.pk}
    assert not got.filter(recipient__in=[applicant_a, head_b]).exists()
    assert got.filter(kind=KIND_EXHAUSTED, severity=Severity.DANGER).count() == 2
    assert "forecast" in got.filter(kind=KIND_THRESHOLD).first().title
    count = got.count()

    assert budget_alerts_sweep() == 0  # once per threshold and basis
    assert Notification.objects.filter(kind__in=[KIND_THRESHOLD, KIND_EXHAUSTED]).count() == count

    cost(city.dept_a, date(2026, 7, 1), 250)  # actual 850: 85 %
    assert budget_alerts_sweep() == 2
    assert set(BudgetAlert.objects.values_list("threshold", "basis")) == {
        (80, "forecast"),
        (100, "forecast"),
        (80, "actual"),
    }
    assert "has used 85 %" in Notification.objects.filter(recipient=head_a).order_by("-pk").first().title


def test_units_count_toward_their_department_and_other_departments_do_not(city, july):
    budget_set(actor=SYSTEM, organization=city.dept_a, year=2026, amount=1000)
    cost(city.unit_a, date(2026, 1, 1), 900)
    cost(city.dept_b, date(2026, 1, 1), 5000)
    cost(city.dept_a, date(2025, 12, 1), 5000)  # last year's
    budget_alerts_sweep()
    assert BudgetAlert.objects.filter(basis="actual", threshold=80).exists()
    assert not BudgetAlert.objects.filter(basis="actual", threshold=100).exists()


def test_changing_the_amount_rearms_the_warnings(city, july):
    budget_set(actor=SYSTEM, organization=city.dept_a, year=2026, amount=1000)
    cost(city.dept_a, date(2026, 1, 1), 900)
    budget_alerts_sweep()
    assert BudgetAlert.objects.filter(basis="actual").count() == 1
    budget_set(actor=SYSTEM, organization=city.dept_a, year=2026, amount=5000)
    assert not BudgetAlert.objects.exists()
    budget_set(actor=SYSTEM, organization=city.dept_a, year=2026, amount=800, note="压减")
    budget_alerts_sweep()
    assert BudgetAlert.objects.filter(basis="actual").count() == 2


def test_no_budget_or_zero_budget_warns_nobody(city, july):
    cost(city.dept_a, date(2026, 1, 1), 900)
    budget_set(actor=SYSTEM, organization=city.dept_b, year=2026, amount=0)
    assert budget_alerts_sweep() == 0
    assert not BudgetAlert.objects.exists()


def test_kinds_registered_with_email_for_exhausted():
    assert email_default(KIND_EXHAUSTED, Severity.INFO) is True
    assert email_default(KIND_THRESHOLD, Severity.WARNING) is True
