"""Statements: drafting for every department in one job, the late-data window, issuing, the
immutability of issued statements (services, pages, API), adjustments on the next statement,
downloads (PDF with Chinese text, XLSX), verification, month-to-date and scoping."""

import io
import subprocess
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from conftest import login
from govcloud.billing import selectors, services
from govcloud.billing.models import Statement, StatementLine, StatementState
from govcloud.billing.tests.helpers import at, host, prices_from, resize
from govcloud.catalog.models import PriceUnit
from govcloud.catalog.tests.helpers import api_for
from govcloud.core.actors import SYSTEM
from govcloud.core.roles import Role

pytestmark = pytest.mark.django_db

NOVEMBER = date(2026, 11, 1)
DECEMBER = date(2026, 12, 1)


@pytest.fixture
def billed(city):
    prices_from(date(2026, 1, 1))
    a = host(city.dept_a, at(2026, 11, 10, 14), name="甲局主机")
    b = host(city.dept_b, at(2026, 10, 1))
    services.statements_draft(actor=SYSTEM, period=NOVEMBER, now=at(2026, 12, 1, 1))
    return a, b


def _statement(org, period=NOVEMBER):
    return Statement.objects.get(organization=org, period=period)


def _api(user):
    return api_for(user)


def test_draft_one_statement_per_department(city, billed):
    a = _statement(city.dept_a)
    assert a.state == StatementState.DRAFT
    assert a.total == Decimal("353.89")
    assert _statement(city.dept_b).total == Decimal("520.00")
    # Three working days after the month (Dec 2–4, 2026), at the close of office.
    assert at(2026, 12, 2) < a.issue_after < at(2026, 12, 10)


def test_redrafting_replaces_lines_and_is_idempotent(city, billed):
    resource, _b = billed
    before = list(_statement(city.dept_a).lines.values_list("pk", flat=True))
    resize(resource, at(2026, 11, 30), vcpu=8)  # late data inside the window
    services.statements_draft(actor=SYSTEM, period=NOVEMBER, now=at(2026, 12, 2))
    statement = _statement(city.dept_a)
    # Two vCPU lines (4, then 8); memory and disk go on unchanged: one line each.
    units = sorted(statement.lines.values_list("unit", "quantity"))
    assert units == [
        (PriceUnit.DISK_SSD_GB_MONTH, Decimal(100)),
        (PriceUnit.MEMORY_GB_MONTH, Decimal(8)),
        (PriceUnit.VCPU_MONTH, Decimal(4)),
        (PriceUnit.VCPU_MONTH, Decimal(8)),
    ]
    assert not set(before) & set(statement.lines.values_list("pk", flat=True))
    assert statement.total == Decimal("353.89") + Decimal("8.00")  # 4 more vCPU × 60 × 1/30
    assert Statement.objects.filter(period=NOVEMBER).count() == 2


def test_issue_after_the_window_and_never_change(city, billed):
    assert services.statements_issue_due(actor=SYSTEM, now=at(2026, 12, 2)) == 0
    assert services.statements_issue_due(actor=SYSTEM, now=at(2026, 12, 31)) == 2
    statement = _statement(city.dept_a)
    assert statement.is_issued and len(statement.verification_code) == 19
    lines = list(statement.lines.values_list("pk", "amount"))
    resource, _b = billed
    resize(resource, at(2026, 11, 20), vcpu=16)
    services.statements_draft(actor=SYSTEM, period=NOVEMBER)
    statement.refresh_from_db()
    assert list(statement.lines.values_list("pk", "amount")) == lines and statement.total == Decimal("353.89")
    with pytest.raises(ValidationError):
        services.statement_issue(actor=SYSTEM, statement=statement)


