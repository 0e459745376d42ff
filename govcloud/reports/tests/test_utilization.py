"""The weekly and monthly utilization reports: figures from the daily rollups, idle and overloaded by
monitoring's alert rules, the trend, scope, regeneration, the schedule and the on-demand job."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from govcloud.audit.models import AuditEvent
from govcloud.core.actors import SYSTEM
from govcloud.core.models import Job, JobStatus
from govcloud.monitoring.alerts import alert_rule_update
from govcloud.monitoring.models import AlertKind, AlertRule, Metric
from govcloud.reports.models import ReportPeriod, UsageFlag, UtilizationLine, UtilizationReport
from govcloud.reports.tests.conftest import NOVEMBER, rollups
from govcloud.reports.utilization import (
    last_complete,
    period_bounds,
    utilization_report_generate,
    utilization_report_request,
    utilization_reports_run,
)

pytestmark = pytest.mark.django_db


def _month(actor, organization=None):
    return utilization_report_generate(actor=actor, period=ReportPeriod.MONTH, day=NOVEMBER, organization=organization)


def test_department_month_figures_flags_and_trend(november):
    report = _month(november.center, november.city.dept_a)
    assert (report.starts_on, report.ends_on) == (date(2026, 11, 1), date(2026, 12, 1))
    line = report.lines.get()
    assert line.resource == november.a_host and line.department == november.city.dept_a.name
    assert (line.cpu_avg, line.cpu_peak) == (85.0, 97.0)
    assert (line.memory_avg, line.memory_peak) == (50.0, 70.0)
    assert (line.storage_avg, line.storage_peak) == (40.0, 45.0)
    assert line.previous_cpu_avg == 60.0 and line.cpu_change == 25.0
    assert line.flag == UsageFlag.OVERLOADED
    assert (report.resources, report.idle, report.overloaded) == (1, 0, 1)
    assert report.summary["cpu_change"] == 25.0
    assert len(report.summary["series"]["days"]) == 30 and report.summary["series"]["cpu_avg"][0] == 85.0
    assert "departments" not in report.summary
    assert AuditEvent.objects.filter(action="utilization_report.generate", object_id=str(report.pk)).exists()


def test_city_report_covers_every_department(november):
    report = _month(november.provider)
    flags = dict(report.lines.values_list("code", "flag"))
    assert flags == {november.a_host.code: UsageFlag.OVERLOADED, november.b_host.code: UsageFlag.IDLE}
    assert {d["name"] for d in report.summary["departments"]} == {
        november.city.dept_a.name,
        november.city.dept_b.name,
    }


def test_average_is_weighted_by_samples(mon):
    rollups(mon.a_host, NOVEMBER, [(10.0, 20.0)], count=1)
    rollups(mon.a_host, date(2026, 11, 2), [(40.0, 50.0)], count=3)
    line = _month(mon.center, mon.city.dept_a).lines.get()
    assert line.cpu_avg == 32.5 and line.cpu_peak == 50.0


def test_thresholds_are_the_alert_rules(november):
    idle = AlertRule.objects.get(kind=AlertKind.IDLE)
    alert_rule_update(actor=november.center, rule=idle, threshold=99.0, window_days=30)
    over = AlertRule.objects.get(kind=AlertKind.OVERLOADED)
    alert_rule_update(actor=november.center, rule=over, threshold=90.0, window_days=7, enabled=False)
    report = _month(november.center)
    # Overloaded is off; A's peak 97 % is below the idle rule's 99 %.
    assert set(report.lines.values_list("flag", flat=True)) == {UsageFlag.IDLE}
    assert report.summary["overloaded_threshold"] is None and report.summary["idle_threshold"] == 99.0


def test_regenerating_replaces_the_lines(november):
    first = _month(november.center, november.city.dept_a)
    rollups(november.a_host, NOVEMBER, [(5.0, 5.0)], metric=Metric.STORAGE_USED_GB)
    again = _month(november.center, november.city.dept_a)
    assert again.pk == first.pk and UtilizationLine.objects.filter(report=again).count() == 1
    assert UtilizationReport.objects.count() == 1


def test_a_resource_without_data_says_so(mon):
    line = _month(mon.center, mon.city.dept_a).lines.get()
    assert line.flag == UsageFlag.NO_DATA and line.cpu_avg is None


def test_department_reports_on_itself_only(november):
    own = _month(november.a_user, november.city.dept_a)
    assert own.organization == november.city.dept_a
    with pytest.raises(PermissionDenied):
        _month(november.a_user, november.city.dept_b)
    with pytest.raises(PermissionDenied):
        _month(november.a_user)  # the city
    with pytest.raises(PermissionDenied):
        _month(november.city.user())  # no role


def test_future_period_is_refused(mon):
    with pytest.raises(ValidationError):
        utilization_report_generate(actor=mon.center, period=ReportPeriod.MONTH, day=date(2027, 1, 5))
    assert not UtilizationReport.objects.exists()


def test_week_bounds_and_schedule(november):
    assert period_bounds(ReportPeriod.WEEK, date(2026, 12, 5)) == (date(2026, 11, 30), date(2026, 12, 7))
    assert last_complete(ReportPeriod.WEEK) == date(2026, 11, 23)
    assert last_complete(ReportPeriod.MONTH) == NOVEMBER
    ids = utilization_reports_run(actor=SYSTEM, period=ReportPeriod.MONTH)
    scopes = set(UtilizationReport.objects.filter(pk__in=ids).values_list("organization", flat=True))
    assert scopes == {None, november.city.dept_a.pk, november.city.dept_b.pk}
    week = utilization_reports_run(actor=SYSTEM, period=ReportPeriod.WEEK)
    assert UtilizationReport.objects.get(pk=week[0]).lines.get(code=november.a_host.code).cpu_avg == 85.0


def test_on_demand_job_builds_the_report(november, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = utilization_report_request(
            actor=november.a_user, period=ReportPeriod.MONTH, day=NOVEMBER, organization=november.city.dept_a
        )
    job = Job.objects.get(pk=job.pk)
    report = UtilizationReport.objects.get()
    assert job.status == JobStatus.SUCCEEDED and job.percent == 100
    assert job.result["link"] == f"/reports/utilization/{report.pk}/"
    assert AuditEvent.objects.filter(action="utilization_report.request").exists()
    with pytest.raises(PermissionDenied):
        utilization_report_request(
            actor=november.a_user, period=ReportPeriod.MONTH, day=NOVEMBER, organization=november.city.dept_b
        )


@given(day=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)), weekly=st.booleans())
@settings(max_examples=200, deadline=None)
def test_periods_tile_the_calendar(day, weekly):
    period = ReportPeriod.WEEK if weekly else ReportPeriod.MONTH
    start, end = period_bounds(period, day)
    assert start <= day < end
    assert period_bounds(period, end)[0] == end  # the next period starts where this one ends
    if weekly:
        assert start.weekday() == 0 and (end - start).days == 7
    else:
        assert start.day == 1 and end.day == 1 and 28 <= (end - start).days <= 31
