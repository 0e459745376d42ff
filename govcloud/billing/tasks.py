"""Thin task wrappers over the billing services (scheduled in govcloud/schedule.py)."""

from django.utils import timezone
from django_tasks import task

from govcloud.billing import services
from govcloud.billing.metering import period_of, previous_month
from govcloud.core.actors import SYSTEM


@task()
def statements_draft_task(period: str | None = None) -> dict:
    """Draft (or re-draft) last month's statements for every department."""
    from datetime import date

    day = date.fromisoformat(period) if period else previous_month(period_of(timezone.now()))
    return services.statements_draft(actor=SYSTEM, period=day)


@task()
def statements_issue_task() -> int:
    """Issue the drafts whose late-data window has passed."""
    return services.statements_issue_due(actor=SYSTEM)
