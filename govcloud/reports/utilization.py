"""The weekly and monthly 资源利用情况表 (Art. 12), built set-based from monitoring's daily rollups.

A report covers [starts_on, ends_on) — a Monday-to-Monday week or a calendar month, local days —
for one department (its units included) or the whole city. Its figures come from a fixed number of
grouped queries whatever the number of resources: each resource's average (weighted by samples) and
peak CPU, memory and storage in the period, the same averages for the period before (the trend),
and the daily city or department series for the charts. Idle and overloaded resources are judged
with monitoring's alert rules, the center's numbers (the idle rule's CPU peak threshold, the
overloaded rule's CPU average threshold), applied to the report's period instead of the rule's
sliding window; a disabled rule flags nothing.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, CharField, F, FloatField, Max, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from govcloud.audit.services import audit_record
from govcloud.catalog.models import ResourceKind
from govcloud.core.actors import SYSTEM, Actor, actor_name, actor_roles, is_system
from govcloud.core.permissions import require_role
from govcloud.ledger.models import Resource
from govcloud.monitoring.alerts import DEFAULT_RULES
from govcloud.monitoring.models import AlertKind, Metric, Period, Rollup
from govcloud.monitoring.selectors import alert_rules
from govcloud.organizations.models import Organization, OrganizationKind, OrganizationLevel
from govcloud.reports.models import (
    REPORT_GENERATORS,
    REPORT_VIEWERS,
    ReportPeriod,
    UsageFlag,
    UtilizationLine,
    UtilizationReport,
)

# The kinds whose use monitoring measures (CPU, memory, disk or storage); balancers and network
# access have none of these, so they would only add empty lines.
MEASURED_KINDS = (ResourceKind.HOST, ResourceKind.DATABASE, ResourceKind.STORAGE)
STORAGE_METRICS = (Metric.DISK_USED_GB, Metric.STORAGE_USED_GB)
# The metric groups of a line: CPU, memory, and storage (disk or cloud storage, both GB).
CPU, MEMORY, STORAGE = "cpu", "memory", "storage"
BATCH = 2000


# --- Periods -----------------------------------------------------------------------------------------


def period_bounds(period: str, day: date) -> tuple[date, date]:
    """The week (Monday first) or month that `day` falls in: [starts_on, ends_on)."""
    if period == ReportPeriod.WEEK:
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=7)
    start = day.replace(day=1)
    return start, start + timedelta(days=calendar.monthrange(start.year, start.month)[1])


def previous_bounds(period: str, starts_on: date) -> tuple[date, date]:
    return period_bounds(period, starts_on - timedelta(days=1))


def last_complete(period: str, today: date | None = None) -> date:
    """The first day of the last complete week or month before `today`."""
    today = today or timezone.localdate()
    return previous_bounds(period, period_bounds(period, today)[0])[0]


def local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day))


# --- Figures (set-based) -----------------------------------------------------------------------------


def _group():
    return Case(
        When(metric=Metric.CPU_PERCENT, then=Value(CPU)),
        When(metric=Metric.MEMORY_PERCENT, then=Value(MEMORY)),
        default=Value(STORAGE),
        output_field=CharField(),
    )


def _weighted_avg():
    # A period's average is its samples' average: each day's average weighted by its samples.
    return Sum(F("avg") * F("count"), output_field=FloatField()) / Cast(Sum("count"), FloatField())


def _daily(resources: QuerySet[Resource], starts_on: date, ends_on: date) -> QuerySet[Rollup]:
    return Rollup.objects.filter(
        resource__in=resources.order_by().values("pk"),
        period=Period.DAY,
        start__gte=local_midnight(starts_on),
        start__lt=local_midnight(ends_on),
        metric__in=(Metric.CPU_PERCENT, Metric.MEMORY_PERCENT, *STORAGE_METRICS),
    ).order_by()


def per_resource(resources: QuerySet[Resource], starts_on: date, ends_on: date) -> dict[int, dict[str, tuple]]:
    """{resource id: {group: (average, peak)}} — one grouped query."""
    rows = (
        _daily(resources, starts_on, ends_on)
        .annotate(group=_group())
        .values("resource_id", "group")
        .annotate(avg_all=_weighted_avg(), peak=Max("max"))
    )
    figures: dict[int, dict[str, tuple]] = defaultdict(dict)
    for row in rows:
        figures[row["resource_id"]][row["group"]] = (row["avg_all"], row["peak"])
    return figures


def daily_series(resources: QuerySet[Resource], starts_on: date, ends_on: date) -> dict[str, list]:
    """Per day of the period, across the resources: CPU and memory average and the highest CPU
    peak — one grouped query. Days without data are None (a gap in the chart)."""
    rows = (
        _daily(resources, starts_on, ends_on)
        .filter(metric__in=(Metric.CPU_PERCENT, Metric.MEMORY_PERCENT))
        .values("metric", "start")
        .annotate(avg_all=_weighted_avg(), peak=Max("max"))
    )
    days = [starts_on + timedelta(days=i) for i in range((ends_on - starts_on).days)]
    by: dict[tuple[str, date], dict] = {}
    for row in rows:
        by[(row["metric"], timezone.localtime(row["start"]).date())] = row

    def pick(metric, key):
        return [_round(by[(metric, d)][key]) if (metric, d) in by else None for d in days]

    return {
        "days": [d.isoformat() for d in days],
        "cpu_avg": pick(Metric.CPU_PERCENT, "avg_all"),
        "cpu_peak": pick(Metric.CPU_PERCENT, "peak"),
        "memory_avg": pick(Metric.MEMORY_PERCENT, "avg_all"),
    }


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def _mean(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(sum(present) / len(present), 2) if present else None


@dataclass(frozen=True)
class Thresholds:
    """The idle and overloaded thresholds of monitoring's alert rules (None: the rule is off)."""

    idle_peak_below: float | None
    overloaded_avg_above: float | None


