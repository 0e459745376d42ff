import json

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from govcloud.audit import selectors, services
from govcloud.audit.actions import action_label
from govcloud.audit.chain import canonical_json
from govcloud.audit.filters import AuditEventFilter
from govcloud.core.paging import page_of
from govcloud.core.permissions import has_any_role, require_role
from govcloud.core.roles import Role

_AUDIT_ROLES = {Role.AUDIT_ADMIN, Role.DEPARTMENT_SECURITY_OFFICER}


@login_required
def event_list(request):
    require_role(request.user, _AUDIT_ROLES)
    filterset = AuditEventFilter(request.GET or None, queryset=selectors.events_for(user=request.user))
    page = page_of(request, filterset.qs)
    for event in page:
        event.action_label = action_label(event.action)
    return render(
        request,
        "audit/event_list.html",
        {"filter": filterset, "page": page, "is_audit_admin": has_any_role(request.user, {Role.AUDIT_ADMIN})},
    )


@login_required
def event_detail(request, pk: int):
    require_role(request.user, _AUDIT_ROLES)
    event = selectors.event_get(user=request.user, pk=pk)

    changes = json.loads(event.changes) if event.changes else {}
    return render(
        request,
        "audit/event_detail.html",
        {"event": event, "changes": changes, "label": action_label(event.action), "canonical": canonical_json},
    )


@login_required
@require_POST
def export(request):
    fmt = request.POST.get("format", "xlsx")
    job = services.audit_export_start(actor=request.user, filters=request.GET.dict(), fmt=fmt)
    return redirect("web:job_detail", pk=job.pk)


@login_required
def verify(request):
    require_role(request.user, {Role.AUDIT_ADMIN})
    if request.method == "POST":
        job = services.audit_verify_start(actor=request.user)
        return redirect("web:job_detail", pk=job.pk)
    return render(request, "audit/verify.html", selectors.chain_state())
