"""Utilization pages (Art. 7, 12, 19): a department sees its resources' latest, average and peak
use with daily charts; the center (and the provider, finance) sees every department's, with a
department filter; each resource has its own page. Reads only, through the scope."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from govcloud.core.forms import form_errors_from
from govcloud.core.permissions import has_any_role, require_role
from govcloud.core.roles import DEPARTMENT_ROLES
from govcloud.monitoring import alerts, selectors
from govcloud.monitoring.filters import AlertFilter, UtilizationFilter
from govcloud.monitoring.forms import AlertRuleForm
from govcloud.monitoring.models import (
    COLLECTION_VIEWERS,
    RULE_EDITORS,
    USAGE_VIEWERS,
    AlertRule,
    AlertState,
    CollectionStatus,
    Metric,
)

PAGE_SIZE = 50


@login_required
def utilization(request):
    user = request.user
    filterset = UtilizationFilter(request.GET or None, queryset=selectors.resources_for(user=user), request=request)
    resources = filterset.qs
    page = Paginator(resources, PAGE_SIZE).get_page(request.GET.get("page"))
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
    page = Paginator(runs, PAGE_SIZE).get_page(request.GET.get("page"))
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
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
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
