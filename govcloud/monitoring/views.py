"""Utilization pages (Art. 7, 12, 19): a department sees its resources' latest, average and peak
use with daily charts; the center (and the provider, finance) sees every department's, with a
department filter; each resource has its own page. Reads only, through the scope."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from govcloud.core.forms import form_errors_from
from govcloud.core.paging import page_of
from govcloud.core.permissions import has_any_role, require_role
from govcloud.core.roles import DEPARTMENT_ROLES
from govcloud.monitoring import alerts, imports, selectors, xlsx_import
from govcloud.monitoring.filters import AlertFilter, UtilizationFilter
from govcloud.monitoring.forms import AlertRuleForm, ImportUploadForm
from govcloud.monitoring.models import (
    COLLECTION_VIEWERS,
    IMPORT_UPLOADERS,
    IMPORT_VIEWERS,
    RULE_EDITORS,
    USAGE_VIEWERS,
    AlertRule,
    AlertState,
    CollectionStatus,
    Metric,
)


@login_required
def utilization(request):
    user = request.user
    filterset = UtilizationFilter(request.GET or None, queryset=selectors.resources_for(user=user), request=request)
    resources = filterset.qs
    page = page_of(request, resources)
    return render(
        request,
        "monitoring/utilization.html",
        {
            "filter": filterset,
            "page": page,
            "rows": selectors.usage_rows(list(page.object_list)),
            "charts": selectors.department_charts(resources),
            "metrics": [Metric(m) for m in selectors.PAGE_METRICS],
            "window_days": selectors.WINDOW_DAYS,
            # A department's own page has no department filter to show.
            "sees_departments": has_any_role(user, USAGE_VIEWERS) or not has_any_role(user, DEPARTMENT_ROLES),
            "sees_collections": has_any_role(user, COLLECTION_VIEWERS),
        },
    )


@login_required
def resource_utilization(request, pk: int):
    resource = selectors.resource_get(user=request.user, pk=pk)
    return render(
        request,
        "monitoring/resource_utilization.html",
        {
            "resource": resource,
            "summaries": selectors.resource_summaries(resource),
            "window_days": selectors.WINDOW_DAYS,
        },
    )


@login_required
def collection_runs(request):
    """The collectors' runs (Prometheus): what each asked for, stored, refused and why it failed —
    the center's and the provider's; a department gets 403."""
    require_role(request.user, COLLECTION_VIEWERS)
    status = request.GET.get("status", "")
    runs = selectors.collection_runs(user=request.user, status=status if status in CollectionStatus.values else "")
    page = page_of(request, runs)
    return render(
        request,
        "monitoring/collection_runs.html",
        {"page": page, "statuses": CollectionStatus.choices, "status": status},
    )


# --- Alerts ----------------------------------------------------------------------------------------


@login_required
def alert_list(request):
    user = request.user
    data = request.GET.copy()
    if "state" not in data:
        data["state"] = AlertState.OPEN
    filterset = AlertFilter(data, queryset=selectors.alerts_for(user=user), request=request)
    page = page_of(request, filterset.qs)
    return render(
        request,
        "monitoring/alert_list.html",
        {
            "filter": filterset,
            "page": page,
            "sees_departments": has_any_role(user, USAGE_VIEWERS) or not has_any_role(user, DEPARTMENT_ROLES),
        },
    )


@login_required
def alert_detail(request, pk: int):
    alert = selectors.alert_get(user=request.user, pk=pk)
    return render(request, "monitoring/alert_detail.html", {"alert": alert})


@login_required
def alert_rule_list(request):
    return render(
        request,
        "monitoring/alert_rules.html",
        {"rules": selectors.alert_rules(), "can_edit": has_any_role(request.user, RULE_EDITORS)},
    )


@login_required
def alert_rule_edit(request, pk: int):
    require_role(request.user, RULE_EDITORS)
    rule = get_object_or_404(AlertRule, pk=pk)
    fields = ("threshold", "window_days", "change_percent", "enabled", "opens_incident")
    form = AlertRuleForm(request.POST or None, initial={k: getattr(rule, k) for k in fields})
    if request.method == "POST" and form.is_valid():
        try:
            alerts.alert_rule_update(actor=request.user, rule=rule, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Saved."))
            return redirect("monitoring:alert_rule_list")
    return render(request, "monitoring/alert_rule_edit.html", {"rule": rule, "form": form})


# --- Utilization table imports (资源利用情况表) -------------------------------------------------------


@login_required
def import_list(request):
    """The provider uploads a filled table; the provider (its organization's) and the center see
    the batches with their state, progress and counts."""
    user = request.user
    require_role(user, IMPORT_VIEWERS)
    can_upload = has_any_role(user, IMPORT_UPLOADERS)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        require_role(user, IMPORT_UPLOADERS)
        if form.is_valid():
            try:
                batch = imports.import_batch_create(actor=user, upload=form.cleaned_data["file"])
            except ValidationError as exc:
                form_errors_from(exc, form)
            else:
                if batch.duplicate_of_id:
                    messages.info(request, _duplicate_note(batch))
                return redirect("monitoring:import_detail", pk=batch.pk)
    page = page_of(request, selectors.import_batches_for(user=user))
    return render(request, "monitoring/import_list.html", {"form": form, "page": page, "can_upload": can_upload})


def _duplicate_note(batch) -> str:
    return _(
        "The same file was imported before (batch #%(pk)s, %(when)s); importing it again records nothing twice."
    ) % {
        "pk": batch.duplicate_of_id,
        "when": timezone.localtime(batch.duplicate_of.created_at).strftime("%Y-%m-%d %H:%M"),
    }


@login_required
def import_detail(request, pk: int):
    batch = selectors.import_batch_get(user=request.user, pk=pk)
    template = "monitoring/_import_progress.html" if request.htmx else "monitoring/import_detail.html"
    return render(
        request,
        template,
        {"batch": batch, "duplicate_note": _duplicate_note(batch) if batch.duplicate_of_id else ""},
    )


@login_required
def import_error_report(request, pk: int):
    batch = selectors.import_batch_get(user=request.user, pk=pk)
    path = imports.import_error_report_open(actor=request.user, batch=batch)
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=imports.error_report_filename(batch),
        content_type=xlsx_import.XLSX_CONTENT_TYPE,
    )


@login_required
def import_template(request):
    response = HttpResponse(xlsx_import.template_workbook(), content_type=xlsx_import.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, "资源利用情况表-模板.xlsx")
    return response
