"""Report pages (Art. 12): the utilization tables (list, on-demand generation as a background job,
detail with charts, XLSX and PDF), the monthly analysis reports, the resource pools and the
provider's operations reports and advice. Thin: selectors read, services write."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from govcloud.audit.services import audit_record
from govcloud.core.errors import StateConflict
from govcloud.core.forms import form_errors_from
from govcloud.core.paging import page_of
from govcloud.core.permissions import has_any_role, require_role
from govcloud.core.scoping import Action
from govcloud.reports import analysis, charts, documents, selectors, services, utilization
from govcloud.reports.filters import ProviderReportFilter, UtilizationLineFilter, UtilizationReportFilter
from govcloud.reports.forms import (
    AttachmentForm,
    DecisionForm,
    MonthForm,
    ProviderReportEditForm,
    ProviderReportForm,
    ResourcePoolForm,
    UtilizationGenerateForm,
)
from govcloud.reports.models import (
    ANALYSTS,
    POOL_EDITORS,
    PROVIDER,
    PROVIDER_REPORT_TRANSITIONS,
    REPORT_GENERATORS,
    REPORT_VIEWERS,
    ProviderReportAction,
    ResourcePool,
)
from govcloud.systems.filters import departments_in_scope

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _tabs(user) -> dict:
    return {"is_analyst": has_any_role(user, ANALYSTS), "can_generate": has_any_role(user, REPORT_GENERATORS)}


# --- Utilization reports -----------------------------------------------------------------------------


@login_required
def utilization_list(request):
    user = request.user
    filterset = UtilizationReportFilter(
        request.GET or None, queryset=selectors.utilization_reports_for(user=user), request=request
    )
    page = page_of(request, filterset.qs)
    return render(
        request,
        "reports/utilization_list.html",
        {"filter": filterset, "page": page, "tab": "utilization", **_tabs(user)},
    )


@login_required
def utilization_generate(request):
    user = request.user
    require_role(user, REPORT_GENERATORS)
    city_allowed = has_any_role(user, REPORT_VIEWERS)
    form = UtilizationGenerateForm(
        request.POST or None, departments=departments_in_scope(request), city_allowed=city_allowed
    )
    if request.method == "POST" and form.is_valid():
        organization = form.cleaned_data["organization"]
        try:
            job = utilization.utilization_report_request(
                actor=user, period=form.cleaned_data["period"], day=form.cleaned_data["day"], organization=organization
            )
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            return redirect("web:job_detail", pk=job.pk)
    return render(request, "reports/utilization_generate.html", {"form": form, "tab": "utilization", **_tabs(user)})


@login_required
def utilization_detail(request, pk: int):
    report = selectors.utilization_report_get(user=request.user, pk=pk)
    lines = UtilizationLineFilter(request.GET or None, queryset=selectors.utilization_lines(report=report))
    page = page_of(request, lines.qs)
    return render(
        request,
        "reports/utilization_detail.html",
        {
            "report": report,
            "summary": report.summary or {},
            "charts": charts.report_charts(report),
            "filter": lines,
            "page": page,
            "flagged": list(selectors.flagged_lines(report=report)[:20]),
            "tab": "utilization",
            **_tabs(request.user),
        },
    )


def _export(request, report, fmt: str) -> None:
    audit_record(
        actor=request.user,
        action="utilization_report.export",
        target=report,
        message=f"{report} ({fmt})",
        subject_organization_path=report.organization.path if report.organization_id else None,
    )


def _filename(report, ext: str) -> str:
    scope = report.organization.short_name or report.organization.name if report.organization_id else "city"
    return f"utilization-{report.period}-{report.starts_on:%Y%m%d}-{scope}.{ext}"


@login_required
def utilization_xlsx(request, pk: int):
    report = selectors.utilization_report_get(user=request.user, pk=pk)
    body = documents.utilization_xlsx(report, selectors.utilization_lines(report=report).iterator(chunk_size=2000))
    _export(request, report, "xlsx")
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{_filename(report, "xlsx")}"'
    return response


@login_required
def utilization_pdf(request, pk: int):
    report = selectors.utilization_report_get(user=request.user, pk=pk)
    lines = list(selectors.utilization_lines(report=report)[: documents.PDF_LINES])
    body = documents.utilization_pdf(report, list(selectors.flagged_lines(report=report)), lines)
    _export(request, report, "pdf")
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename(report, "pdf")}"'
    return response


# --- Monthly analysis ------------------------------------------------------------------------------------


@login_required
def analysis_list(request):
    user = request.user
    reports = selectors.analysis_reports_for(user=user)
    form = MonthForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = analysis.analysis_report_generate(actor=user, month=form.cleaned_data["month"])
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("The analysis report for %(month)s is ready.") % {"month": str(report)})
            return redirect("reports:analysis_list")
    page = page_of(request, reports)
    return render(request, "reports/analysis_list.html", {"page": page, "form": form, "tab": "analysis", **_tabs(user)})


@login_required
def analysis_pdf(request, pk: int):
    report = selectors.analysis_report_get(user=request.user, pk=pk)
    body = documents.analysis_pdf(report)
    audit_record(actor=request.user, action="analysis_report.export", target=report, message=str(report))
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="analysis-{report.month:%Y-%m}.pdf"'
    return response


# --- Resource pools -------------------------------------------------------------------------------------


@login_required
def pool_list(request):
    pools = selectors.resource_pools(user=request.user)
    return render(
        request,
        "reports/pool_list.html",
        {"pools": pools, "can_edit": has_any_role(request.user, POOL_EDITORS), "tab": "pools", **_tabs(request.user)},
    )


@login_required
def pool_edit(request, pk: int | None = None):
    require_role(request.user, POOL_EDITORS)
    pool = get_object_or_404(ResourcePool, pk=pk) if pk is not None else None
    initial = {k: getattr(pool, k) for k in ("name", "kind", "capacity", "note")} if pool else None
    form = ResourcePoolForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if pool is None:
                services.resource_pool_create(actor=request.user, **form.cleaned_data)
            else:
                services.resource_pool_update(actor=request.user, pool=pool, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Saved."))
            return redirect("reports:pool_list")
    return render(
        request, "reports/pool_edit.html", {"form": form, "pool": pool, "tab": "pools", **_tabs(request.user)}
    )


# --- Provider reports -----------------------------------------------------------------------------------


@login_required
def provider_report_list(request):
    user = request.user
    filterset = ProviderReportFilter(request.GET or None, queryset=selectors.provider_reports_for(user=user))
    page = page_of(request, filterset.qs)
    return render(
        request,
        "reports/provider_report_list.html",
        {
            "filter": filterset,
            "page": page,
            "can_write": has_any_role(user, PROVIDER),
            "tab": "provider",
            **_tabs(user),
        },
    )


@login_required
def provider_report_create(request):
    require_role(request.user, PROVIDER)
    form = ProviderReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.provider_report_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Saved as a draft."))
            return redirect("reports:provider_report_detail", pk=report.pk)
    return render(
        request, "reports/provider_report_form.html", {"form": form, "tab": "provider", **_tabs(request.user)}
    )


def _actions_for(user, report) -> list[dict]:
    actions = []
    for (state, action), (_target, roles) in PROVIDER_REPORT_TRANSITIONS.items():
        if state == report.state and has_any_role(user, roles):
            actions.append({"value": action, "label": ProviderReportAction(action).label})
    return actions


@login_required
def provider_report_detail(request, pk: int):
    user = request.user
    report = selectors.provider_report_get(user=user, pk=pk)
    return render(
        request,
        "reports/provider_report_detail.html",
        {
            "report": report,
            "timeline": selectors.provider_report_timeline(report=report),
            "attachments": selectors.provider_report_attachments(report=report),
            "actions": _actions_for(user, report),
            "can_edit": report.is_editable and has_any_role(user, PROVIDER),
            "attach_form": AttachmentForm(),
            "decision_form": DecisionForm(),
            "tab": "provider",
            **_tabs(user),
        },
    )


@login_required
def provider_report_edit(request, pk: int):
    report = selectors.provider_report_get(user=request.user, pk=pk, action=Action.CHANGE)
    require_role(request.user, PROVIDER)
    form = ProviderReportEditForm(request.POST or None, initial={"title": report.title, "body": report.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.provider_report_update(actor=request.user, report=report, **form.cleaned_data)
        except StateConflict as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("reports:provider_report_detail", pk=report.pk)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Saved."))
            return redirect("reports:provider_report_detail", pk=report.pk)
    return render(
        request,
        "reports/provider_report_form.html",
        {"form": form, "report": report, "tab": "provider", **_tabs(request.user)},
    )


@login_required
@require_POST
def provider_report_attach(request, pk: int):
    report = selectors.provider_report_get(user=request.user, pk=pk, action=Action.CHANGE)
    try:
        services.provider_report_attach(actor=request.user, report=report, upload=request.FILES.get("file"))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("File attached."))
    return redirect("reports:provider_report_detail", pk=report.pk)


@login_required
@require_POST
def provider_report_move(request, pk: int):
    report = selectors.provider_report_get(user=request.user, pk=pk, action=Action.CHANGE)
    action = request.POST.get("action", "")
    if action not in ProviderReportAction.values:
        raise Http404
    try:
        services.provider_report_move(
            actor=request.user, report=report, action=action, reason=request.POST.get("reason", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Done."))
    return redirect("reports:provider_report_detail", pk=report.pk)


@login_required
def provider_report_attachment(request, pk: int, attachment_pk: int):
    report = selectors.provider_report_get(user=request.user, pk=pk)
    attachment = selectors.attachment_get(report=report, attachment_id=attachment_pk)
    path = services.provider_report_attachment_open(actor=request.user, attachment=attachment)
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
