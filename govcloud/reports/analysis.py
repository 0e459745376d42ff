"""The center's monthly analysis report (月度分析报告, Art. 12): one PDF on capacity used against the
pools' capacity and its growth, the application pipeline, the provider's advice, incidents and the
SLA figures, and the security bulletins issued. The figures are a snapshot taken when the report is
generated (the schedule on the 1st and the 10th, or the center on demand), so the PDF of a past
month does not change under the reader; each section is empty ("暂无数据") when it has no data.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from govcloud.applications.models import Application, ApplicationState
from govcloud.audit.services import audit_record
from govcloud.core.actors import SYSTEM, Actor, actor_name
from govcloud.core.permissions import require_role
from govcloud.incidents.models import Incident, IncidentState
from govcloud.incidents.selectors import month_figures
from govcloud.ledger.models import Resource
from govcloud.reports.models import (
    ANALYSTS,
    DELIVERED_STATES,
    AnalysisReport,
    PoolKind,
    ProviderReport,
    ProviderReportKind,
    ReportPeriod,
    ResourcePool,
    UtilizationReport,
)
from govcloud.reports.utilization import local_midnight, period_bounds
from govcloud.security.models import BulletinStatus, SecurityBulletin

# The applications still on their way (neither drafts nor finished): the pipeline of Art. 10.
PIPELINE_STATES = (
    ApplicationState.AWAITING_SIGNOFF,
    ApplicationState.SUBMITTED,
    ApplicationState.RETURNED,
    ApplicationState.ACCEPTED,
    ApplicationState.IN_DELIVERY,
    ApplicationState.DELIVERED,
    ApplicationState.TEST_FAILED,
)
GB_PER_TB = 1024


def _in_use_at(moment: datetime) -> Q:
    started = Q(in_service_at__lt=moment) | Q(delivered_at__lt=moment)
    return started & (Q(terminated_at__isnull=True) | Q(terminated_at__gte=moment))


def allocated(moments: dict[str, datetime]) -> dict[str, dict[str, float]]:
    """{moment name: {pool kind: allocated}} for the resources in use at each moment — one query."""
    storage = ExpressionWrapper(
        F("disk_gb") + F("storage_tb") * GB_PER_TB, output_field=DecimalField(max_digits=14, decimal_places=2)
    )
    aggregates = {}
    for name, moment in moments.items():
        q = _in_use_at(moment)
        aggregates[f"{name}_compute"] = Coalesce(Sum("vcpu", filter=q), 0)
        aggregates[f"{name}_memory"] = Coalesce(Sum("memory_gb", filter=q), 0)
        aggregates[f"{name}_storage"] = Sum(storage, filter=q)
    row = Resource.objects.aggregate(**aggregates)
    return {name: {kind: float(row[f"{name}_{kind}"] or 0) for kind in PoolKind.values} for name in moments}


def _pct(part: float, whole: float) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def capacity_figures(month: date) -> dict:
    starts_on, ends_on = period_bounds(ReportPeriod.MONTH, month)
    previous_start = period_bounds(ReportPeriod.MONTH, starts_on - timedelta(days=1))[0]
    use = allocated({"now": local_midnight(ends_on), "before": local_midnight(starts_on)})
    pools = list(ResourcePool.objects.order_by("kind", "name").values("name", "kind", "capacity", "note"))
    kinds = []
    for kind in PoolKind:
        capacity = sum(p["capacity"] for p in pools if p["kind"] == kind.value)
        now, before = use["now"][kind.value], use["before"][kind.value]
        if not capacity and not now:
            continue
        kinds.append(
            {
                "kind": kind.value,
                "label": str(kind.label),
                "capacity": capacity,
                "used": round(now, 1),
                # With no pool recorded there is nothing to be available of (not a negative amount).
                "available": round(capacity - now, 1) if capacity else None,
                "used_pct": _pct(now, capacity),
                "previous_used": round(before, 1),
                "growth": round(now - before, 1),
                "growth_pct": _pct(now - before, before),
            }
        )
    for pool in pools:
        pool["kind_label"] = str(PoolKind(pool["kind"]).label)
    return {"pools": pools, "kinds": kinds, "previous_month": previous_start.isoformat()}


def pipeline_figures(month: date) -> dict:
    starts_on, ends_on = period_bounds(ReportPeriod.MONTH, month)
    start, end = local_midnight(starts_on), local_midnight(ends_on)
    rows = dict(
        Application.objects.filter(state__in=PIPELINE_STATES)
        .order_by()
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    submitted = Application.objects.filter(submitted_at__gte=start, submitted_at__lt=end).count()
    states = [
        {"state": s.value, "label": str(s.label), "count": rows.get(s.value, 0)}
        for s in ApplicationState
        if s in PIPELINE_STATES
    ]
    return {"states": states, "total": sum(rows.values()), "submitted_in_month": submitted}


def provider_figures(month: date) -> dict:
    reports = {r.kind: r for r in ProviderReport.objects.filter(month=month.replace(day=1), state__in=DELIVERED_STATES)}

    def one(kind):
        report = reports.get(kind)
        if report is None:
            return None
        return {
            "title": report.title,
            "body": report.body,
            "state": report.state,
            "state_label": str(report.get_state_display()),
            "submitted_at": report.submitted_at.isoformat() if report.submitted_at else None,
        }

    return {"advice": one(ProviderReportKind.ADVICE), "operations": one(ProviderReportKind.OPERATIONS)}


def incident_figures(month: date) -> dict:
    figures = month_figures(user=SYSTEM, month=month.replace(day=1))
    figures.pop("month", None)
    starts_on, ends_on = period_bounds(ReportPeriod.MONTH, month)
    majors = (
        Incident.objects.filter(
            severity__is_major=True,
            reported_at__gte=local_midnight(starts_on),
            reported_at__lt=local_midnight(ends_on),
        )
        .exclude(state=IncidentState.MERGED)
        .order_by("reported_at")
        .values("number", "title", "reported_at", "state")
    )
    figures["majors"] = [
        {
            "number": m["number"] or "",
            "title": m["title"],
            "reported_at": timezone.localtime(m["reported_at"]).strftime("%Y-%m-%d %H:%M"),
            "state": str(IncidentState(m["state"]).label),
        }
        for m in majors
    ]
    return figures


def bulletin_figures(month: date) -> list[dict]:
    starts_on, ends_on = period_bounds(ReportPeriod.MONTH, month)
    rows = SecurityBulletin.objects.filter(
        status=BulletinStatus.PUBLISHED,
        published_at__gte=local_midnight(starts_on),
        published_at__lt=local_midnight(ends_on),
    ).order_by("published_at")
    return [
        {
            "title": b.title,
            "period": f"{b.period:%Y-%m}",
            "published_at": timezone.localtime(b.published_at).strftime("%Y-%m-%d"),
        }
        for b in rows
    ]


def utilization_figures(month: date) -> dict | None:
    """The city's monthly 资源利用情况表 of the month, when it has been generated."""
    report = UtilizationReport.objects.filter(
        period=ReportPeriod.MONTH, starts_on=month.replace(day=1), organization__isnull=True
    ).first()
    if report is None:
        return None
    s = report.summary
    return {
        "resources": report.resources,
        "idle": report.idle,
        "overloaded": report.overloaded,
        "cpu_avg": s.get("cpu_avg"),
        "memory_avg": s.get("memory_avg"),
        "cpu_change": s.get("cpu_change"),
        "memory_change": s.get("memory_change"),
        "report_id": report.pk,
    }


def analysis_figures(month: date) -> dict:
    month = month.replace(day=1)
    return {
        "month": month.isoformat(),
        "capacity": capacity_figures(month),
        "utilization": utilization_figures(month),
        "pipeline": pipeline_figures(month),
        "provider": provider_figures(month),
        "incidents": incident_figures(month),
        "bulletins": bulletin_figures(month),
    }


def analysis_report_generate(*, actor: Actor, month: date) -> AnalysisReport:
    """Take (or retake) the month's snapshot. The center and the provider may ask for it."""
    require_role(actor, ANALYSTS)
    month = month.replace(day=1)
    if month > timezone.localdate():
        raise ValidationError({"month": _("That month has not started yet.")})
    # The labels kept in the snapshot are the official document's language, as the PDF is.
    with translation.override("zh-hans"):
        figures = analysis_figures(month)
    with transaction.atomic():
        report = AnalysisReport.objects.select_for_update().filter(month=month).order_by(
            "pk"
        ).first() or AnalysisReport(month=month)
        report.figures = figures
        report.generated_at = timezone.now()
        report.generated_by = actor_name(actor)
        report.save()
        audit_record(actor=actor, action="analysis_report.generate", target=report, message=str(report))
    return report