def thresholds() -> Thresholds:
    rules = {r.kind: r for r in alert_rules()}

    def value(kind):
        rule = rules.get(kind)
        if rule is None:  # not seeded yet (a flushed test database): the rule's default
            return DEFAULT_RULES[kind][0]
        return rule.threshold if rule.enabled else None

    return Thresholds(value(AlertKind.IDLE), value(AlertKind.OVERLOADED))


def flag_of(cpu_avg: float | None, cpu_peak: float | None, limits: Thresholds, *, measured: bool = True) -> str:
    """Idle and overloaded are CPU verdicts; a resource measured otherwise (cloud storage: used GB
    only) is normal, one with no figure at all in the period has no data."""
    if cpu_avg is None or cpu_peak is None:
        return UsageFlag.NORMAL if measured else UsageFlag.NO_DATA
    if limits.overloaded_avg_above is not None and cpu_avg > limits.overloaded_avg_above:
        return UsageFlag.OVERLOADED
    if limits.idle_peak_below is not None and cpu_peak < limits.idle_peak_below:
        return UsageFlag.IDLE
    return UsageFlag.NORMAL


def scope_resources(organization: Organization | None, starts_on: date, ends_on: date) -> QuerySet[Resource]:
    """The measured resources of the scope that were in use at some time in the period."""
    start, end = local_midnight(starts_on), local_midnight(ends_on)
    rows = Resource.objects.filter(kind__in=MEASURED_KINDS).filter(
        Q(in_service_at__lt=end) | Q(delivered_at__lt=end),
        Q(terminated_at__isnull=True) | Q(terminated_at__gte=start),
    )
    if organization is not None:
        rows = rows.filter(organization__path__startswith=organization.path)
    return rows


def summary_of(lines: list[UtilizationLine], series: dict, limits: Thresholds, by_department: bool) -> dict:
    counts = dict.fromkeys(UsageFlag.values, 0)
    for line in lines:
        counts[line.flag] += 1
    storage_now = [line.storage_avg for line in lines if line.storage_avg is not None]
    summary = {
        "counts": counts,
        "cpu_avg": _mean([line.cpu_avg for line in lines]),
        "memory_avg": _mean([line.memory_avg for line in lines]),
        "previous_cpu_avg": _mean([line.previous_cpu_avg for line in lines]),
        "previous_memory_avg": _mean([line.previous_memory_avg for line in lines]),
        "storage_gb": round(sum(storage_now), 1) if storage_now else None,
        "idle_threshold": limits.idle_peak_below,
        "overloaded_threshold": limits.overloaded_avg_above,
        "series": series,
    }
    for key in ("cpu", "memory"):
        now, before = summary[f"{key}_avg"], summary[f"previous_{key}_avg"]
        summary[f"{key}_change"] = None if now is None or before is None else round(now - before, 2)
    if by_department:
        groups: dict[str, list[UtilizationLine]] = defaultdict(list)
        for line in lines:
            groups[line.department].append(line)
        summary["departments"] = [
            {
                "name": name,
                "resources": len(rows),
                "cpu_avg": _mean([r.cpu_avg for r in rows]),
                "memory_avg": _mean([r.memory_avg for r in rows]),
                "idle": sum(1 for r in rows if r.flag == UsageFlag.IDLE),
                "overloaded": sum(1 for r in rows if r.flag == UsageFlag.OVERLOADED),
            }
            for name, rows in sorted(groups.items())
        ]
    return summary


# --- The service ---------------------------------------------------------------------------------------


def check_scope(actor: Actor, organization: Organization | None) -> None:
    """The center and the provider report on any scope; a department on itself (or its units)."""
    require_role(actor, REPORT_GENERATORS)
    if is_system(actor) or actor_roles(actor) & REPORT_VIEWERS:
        return
    own = getattr(actor, "organization", None)
    if organization is None or own is None or not organization.is_within(own):
        raise PermissionDenied(_("You may only report on your own department."))


