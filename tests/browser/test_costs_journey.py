"""Issue 6 in a real browser: a department's hosts metered from the ledger into an issued monthly
statement the department reads (lines, subtotals, PDF with Chinese text), and the finance office's
overview of every department's cost."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect

from govcloud.billing import services as billing
from govcloud.billing.models import Statement, StatementState
from govcloud.billing.tests.helpers import EXAMPLE_SPEC, at, host, prices_from, resize
from govcloud.budgets.services import budget_set
from govcloud.core.actors import SYSTEM
from govcloud.core.roles import Role
from tests.browser.conftest import shot
from tests.browser.test_compliance_journeys import new_page
from tests.browser.test_journeys import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_department_reads_its_statement_and_finance_sees_the_overview(browser, live_server, city):
    prices_from(date(2026, 1, 1))
    first = host(city.dept_a, at(2026, 8, 3, 9), name="不动产登记前置机")
    resize(first, at(2026, 10, 15, 14), vcpu=8)
    host(city.dept_a, at(2026, 10, 10, 14), {**EXAMPLE_SPEC, "memory_gb": 16}, name="一网通办应用服务器")
    host(city.dept_b, at(2026, 9, 1, 0), name="乙局业务主机")
    for month in (8, 9, 10):
        billing.statements_draft(actor=SYSTEM, period=date(2026, month, 1), now=at(2026, month + 1, 1, 2))
    billing.statements_issue_due(actor=SYSTEM, now=at(2026, 11, 10, 18))
    budget_set(actor=SYSTEM, organization=city.dept_a, year=2026, amount=2000, note="年度云服务预算")
    head = city.user(Role.DEPARTMENT_HEAD, username="dept_head", full_name="周强")
    finance = city.user(Role.FINANCE_VIEWER, username="finance", full_name="刘芳")
    october = Statement.objects.get(organization=city.dept_a, period=date(2026, 10, 1))
    assert october.state == StatementState.ISSUED

    page = new_page(browser, live_server)
    log_in(page, head.username)
    page.goto(page.base + "/billing/")
    expect(page.locator("[data-testid=statement-row]")).to_have_count(3)  # only 甲局's months
    expect(page.locator("[data-testid=month-to-date]")).to_be_visible()
    page.goto(page.base + f"/billing/statements/{october.pk}/")
    expect(page.locator("[data-testid=statement-total]")).to_contain_text(f"{october.total:,.2f}")
    expect(page.locator("[data-testid=line-table]")).to_contain_text("一网通办应用服务器")
    expect(page.locator("[data-testid=verification-code]")).not_to_be_empty()
    shot(page, "statement")
    with page.expect_download() as download:
        page.click("[data-testid=download-pdf]")
    pdf = Path(download.value.path()).read_bytes()
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "对账单" in text and "一网通办应用服务器" in text

    books = new_page(browser, live_server)
    log_in(books, finance.username)
    books.goto(books.base + "/budgets/finance/?year=2026")
    expect(books.locator("[data-testid=overview-row]")).to_have_count(2)
    expect(books.locator("[data-testid=trend-chart] svg, [data-testid=trend-chart] canvas").first).to_be_visible()
    shot(books, "finance-overview")
    books.goto(books.base + "/budgets/?year=2026")
    expect(books.locator("[data-testid=budget-row]").first).to_be_visible()
    shot(books, "budgets")
