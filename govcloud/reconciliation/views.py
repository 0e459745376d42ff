"""Pages of reconciliation: the discrepancies (live ones first) with the run history, and one
discrepancy with expected against observed and the actions its state allows. Views parse and
render; the services decide."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from govcloud.core.forms import form_errors_from
from govcloud.core.paging import page_of
from govcloud.core.permissions import has_any_role, require_role
from govcloud.core.roles import DEPARTMENT_ROLES
from govcloud.incidents import selectors as incident_selectors
from govcloud.reconciliation import selectors, services
from govcloud.reconciliation.filters import DiscrepancyFilter
from govcloud.reconciliation.forms import AdoptForm, DismissForm, NoteForm
from govcloud.reconciliation.models import RECONCILIATION_VIEWERS
from govcloud.reconciliation.services import SPEC_FIELDS, DiscrepancyAction

PAGE_VIEWERS = RECONCILIATION_VIEWERS | DEPARTMENT_ROLES
A = DiscrepancyAction


@login_required
def discrepancy_list(request):
    require_role(request.user, PAGE_VIEWERS)
    filterset = DiscrepancyFilter(request.GET or None, queryset=selectors.discrepancies_for(user=request.user))
    page = page_of(request, filterset.qs)
    awaiting = []
    if has_any_role(request.user, DEPARTMENT_ROLES):
        awaiting = list(selectors.awaiting_confirmation_for(user=request.user)[:20])
    return render(
        request,
        "reconciliation/discrepancy_list.html",
        {
            "filter": filterset,
            "page": page,
            "runs": list(selectors.runs_for(user=request.user)[:5]),
            "awaiting": awaiting,
            "can_run": has_any_role(request.user, services.RUNNERS),
        },
    )


@login_required
@require_POST
def run_now(request):
    require_role(request.user, services.RUNNERS)
    from govcloud.reconciliation.tasks import reconciliation_run_task

    # The page answers at once; the run reports in the history when it is done.
    transaction.on_commit(lambda: reconciliation_run_task.enqueue())
    messages.success(request, _("Reconciliation started; refresh the page to see the result."))
    return redirect("reconciliation:discrepancy_list")


def _comparison(d) -> list[tuple[str, object, object, bool]]:
    expected = d.expected.get("columns", {})
    observed = d.observed.get("columns", {})
    labels = {"vcpu": _("vCPU"), "memory_gb": _("Memory (GB)"), "disk_gb": _("Disk (GB)")}
    return [
        (labels[f], expected.get(f, "—"), observed.get(f, "—"), f in d.fields)
        for f in SPEC_FIELDS
        if f in expected or f in observed
    ]


def _detail(request, d, forms=None):
    forms = forms or {}
    actions = services.available_actions(request.user, d)
    return render(
        request,
        "reconciliation/discrepancy_detail.html",
        {
            "d": d,
            "comparison": _comparison(d),
            "timeline": list(selectors.timeline_of(d)),
            "incident": incident_selectors.incident_from_source(user=request.user, source_key=f"reconciliation:{d.pk}"),
            "actions": actions,
            "adopt_form": forms.get(A.ADOPT)
            or (AdoptForm(kind=d.observed.get("kind", "")) if A.ADOPT in actions else None),
            "incident_form": forms.get(A.OPEN_INCIDENT) or NoteForm(prefix="incident"),
            "deletion_form": forms.get(A.REQUEST_DELETION) or NoteForm(prefix="deletion"),
            "dismiss_form": forms.get(A.DISMISS) or DismissForm(prefix="dismiss"),
        },
    )


@login_required
def discrepancy_detail(request, pk: int):
    require_role(request.user, PAGE_VIEWERS)
    return _detail(request, selectors.discrepancy_get(user=request.user, pk=pk))


# URL action → (service, form class, form prefix)
ACTIONS = {
    "adopt": A.ADOPT,
    "open-incident": A.OPEN_INCIDENT,
    "request-deletion": A.REQUEST_DELETION,
    "confirm-deletion": A.CONFIRM_DELETION,
    "dismiss": A.DISMISS,
}


@login_required
@require_POST
def discrepancy_action(request, pk: int, action: str):
    require_role(request.user, PAGE_VIEWERS)
    d = selectors.discrepancy_get(user=request.user, pk=pk)
    if action not in ACTIONS:
        raise Http404
    name = ACTIONS[action]
    form = None
    try:
        if name == A.ADOPT:
            form = AdoptForm(request.POST, kind=d.observed.get("kind", ""))
            if form.is_valid():
                resource = services.discrepancy_adopt(actor=request.user, discrepancy=d, **form.cleaned_data)
                messages.success(request, _("Adopted into the ledger as %(code)s.") % {"code": resource.code})
                return redirect("reconciliation:discrepancy_detail", pk=d.pk)
        elif name == A.CONFIRM_DELETION:
            services.discrepancy_confirm_deletion(actor=request.user, discrepancy=d)
            messages.success(request, _("Deletion confirmed; it is scheduled."))
            return redirect("reconciliation:discrepancy_detail", pk=d.pk)
        elif name == A.DISMISS:
            form = DismissForm(request.POST, prefix="dismiss")
            if form.is_valid():
                services.discrepancy_dismiss(actor=request.user, discrepancy=d, reason=form.cleaned_data["reason"])
                messages.success(request, _("Dismissed."))
                return redirect("reconciliation:discrepancy_detail", pk=d.pk)
        else:
            prefix = "incident" if name == A.OPEN_INCIDENT else "deletion"
            form = NoteForm(request.POST, prefix=prefix)
            if form.is_valid():
                call = (
                    services.discrepancy_open_incident
                    if name == A.OPEN_INCIDENT
                    else services.discrepancy_request_deletion
                )
                call(actor=request.user, discrepancy=d, note=form.cleaned_data["note"])
                messages.success(request, A(name).label)
                return redirect("reconciliation:discrepancy_detail", pk=d.pk)
    except ValidationError as exc:
        if form is None:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("reconciliation:discrepancy_detail", pk=d.pk)
        form_errors_from(exc, form)
    return _detail(request, d, {name: form})
