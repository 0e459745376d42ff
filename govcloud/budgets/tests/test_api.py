from datetime import date

import pytest
from django.urls import reverse

from conftest import login
from govcloud.budgets.models import Budget
from govcloud.budgets.services import budget_set
from govcloud.budgets.tests.helpers import cost
from govcloud.core.actors import SYSTEM
from govcloud.core.roles import Role

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def data(city):
    budget_set(actor=SYSTEM, organization=city.dept_a, year=2026, amount=1000, note="甲")
    budget_set(actor=SYSTEM, organization=city.dept_b, year=2026, amount=2000, note="乙")
    cost(city.dept_a, date(2026, 1, 1), 100)
    cost(city.dept_b, date(2026, 4, 1), 300)
    return city


def test_budget_list_is_scoped(client, data):
    login(client, data.user(Role.FINANCE_VIEWER))
    assert client.get(reverse("budget-list"), {"year": 2026}, **EN).json()["count"] == 2
    login(client, data.user(Role.DEPARTMENT_APPLICANT, org=data.dept_b))
    results = client.get(reverse("budget-list"), **EN).json()["results"]
    assert [r["organization"] for r in results] == [data.dept_b.pk]
    other = Budget.objects.get(organization=data.dept_a)
    assert client.get(reverse("budget-detail", kwargs={"pk": other.pk}), **EN).status_code == 404


@pytest.mark.parametrize("role", [Role.CENTER_ADMIN, Role.FINANCE_VIEWER])
def test_setters_create_or_update(client, data, role):
    login(client, data.user(role))
    url = reverse("budget-list")
    body = {"organization": data.dept_a.pk, "year": 2026, "amount": "1500.00", "note": "追加"}
    response = client.post(url, body, content_type="application/json", **EN)
    assert response.status_code == 201, response.content
    assert response.json()["amount"] == "1500.00"
    assert Budget.objects.filter(organization=data.dept_a).count() == 1
    bad = client.post(url, {**body, "amount": "-5"}, content_type="application/json", **EN)
    assert bad.status_code == 400


@pytest.mark.parametrize("role", [Role.DEPARTMENT_HEAD, Role.CENTER_REVIEWER, Role.LEADING_GROUP])
def test_others_cannot_set(client, data, role):
    login(client, data.user(role))
    body = {"organization": data.dept_a.pk, "year": 2026, "amount": "1"}
    response = client.post(reverse("budget-list"), body, content_type="application/json", **EN)
    assert response.status_code == 403
    assert Budget.objects.get(organization=data.dept_a).amount == 1000


def test_finance_overview_api(client, data):
    login(client, data.user(Role.FINANCE_VIEWER))
    response = client.get(reverse("finance-overview-list"), {"year": 2026, "granularity": "quarter"}, **EN)
    assert response.status_code == 200
    body = response.json()
    assert body["periods"] == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    assert body["total"] == "400.00" and body["ranking"] == [data.dept_b.pk, data.dept_a.pk]
    login(client, data.user(Role.DEPARTMENT_HEAD, org=data.dept_a))
    mine = client.get(reverse("finance-overview-list"), {"year": 2026}, **EN).json()
    assert [r["organization_id"] for r in mine["rows"]] == [data.dept_a.pk] and mine["total"] == "100.00"
    assert client.get(reverse("finance-overview-list"), {"granularity": "week"}, **EN).status_code == 400


def test_finance_overview_api_forbidden(client, city):
    login(client, city.user(Role.PROVIDER_OPERATOR))
    assert client.get(reverse("finance-overview-list"), **EN).status_code == 403
