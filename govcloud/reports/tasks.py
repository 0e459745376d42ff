"""Thin task wrappers over the reports services (actor SYSTEM for the schedule; the person who asked
for an on-demand report). Their times are in govcloud/schedule.py."""

from __future__ import annotations

from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from govcloud.core.actors import SYSTEM
from govcloud.core.services import job_run
from govcloud.organizations.models import Organization
from govcloud.reports import analysis, services, utilization
from govcloud.reports.models import ReportPeriod


@task()
def utilization_report_task(job_id: str) -> dict | None:
    """Build one utilization report on demand, with the job's progress bar."""

    def work(job, progress):
        params = job.params
        organization = Organization.objects.get(pk=params["organization"]) if params.get("organization") else None
        report = utilization.utilization_report_generate(
            actor=job.owner or SYSTEM,
            period=params["period"],
            day=date.fromisoformat(params["day"]),
            organization=organization,
            progress=progress,
        )
        return {
            "ok": True,
            "summary": _("%(report)s: %(n)d resources, %(idle)d idle, %(over)d overloaded.")
            % {"report": report, "n": report.resources, "idle": report.idle, "over": report.overloaded},
            "link": reverse("reports:utilization_detail", args=[report.pk]),
            "report": report.pk,
        }

    return job_run(job_id=job_id, work=work)


@task()
def utilization_reports_weekly_task() -> list[int]:
    """Last week's reports, city-wide and per department."""
    return utilization.utilization_reports_run(actor=SYSTEM, period=ReportPeriod.WEEK)


@task()
def utilization_reports_monthly_task() -> list[int]:
    """Last month's reports, city-wide and per department."""
    return utilization.utilization_reports_run(actor=SYSTEM, period=ReportPeriod.MONTH)


@task()
def analysis_report_monthly_task() -> int:
    """Last month's analysis report (taken again later in the month, when the advice is in)."""
    last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    return analysis.analysis_report_generate(actor=SYSTEM, month=last_month).pk


@task()
def provider_reports_deadlines_task() -> dict[str, int]:
    """Warn the provider before its monthly reports are due, the provider and the center after."""
    return services.provider_reports_deadlines(actor=SYSTEM)
