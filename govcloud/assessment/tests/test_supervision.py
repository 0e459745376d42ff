"""The center's supervision of departments: figures per department (units counted under their
department), ranking, links, XLSX export, who may see it, and a constant number of queries."""

from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
import time_machine
from django.utils import timezone
from openpyxl import load_workbook

from govcloud.assessment import supervision
from govcloud.billing.models import Statement
from govcloud.budgets.models import Budget
from govcloud.core.roles import Role
from govcloud.ledger.models import Resource, ResourceState
from govcloud.ledger.tests.helpers import adopt
from govcloud.monitoring.alerts import alert_rules_seed
from govcloud.monitoring.models import Alert, AlertKind, AlertRule, Metric, Period, Rollup
from govcloud.organizations.models import OrganizationLevel
from govcloud.systems.models import HostingStatus, InformationSystem
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

NOW = time_machine.travel("2026-07-15 10:00 +0800", tick=False)
_numbers = iter(range(1, 10_000))


def resources(org, n):
    rows = [adopt(org) for _ in range(n)]
    Resource.objects.filter(pk__in=[r.pk for r in rows]).update(state=ResourceState.IN_SERVICE)
    return rows


def idle(resource):
    alert_rules_seed()
    now = timezone.now()
    return Alert.objects.create(
        rule=AlertRule.objects.get(kind=AlertKind.IDLE),
        kind=AlertKind.IDLE,
        resource=resource,
        metric=Metric.CPU_PERCENT,
        value=2,
        threshold=10,
        opened_at=now,
        last_seen_at=now,
    )


def cpu(resource, avg):
    Rollup.objects.create(
        resource=resource,
        metric=Metric.CPU_PERCENT,
        period=Period.DAY,
        start=timezone.now() - timedelta(days=2),
        avg=avg,
        max=avg,
        p95=avg,
        count=288,
    )


def statement(org, total):
    now = timezone.now()
    return Statement.objects.create(
        organization=org,
        period=date(2026, 5, 1),
        number=f"ZD-{next(_numbers)}",
        total=Decimal(total),
        drafted_at=now,
        issue_after=now,
    )


def department_world(city):
    a = resources(city.dept_a, 2) + resources(city.unit_a, 1)
    (b,) = resources(city.dept_b, 1)
    idle(a[0])
    idle(a[2])  # the unit's resource counts under department A
    cpu(a[0], 10)
    cpu(a[1], 30)
    cpu(b, 60)
    Budget.objects.create(organization=city.dept_a, year=2026, amount=Decimal(1000))
    statement(city.dept_a, 600)
    statement(city.unit_a, 100)
    InformationSystem.objects.create(
        organization=city.dept_b,
        name="旧系统",
        hosting_status=HostingStatus.OWN_ROOM,
        planned_migration_date=date(2026, 1, 1),
        protection_level=3,
    )


@NOW
def test_figures_per_department_and_ranking(city):
    department_world(city)
    center = city.user(Role.CENTER_ADMIN)
    rows = supervision.supervision_rows(user=center, year=2026, sort="idle")
    by_name = {r.name: r for r in rows}
    a, b = by_name[city.dept_a.name], by_name[city.dept_b.name]
    assert rows[0] is a
    assert (a.resources, a.idle, a.utilization) == (3, 2, 20.0)
    assert (a.cost, a.budget, a.budget_used) == (Decimal(700), Decimal(1000), 70.0)
    assert (b.resources, b.idle, b.utilization, b.budget_used) == (1, 0, 60.0, None)
    # B's system: no MLPS assessment at level 3, no responsible people, migration past its date.
    assert (b.expired_assessments, b.missing_people, b.overdue_migrations) == (1, 1, 1)
    assert a.overdue_items == 0
    assert supervision.supervision_rows(user=center, year=2026, sort="overdue")[0] is not a
    assert f"organization={a.pk}" in a.links["idle"]
    ranked = supervision.supervision_rows(user=center, year=2026, sort="utilization")
    assert [r.name for r in ranked if r.utilization is not None] == [city.dept_a.name, city.dept_b.name]


@NOW
def test_pages_export_and_who_sees_them(city, login_as):
    department_world(city)
    client = login_as(city.user(Role.CENTER_ADMIN))
    page = client.get("/assessment/supervision/?sort=overdue").content.decode()
    assert city.dept_a.name in page and "/monitoring/alerts/?kind=idle" in page
    export = client.get("/assessment/supervision/export.xlsx?year=2026")
    assert export.status_code == 200
    sheet = load_workbook(BytesIO(export.content)).active
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert city.dept_a.name in names and city.dept_b.name in names
    assert login_as(city.user(Role.LEADING_GROUP, org=city.leading)).get("/assessment/supervision/").status_code == 200
    for role in (Role.DEPARTMENT_HEAD, Role.PROVIDER_OPERATOR):
        client = login_as(city.user(role))
        assert client.get("/assessment/supervision/").status_code == 404
        assert client.get("/assessment/supervision/export.xlsx").status_code == 404


@NOW
def test_query_count_does_not_grow_with_departments(city, login_as, django_assert_max_num_queries):
    department_world(city)
    center = city.user(Role.CENTER_ADMIN)
    client = login_as(center)
    client.get("/assessment/supervision/")
    for n in range(6):
        org = OrganizationFactory(name=f"新局{n}", parent=city.root, level=OrganizationLevel.DEPARTMENT)
        resources(org, 1)
        statement(org, 10)
    with django_assert_max_num_queries(6):
        rows = supervision.supervision_rows(user=center, year=2026)
    assert len(rows) >= 8
    with django_assert_max_num_queries(10):
        client.get("/assessment/supervision/")
