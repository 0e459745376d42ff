"""Pages of the resource ledger (资源台账, Art. 7), the totals per department (Art. 19) and the
quotas. Views parse and render; reads go through the scoped selectors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from govcloud.catalog.forms import QuotaForm
from govcloud.catalog.models import Dimension, Quota
from govcloud.catalog.selectors import option_labels, os_image_choices
from govcloud.catalog.services import CATALOG_EDITORS, quota_set
from govcloud.core.forms import form_errors_from
from govcloud.core.paging import page_of, rows_page
from govcloud.core.permissions import has_any_role, require_role
from govcloud.core.roles import DEPARTMENT_ROLES
from govcloud.ledger import selectors
from govcloud.ledger.exports import EXPORTERS, resources_export_start
from govcloud.ledger.filters import ResourceFilter
from govcloud.ledger.models import LEDGER_VIEWERS
from govcloud.organizations.models import Organization, OrganizationKind

QUOTA_VIEWERS = LEDGER_VIEWERS | DEPARTMENT_ROLES


def _filterset(request, os_choices):
    return ResourceFilter(
        request.GET or None,
        queryset=selectors.resources_for(user=request.user),
        request=request,
        os_choices=os_choices,
    )


@login_required
def resource_list(request):
    os_choices = os_image_choices()
    filterset = _filterset(request, os_choices)
    page = rows_page(request, selectors.for_rows(filterset.qs))
    os_labels = dict(os_choices)
    for resource in page:
        resource.os_label = os_labels.get(resource.os_image, resource.os_image)
    return render(
        request,
        "ledger/resource_list.html",
        {"filter": filterset, "page": page, "can_export": has_any_role(request.user, EXPORTERS)},
    )


def _spec_rows(resource, labels) -> list[tuple[str, str]]:
    rows = []
    order = {d: i for i, d in enumerate(Dimension.values)}
    for key in sorted(resource.spec, key=lambda k: order.get(k, 99)):
        value = resource.spec[key]
        label = Dimension(key).label if key in Dimension.values else key
        rows.append((label, labels.get((resource.catalog_item_id, key, str(value)), value)))
    return rows


@login_required
def resource_detail(request, pk: int):
    resource = selectors.resource_get(user=request.user, pk=pk)
    history = list(selectors.history_of(resource))
    labels = option_labels()
    for entry in history:
        entry.spec_changes = [
            (Dimension(k).label if k in Dimension.values else k, entry.spec_before.get(k), entry.spec_after.get(k))
            for k in sorted(set(entry.spec_before) | set(entry.spec_after))
            if entry.spec_before and entry.spec_before.get(k) != entry.spec_after.get(k)
        ]
    return render(
        request,
        "ledger/resource_detail.html",
        {"resource": resource, "history": history, "spec_rows": _spec_rows(resource, labels)},
    )


@login_required
def totals(request):
    os_choices = os_image_choices()
    filterset = _filterset(request, os_choices)
    queryset = filterset.qs
    if not (filterset.is_bound and filterset.form.is_valid() and filterset.form.cleaned_data.get("state")):
        # Totals are of what is in use unless a state is chosen: terminated resources are history.
        queryset = queryset.filter(state__in=selectors.IN_USE)
    rows = selectors.totals_by_department(queryset)
    grand = selectors.add_up(rows)
    top = sorted(rows, key=lambda r: r["vcpu"], reverse=True)[:20]
    chart = {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0, "data": [_("vCPU"), _("Memory (GB)")]},
        "grid": {"left": 160, "right": 24, "top": 32, "bottom": 24},
        "xAxis": {"type": "value"},
        "yAxis": {"type": "category", "inverse": True, "data": [r["organization__name"] for r in top]},
        "series": [
            {"name": _("vCPU"), "type": "bar", "data": [r["vcpu"] for r in top]},
            {"name": _("Memory (GB)"), "type": "bar", "data": [r["memory_gb"] for r in top]},
        ],
    }
    return render(
        request,
        "ledger/totals.html",
        {"filter": filterset, "rows": rows, "grand": grand, "chart": chart},
    )


@login_required
@require_POST
def export(request):
    try:
        job = resources_export_start(
            actor=request.user, filters=request.GET.dict(), fmt=request.POST.get("format", "xlsx")
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("ledger:resource_list")
    return redirect("web:job_detail", pk=job.pk)


# --- Quotas ----------------------------------------------------------------------------------------


@login_required
def quota_list(request):
    require_role(request.user, QUOTA_VIEWERS)
    organizations = selectors.quota_organizations_for(user=request.user)
    query = request.GET.get("q", "").strip()
    if query:
        organizations = organizations.filter(name__icontains=query)
    if request.GET.get("with_quota") == "1":
        organizations = organizations.filter(quota__isnull=False)
    page = page_of(request, organizations)
    return render(
        request,
        "ledger/quota_list.html",
        {
            "page": page,
            "rows": selectors.quota_rows(page),
            "query": query,
            "with_quota": request.GET.get("with_quota") == "1",
            "can_edit": has_any_role(request.user, CATALOG_EDITORS),
        },
    )


@login_required
def quota_edit(request, pk: int):
    require_role(request.user, CATALOG_EDITORS)
    organization = get_object_or_404(Organization, pk=pk, kind=OrganizationKind.DEPARTMENT)
    quota = Quota.objects.filter(organization=organization).first()
    initial = {name: getattr(quota, name) for name in QuotaForm.base_fields} if quota else None
    form = QuotaForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            quota_set(actor=request.user, organization=organization, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Saved the quota of %(name)s.") % {"name": organization.name})
            return redirect("ledger:quota_list")
    usage = selectors.usage_of(organization)
    return render(request, "ledger/quota_form.html", {"form": form, "organization": organization, "usage": usage})
