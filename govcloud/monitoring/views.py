"""Utilization pages (Art. 7, 12, 19): a department sees its resources' latest, average and peak
use with daily charts; the center (and the provider, finance) sees every department's, with a
department filter; each resource has its own page. Reads only, through the scope."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from govcloud.core.permissions import has_any_role
from govcloud.core.roles import DEPARTMENT_ROLES
from govcloud.monitoring import selectors
from govcloud.monitoring.filters import UtilizationFilter
from govcloud.monitoring.models import USAGE_VIEWERS, Metric

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