def test_adjustment_goes_on_the_next_statement(city, billed):
    services.statements_issue_due(actor=SYSTEM, now=at(2026, 12, 31))
    original = _statement(city.dept_a).lines.first()
    admin = city.user(Role.CENTER_ADMIN)
    with pytest.raises(PermissionDenied):
        services.statement_adjust(
            actor=city.user(Role.CENTER_REVIEWER), original_line=original, amount="-5", reason="x"
        )
    with pytest.raises(ValidationError):
        services.statement_adjust(actor=admin, original_line=original, amount="-5", reason=" ")
    line = services.statement_adjust(actor=admin, original_line=original, amount="-5.00", reason="计费时间有误")
    assert line.statement.period == DECEMBER and line.statement.state == StatementState.DRAFT
    assert line.adjusts == original and line.is_adjustment and line.statement.total == Decimal("-5.00")
    # Drafting December keeps the adjustment and adds the metered lines.
    services.statements_draft(actor=SYSTEM, period=DECEMBER, now=at(2027, 1, 1, 1))
    december = _statement(city.dept_a, DECEMBER)
    assert december.lines.filter(is_adjustment=True).count() == 1
    assert december.total == Decimal("515.00")  # 520 for the whole month − 5
    from govcloud.audit.models import AuditEvent

    assert AuditEvent.objects.filter(action="statement.adjust").count() == 1


