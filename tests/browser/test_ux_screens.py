"""Issue 16 §4 at 1280 px, looked at: the application page saying who acts next, a long form with
its error summary, and the center's statements with filters and monthly totals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from govcloud.applications.models import ApplicationState
from govcloud.applications.tests.helpers import advance, new_application, wf  # noqa: F401 - the fixture
from govcloud.billing.models import Statement, StatementState
from tests.browser.conftest import shot
from tests.browser.test_journeys import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def page_at_1280(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base = live_server.url
    return page


def fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280


def test_who_acts_next_the_error_summary_and_the_statements_at_1280(browser, live_server, wf):  # noqa: F811
    app = advance(wf, new_application(wf), ApplicationState.ACCEPTED)
    reviewer = page_at_1280(browser, live_server)
    log_in(reviewer, wf.reviewer.username)
    reviewer.goto(f"{reviewer.base}/applications/{app.pk}/")
    expect(reviewer.get_by_test_id("waiting-on")).to_contain_text("待市电子政务中心管理员审批")
    fits(reviewer)
    shot(reviewer, "ux-application-detail-waiting-on")

    applicant = page_at_1280(browser, live_server)
    log_in(applicant, wf.applicant.username)
    applicant.goto(applicant.base + "/applications/new/")
    applicant.fill("#id_contact_name", "")
    applicant.get_by_test_id("save-draft").click()
    summary = applicant.get_by_test_id("error-summary")
    expect(summary).to_contain_text("请更正以下")
    summary.get_by_role("link").first.click()
    fits(applicant)
    applicant.evaluate("window.scrollTo(0, 0)")
    shot(applicant, "ux-long-form-error-summary")

    now = timezone.now()
    for n, (org, period, total) in enumerate(
        [
            (wf.city.dept_a, date(2026, 10, 1), "12345.60"),
            (wf.city.dept_b, date(2026, 10, 1), "98000.00"),
            (wf.city.dept_a, date(2026, 11, 1), "940.00"),
            (wf.city.dept_b, date(2026, 11, 1), "101280.50"),
        ]
    ):
        Statement.objects.create(
            organization=org, period=period, number=f"ST-{period:%Y%m}-{n:03d}", total=Decimal(total),
            drafted_at=now, issue_after=now, state=StatementState.ISSUED,
        )  # fmt: skip
    reviewer.goto(reviewer.base + "/billing/?order=-total")
    expect(reviewer.get_by_test_id("monthly-totals")).to_contain_text("102,220.50")
    expect(reviewer.get_by_test_id("statement-row").first).to_contain_text("101,280.50")
    fits(reviewer)
    shot(reviewer, "ux-center-statements")
