"""Demo statements; called by govcloud/web/demo.py after the ledger and applications demos.

The last three months are drafted from the demo ledger and issued (their late-data window has
passed), so departments see issued statements with month-over-month changes and the finance views
have history; the current month stays live (month-to-date and forecast). Idempotent: issued
statements are never touched and drafts are re-drafted to the same lines.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from govcloud.billing.services import statements_draft, statements_issue_due
from govcloud.core.actors import SYSTEM

MONTHS = 3


def _months_before(today: date, n: int) -> list[date]:
    year, month = today.year, today.month
    periods = []
    for _ in range(n):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        periods.append(date(year, month, 1))
    return sorted(periods)


def load_demo(*, orgs: dict, users: dict) -> None:
    for period in _months_before(timezone.localdate(), MONTHS):
        statements_draft(actor=SYSTEM, period=period)
    statements_issue_due(actor=SYSTEM)