def test_issued_statement_has_no_write_endpoint(city, billed):
    services.statements_issue_due(actor=SYSTEM, now=at(2026, 12, 31))
    statement = _statement(city.dept_a)
    url = reverse("statement-detail", args=[statement.pk])
    for user in (city.user(Role.CENTER_ADMIN), city.user(Role.DEPARTMENT_HEAD)):
        client = _api(user)
        assert client.put(url, {"total": "0"}, format="json").status_code in (403, 405)
        assert client.patch(url, {"total": "0"}, format="json").status_code in (403, 405)
        assert client.delete(url).status_code in (403, 405)
        assert client.post(reverse("statement-list"), {}, format="json").status_code in (403, 405)
    statement.refresh_from_db()
    assert statement.total == Decimal("353.89")
    line = statement.lines.first()
    adjust = reverse("statement-adjust", args=[statement.pk])
    data = {"line": line.pk, "amount": "-1.00", "reason": "复核"}
    # A department may not adjust (its statement answers as missing for a write).
    assert _api(city.user(Role.DEPARTMENT_HEAD)).post(adjust, data, format="json").status_code in (403, 404)
    assert _api(city.user(Role.FINANCE_VIEWER)).post(adjust, data, format="json").status_code in (403, 404)
    response = _api(city.user(Role.CENTER_ADMIN)).post(adjust, data, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 201 and response.json()["adjusts"] == line.pk
    statement.refresh_from_db()
    assert statement.lines.count() == 3 and statement.total == Decimal("353.89")


def test_pages_adjust_form_is_center_admin_only(client, city, billed):
    services.statements_issue_due(actor=SYSTEM, now=at(2026, 12, 31))
    line = _statement(city.dept_a).lines.first()
    url = reverse("billing:line_adjust", args=[line.pk])
    login(client, city.user(Role.DEPARTMENT_HEAD))
    assert client.post(url, {"amount": "1", "reason": "x"}).status_code == 403
    login(client, city.user(Role.CENTER_ADMIN))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(url, {"amount": "2.50", "reason": "补计"})
    assert response.status_code == 302
    assert StatementLine.objects.filter(adjusts=line, amount=Decimal("2.50")).exists()


def test_statement_pdf_renders_chinese_and_xlsx(client, city, billed):
    services.statements_issue_due(actor=SYSTEM, now=at(2026, 12, 31))
    statement = _statement(city.dept_a)
    login(client, city.user(Role.DEPARTMENT_APPLICANT))
    response = client.get(reverse("billing:statement_pdf", args=[statement.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode("utf-8")
    assert "政务云资源使用对账单" in text and "甲局" in text and "云主机" in text
    assert statement.verification_code in text and "353.89" in text
    response = client.get(reverse("billing:statement_xlsx", args=[statement.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["B2"].value == statement.number
    rows = list(sheet.iter_rows(min_row=10, values_only=True))
    lines = list(statement.lines.order_by("pk"))
    assert len(rows) == len(lines) and sum(Decimal(str(r[10])) for r in rows) == statement.total
    # Times as Taizhou reads them (UTC+8), not the UTC they are stored in: 09:30 was printed 01:30.
    local = ZoneInfo(settings.TIME_ZONE)
    for row, line in zip(rows, lines, strict=True):
        assert row[7] == line.starts_at.astimezone(local).replace(tzinfo=None)
        assert row[8] == (line.ends_at.astimezone(local).replace(tzinfo=None) if line.ends_at else None)
    assert any(row[7].hour != line.starts_at.hour for row, line in zip(rows, lines, strict=True))


def test_detail_page_shows_subtotals_change_and_verification(client, city, billed):
    services.statements_issue_due(actor=SYSTEM, now=at(2026, 12, 31))
    services.statements_draft(actor=SYSTEM, period=DECEMBER, now=at(2027, 1, 1, 1))
    december = _statement(city.dept_a, DECEMBER)
    login(client, city.user(Role.DEPARTMENT_APPLICANT))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(reverse("billing:statement_detail", args=[december.pk])).content.decode()
    assert "520.00" in body and "166.11" in body  # change from 353.89
    november = _statement(city.dept_a)
    body = client.get(reverse("billing:verify"), {"code": november.verification_code}).content.decode()
    assert 'data-testid="verify-ok"' in body and november.number in body
    body = client.get(reverse("billing:verify"), {"code": "0000-0000-0000-0000"}).content.decode()
    assert 'data-testid="verify-fail"' in body


def test_month_to_date_and_forecast(client, city):
    prices_from(date(2026, 1, 1))
    host(city.dept_a, at(2026, 11, 1))
    user = city.user(Role.DEPARTMENT_APPLICANT)
    with time_machine.travel(at(2026, 11, 16), tick=False):
        month = selectors.month_to_date(user=user, organization=city.dept_a)
        assert month == {"cost": Decimal("260.00"), "forecast": Decimal("520.00"), "period": NOVEMBER}
        with pytest.raises(PermissionDenied):
            selectors.month_to_date(user=user, organization=city.dept_b)
        response = _api(user).get(reverse("statement-month-to-date"))
        assert response.json()["forecast"] == "520.00"
        assert _api(user).get(reverse("statement-month-to-date"), {"organization": city.dept_b.pk}).status_code == 404
        login(client, user)
        body = client.get(reverse("billing:statement_list")).content.decode()
        assert "260.00" in body and "520.00" in body


def test_costs_by_month_is_scoped(city, billed):
    everyone = selectors.costs_by_month(user=city.user(Role.FINANCE_VIEWER), start=NOVEMBER, end=DECEMBER)
    assert {row["organization_id"] for row in everyone} == {city.dept_a.pk, city.dept_b.pk}
    mine = selectors.costs_by_month(user=city.user(Role.DEPARTMENT_HEAD), start=NOVEMBER, end=DECEMBER)
    assert mine == [
        {
            "organization_id": city.dept_a.pk,
            "period": NOVEMBER,
            "resource_kind": "host",
            "state": StatementState.DRAFT,
            "amount": Decimal("353.89"),
        }
    ]


def test_department_sees_only_its_statements(client, city, billed):
    user = city.user(Role.DEPARTMENT_APPLICANT, org=city.dept_b)
    ids = [row["id"] for row in _api(user).get(reverse("statement-list")).json()["results"]]
    assert ids == [_statement(city.dept_b).pk]
    login(client, user)
    assert client.get(reverse("billing:statement_detail", args=[_statement(city.dept_a).pk])).status_code == 404


@pytest.mark.parametrize("name", ["billing:statement_list", "statement-list"])
def test_list_queries_are_constant(client, city, django_assert_max_num_queries, name):
    prices_from(date(2026, 1, 1))
    user = city.user(Role.FINANCE_VIEWER)
    login(client, user)
    url = reverse(name)
    for period in (date(2026, 9, 1), date(2026, 10, 1), NOVEMBER):
        host(city.dept_a, at(2026, 8, 1))
        host(city.dept_b, at(2026, 8, 1))
        services.statements_draft(actor=SYSTEM, period=period)
        client.get(url)  # warm up
        with django_assert_max_num_queries(10):
            assert client.get(url).status_code == 200


def test_detail_and_lines_queries_are_constant(client, city, django_assert_max_num_queries):
    prices_from(date(2026, 1, 1))
    user = city.user(Role.DEPARTMENT_HEAD)
    login(client, user)
    for _ in range(2):
        host(city.dept_a, at(2026, 8, 1))
        services.statements_draft(actor=SYSTEM, period=NOVEMBER)
        statement = _statement(city.dept_a)
        for url in (
            reverse("billing:statement_detail", args=[statement.pk]),
            reverse("statement-lines", args=[statement.pk]),
        ):
            client.get(url)
            with django_assert_max_num_queries(10):
                assert client.get(url).status_code == 200
