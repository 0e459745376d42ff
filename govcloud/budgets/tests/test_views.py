import json
from datetime import date
from io import BytesIO

import pytest
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook

from conftest import login
from govcloud.budgets.models import Budget
from govcloud.budgets.services import budget_set
from govcloud.budgets.tests.helpers import cost
from govcloud.core.actors import SYSTEM
from govcloud.core.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(city, july):
    budget_set(actor=SYSTEM, organization=city.dept_a, year=2026, amount=1000, note="甲局预算")
    budget_set(actor=SYSTEM, organization=city.dept_b, year=2026, amount=1000, note="乙局预算")
    cost(city.dept_a, date(2026, 1, 1), 850)
    cost(city.dept_b, date(2026, 2, 1), "77.77")
    return city


def _en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_finance_overview_page(client, data):
    login(_en(client), data.user(Role.FINANCE_VIEWER))
    response = client.get(reverse("budgets:finance"), {"year": 2026, "granularity": "quarter"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Finance overview" in body and "甲局" in body and "乙局" in body
    assert 'data-chart="budgets-trend-chart"' in body and 'data-chart="budgets-ranking-chart"' in body
    chart = json.loads(json.dumps(response.context["o"]["trend_chart"]))  # serializable for json_script
    assert chart["xAxis"]["data"][0] == "Q1 2026"
    assert "927.77" in body


def test_pages_are_chinese_by_default(client, data):
    login(client, data.user(Role.FINANCE_VIEWER))
    assert client.get(reverse("budgets:finance")).status_code == 200


def test_department_sees_only_its_own_costs_and_budget(client, data):
    login(_en(client), data.user(Role.DEPARTMENT_HEAD, org=data.dept_b))
    for name in ("budgets:finance", "budgets:budget_list"):
        body = client.get(reverse(name)).content.decode()
        assert "乙局" in body and "甲局" not in body and "850.00" not in body, name
    body = client.get(reverse("budgets:budget_list")).content.decode()
    assert 'data-testid="budget-form"' not in body and "乙局预算" in body


@pytest.mark.parametrize("role", [Role.PROVIDER_OPERATOR, Role.EXPERT, Role.SYSTEM_ADMIN])
def test_other_roles_are_refused(client, city, role):
    login(client, city.user(role))
    for name in ("budgets:finance", "budgets:budget_list", "budgets:export"):
        assert client.get(reverse(name)).status_code == 403


def test_budget_list_shows_use_and_sets_budgets(client, data):
    login(_en(client), data.user(Role.FINANCE_VIEWER))
    response = client.get(reverse("budgets:budget_list"), {"year": 2026})
    body = response.content.decode()
    assert 'data-testid="budget-form"' in body and "85.0 %" in body
    response = client.post(
        reverse("budgets:budget_list"), {"organization": data.dept_a.pk, "year": 2027, "amount": "1234.5", "note": "x"}
    )
    assert response.status_code == 302 and response["Location"].endswith("?year=2027")
    assert Budget.objects.get(organization=data.dept_a, year=2027).amount == 1234.5
    response = client.post(
        reverse("budgets:budget_list"), {"organization": data.unit_a.pk, "year": 2027, "amount": "1"}
    )
    assert response.status_code == 200 and not Budget.objects.filter(organization=data.unit_a).exists()


def test_department_head_cannot_set_budgets(client, data):
    login(client, data.user(Role.DEPARTMENT_HEAD, org=data.dept_a))
    response = client.post(reverse("budgets:budget_list"), {"organization": data.dept_a.pk, "year": 2026, "amount": 9})
    assert response.status_code == 403
    assert Budget.objects.get(organization=data.dept_a, year=2026).amount == 1000


def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="budget-2026.xlsx"'
    return list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))


def test_export_is_the_budget_preparation_table_within_scope(client, data):
    login(_en(client), data.user(Role.CENTER_ADMIN))
    rows = _sheet(client.get(reverse("budgets:export"), {"year": 2026}))
    assert rows[0][0] == "Department" and len(rows[0]) == 14
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name["甲局"][6] == 850.0 and by_name["甲局"][10] == 1000.0 and by_name["甲局"][11] == 85.0
    client.logout()
    login(_en(client), data.user(Role.DEPARTMENT_APPLICANT, org=data.dept_b))
    rows = _sheet(client.get(reverse("budgets:export"), {"year": 2026}))
    assert [r[0] for r in rows[1:]] == ["乙局"]