def utilization_report_generate(
    *,
    actor: Actor,
    period: str,
    day: date,
    organization: Organization | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> UtilizationReport:
    """Build (or rebuild) the report of the week or month `day` falls in for the scope."""
    check_scope(actor, organization)
    if period not in ReportPeriod.values:
        raise ValidationError({"period": _("Choose a weekly or a monthly report.")})
    starts_on, ends_on = period_bounds(period, day)
    if starts_on > timezone.localdate():
        raise ValidationError({"day": _("That period has not started yet.")})
    previous_start, previous_end = previous_bounds(period, starts_on)
    progress = progress or (lambda done, total, message="": None)

    resources = scope_resources(organization, starts_on, ends_on)
    progress(0, 4, _("Reading the daily rollups"))
    current = per_resource(resources, starts_on, ends_on)
    previous = per_resource(resources, previous_start, previous_end)
    series = daily_series(resources, starts_on, ends_on)
    limits = thresholds()
    rows = list(
        resources.order_by("organization__path", "code").values("pk", "code", "name", "kind", "organization__name")
    )
    progress(1, 4, _("Assessing %(n)d resources") % {"n": len(rows)})
    lines = []
    for row in rows:
        figures, before = current.get(row["pk"], {}), previous.get(row["pk"], {})
        cpu, memory, storage = (figures.get(g, (None, None)) for g in (CPU, MEMORY, STORAGE))
        lines.append(
            UtilizationLine(
                resource_id=row["pk"],
                code=row["code"],
                name=row["name"][:200],
                kind=row["kind"],
                department=row["organization__name"],
                cpu_avg=_round(cpu[0]),
                cpu_peak=_round(cpu[1]),
                memory_avg=_round(memory[0]),
                memory_peak=_round(memory[1]),
                storage_avg=_round(storage[0]),
                storage_peak=_round(storage[1]),
                previous_cpu_avg=_round(before.get(CPU, (None,))[0]),
                previous_memory_avg=_round(before.get(MEMORY, (None,))[0]),
                flag=flag_of(cpu[0], cpu[1], limits, measured=bool(figures)),
            )
        )
    summary = summary_of(lines, series, limits, by_department=organization is None)
    progress(2, 4, _("Storing the report"))
    with transaction.atomic():
        lookup = {"period": period, "starts_on": starts_on, "organization": organization}
        # Two generations of the same period (the schedule and a person) queue here.
        # No ordering: the model's default orders by the department's path, an outer join that
        # PostgreSQL will not lock.
        report = UtilizationReport.objects.select_for_update().filter(**lookup).order_by("pk").first()
        created = report is None
        if report is None:
            report = UtilizationReport(**lookup)
        report.ends_on = ends_on
        report.generated_at = timezone.now()
        report.generated_by = actor_name(actor)
        report.resources = len(lines)
        report.idle = summary["counts"][UsageFlag.IDLE]
        report.overloaded = summary["counts"][UsageFlag.OVERLOADED]
        report.summary = summary
        report.save()
        if not created:
            report.lines.all().delete()
        for line in lines:
            line.report = report
        UtilizationLine.objects.bulk_create(lines, batch_size=BATCH)
        audit_record(
            actor=actor,
            action="utilization_report.generate",
            target=report,
            message=str(report),
            subject_organization_path=organization.path if organization else None,
        )
    progress(4, 4, "")
    return report


def utilization_report_request(*, actor: Actor, period: str, day: date, organization: Organization | None):
    """Ask for a report on demand: checked now, built by a background job with a progress bar."""
    # Imported here: the task module imports this one.
    from govcloud.core.services import job_start
    from govcloud.reports.tasks import utilization_report_task

    check_scope(actor, organization)
    if period not in ReportPeriod.values:
        raise ValidationError({"period": _("Choose a weekly or a monthly report.")})
    if period_bounds(period, day)[0] > timezone.localdate():
        raise ValidationError({"day": _("That period has not started yet.")})
    with transaction.atomic():
        job = job_start(
            actor=actor,
            kind="reports.utilization",
            label=_("Utilization report"),
            task=utilization_report_task,
            params={
                "period": period,
                "day": day.isoformat(),
                "organization": organization.pk if organization else None,
            },
        )
        audit_record(
            actor=actor,
            action="utilization_report.request",
            object_type="core.job",
            object_id=job.pk,
            object_repr=f"{period} {day:%Y-%m-%d} {organization or '-'}"[:200],
            subject_organization_path=organization.path if organization else None,
        )
    return job


def report_departments() -> QuerySet[Organization]:
    """The departments that get their own report: top-level departments (their units included)."""
    return Organization.objects.filter(
        kind=OrganizationKind.DEPARTMENT, level=OrganizationLevel.DEPARTMENT, is_active=True
    ).order_by("path")


def utilization_reports_run(*, actor: Actor = SYSTEM, period: str, day: date | None = None) -> list[int]:
    """The scheduled run: the last complete week or month for the city and every department that
    had resources in use in it. Returns the reports' ids."""
    day = day or last_complete(period)
    starts_on, ends_on = period_bounds(period, day)
    paths = set(scope_resources(None, starts_on, ends_on).values_list("organization__path", flat=True).distinct())
    ids = [utilization_report_generate(actor=actor, period=period, day=day).pk]
    for department in report_departments():
        if any(path.startswith(department.path) for path in paths):
            ids.append(utilization_report_generate(actor=actor, period=period, day=day, organization=department).pk)
    return ids
