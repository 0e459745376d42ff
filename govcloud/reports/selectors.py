"""Reads of the reports app; each takes the acting user and goes through the scope: a department
reads its own utilization reports, the center, the provider and finance every one; the provider's
reports, the pools and the analysis reports are the center's and the provider's."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from govcloud.core.permissions import has_any_role
from govcloud.core.scoping import Action, get_scoped_or_404
from govcloud.reports.models import (
    ANALYSTS,
    AnalysisReport,
    ProviderReport,
    ProviderReportAttachment,
    ProviderReportEntry,
    ResourcePool,
    UsageFlag,
    UtilizationLine,
    UtilizationReport,
)


def utilization_reports_for(*, user, action: str = Action.VIEW) -> QuerySet[UtilizationReport]:
    return (
        UtilizationReport.objects.restrict(user, action)
        .select_related("organization")
        .order_by("-starts_on", "period", "organization__path", "pk")
    )


def utilization_report_get(*, user, pk) -> UtilizationReport:
    return get_scoped_or_404(UtilizationReport.objects.select_related("organization"), user, Action.VIEW, pk=pk)


def utilization_lines(*, report: UtilizationReport, flag: str | None = None) -> QuerySet[UtilizationLine]:
    rows = UtilizationLine.objects.filter(report=report).order_by("department", "code", "pk")
    if flag:
        rows = rows.filter(flag=flag)
    return rows


def flagged_lines(*, report: UtilizationReport) -> QuerySet[UtilizationLine]:
    """The idle and overloaded resources, the most telling first."""
    return UtilizationLine.objects.filter(report=report, flag__in=(UsageFlag.IDLE, UsageFlag.OVERLOADED)).order_by(
        "flag", "-cpu_avg", "code"
    )


def _require_analyst(user) -> None:
    if not has_any_role(user, ANALYSTS):
        raise PermissionDenied


def analysis_reports_for(*, user) -> QuerySet[AnalysisReport]:
    _require_analyst(user)
    return AnalysisReport.objects.order_by("-month")


def analysis_report_get(*, user, pk) -> AnalysisReport:
    _require_analyst(user)
    return get_object_or_404(AnalysisReport, pk=pk)


def resource_pools(*, user) -> QuerySet[ResourcePool]:
    _require_analyst(user)
    return ResourcePool.objects.order_by("kind", "name")


def provider_reports_for(*, user, action: str = Action.VIEW) -> QuerySet[ProviderReport]:
    return ProviderReport.objects.restrict(user, action).select_related("author").order_by("-month", "kind", "pk")


def provider_report_get(*, user, pk, action: str = Action.VIEW) -> ProviderReport:
    return get_scoped_or_404(ProviderReport.objects.select_related("author"), user, action, pk=pk)


def provider_report_timeline(*, report: ProviderReport) -> QuerySet[ProviderReportEntry]:
    return report.entries.order_by("created_at", "pk")


def provider_report_attachments(*, report: ProviderReport) -> QuerySet[ProviderReportAttachment]:
    return report.attachments.order_by("uploaded_at", "pk")


def attachment_get(*, report: ProviderReport, attachment_id) -> ProviderReportAttachment:
    return get_object_or_404(ProviderReportAttachment, report=report, pk=attachment_id)
