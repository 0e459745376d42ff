"""The provider's pages: the work queue (overdue first) and each work order, where the operator
claims it, records progress and completes it with what was delivered. Rules live in services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from govcloud.core.forms import form_errors_from
from govcloud.core.paging import rows_page
from govcloud.core.permissions import has_any_role
from govcloud.core.roles import Role
from govcloud.delivery import evidence as evidence_services
from govcloud.delivery import provisioning, selectors, services
from govcloud.delivery.drivers import is_automatic
from govcloud.delivery.forms import CompletionForm, EvidenceDecisionForm, EvidenceForm, NoteForm
from govcloud.delivery.models import EvidenceState, WorkOrderKind, WorkOrderState
from govcloud.delivery.selectors import Queue
from govcloud.delivery.specfields import spec_text

QUEUES = [
    (Queue.OPEN, _("Open")),
    (Queue.MINE, _("Claimed by me")),
    (Queue.DONE, _("Completed")),
    (Queue.ALL, _("All")),
]


@login_required
def work_order_list(request):
    is_operator = has_any_role(request.user, {Role.PROVIDER_OPERATOR})
    queue = request.GET.get("queue") or (Queue.OPEN if is_operator else Queue.ALL)
    if queue not in dict(QUEUES):
        queue = Queue.ALL
    orders = selectors.for_rows(selectors.work_orders_for(user=request.user, queue=queue))
    page = rows_page(request, orders)
    return render(
        request,
        "delivery/work_order_list.html",
        {"page": page, "queue": queue, "queues": [(k, str(v)) for k, v in QUEUES], "is_operator": is_operator},
    )


def _context(request, order, **forms):
    is_operator = has_any_role(request.user, {Role.PROVIDER_OPERATOR})
    mine = order.state == WorkOrderState.CLAIMED and order.claimed_by_id == request.user.pk
    context = {
        "order": order,
        "application": order.application,
        "item": order.item,
        "approved_spec": spec_text(order.item.approved_spec, order.item.catalog_item),
        "current_spec": spec_text(
            order.item.target_resource.spec if order.item.target_resource_id else None, order.item.catalog_item
        ),
        "notes": list(order.notes.all()),
        # A failed automatic order can also be taken over and finished by hand.
        "can_claim": is_operator and (order.is_open or order.state == WorkOrderState.FAILED) and not mine,
        "can_note": is_operator and order.state != WorkOrderState.CANCELLED,
        "can_complete": is_operator and mine,
        "can_retry": order.state == WorkOrderState.FAILED
        and is_automatic(order.driver)
        and has_any_role(request.user, provisioning.RETRIERS),
        "note_form": NoteForm(),
    }
    # A termination is done on the day the department asked for, not before: the page says when and
    # offers no button that would only be refused.
    day = order.application.termination_date if order.kind == WorkOrderKind.TERMINATE else None
    context["terminate_on"] = day
    context["too_early"] = bool(day and timezone.localdate() < day)
    if order.kind == WorkOrderKind.TERMINATE:
        # Art. 18: a termination completes on the department's confirmation of the evidence, so the
        # operator submits the evidence instead of completing, and the department confirms it.
        evidence = getattr(order, "evidence", None)
        context["evidence"] = evidence
        context["can_submit_evidence"] = context["can_complete"] and (
            evidence is None or evidence.state == EvidenceState.REJECTED
        )
        context["can_decide_evidence"] = (
            evidence is not None
            and evidence.state == EvidenceState.SUBMITTED
            and has_any_role(request.user, evidence_services.CONFIRMERS)
        )
        context["can_complete"] = False
        if context["can_submit_evidence"] and "evidence_form" not in forms:
            forms["evidence_form"] = EvidenceForm(destruction=evidence_services.is_destruction(order))
        if context["can_decide_evidence"] and "decision_form" not in forms:
            forms["decision_form"] = EvidenceDecisionForm()
    if context["can_complete"] and "completion_form" not in forms:
        forms["completion_form"] = CompletionForm(work_order=order)
    context.update(forms)
    return context


@login_required
def work_order_detail(request, pk: int):
    order = selectors.work_order_get(user=request.user, pk=pk)
    return render(request, "delivery/work_order_detail.html", _context(request, order))


def _rerender(request, order, **forms):
    order = selectors.work_order_get(user=request.user, pk=order.pk)
    return render(request, "delivery/work_order_detail.html", _context(request, order, **forms), status=400)


@login_required
@require_POST
def work_order_claim(request, pk: int):
    order = selectors.work_order_get(user=request.user, pk=pk)
    try:
        services.work_order_claim(actor=request.user, work_order=order)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The work order is yours: record progress and complete it when done."))
    return redirect("delivery:work_order_detail", pk=order.pk)


@login_required
@require_POST
def work_order_note(request, pk: int):
    order = selectors.work_order_get(user=request.user, pk=pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _rerender(request, order, note_form=form)
    try:
        services.work_order_note(actor=request.user, work_order=order, text=form.cleaned_data["text"])
    except ValidationError as exc:
        form_errors_from(exc, form)
        return _rerender(request, order, note_form=form)
    messages.success(request, _("The note is recorded."))
    return redirect("delivery:work_order_detail", pk=order.pk)


@login_required
@require_POST
def work_order_complete(request, pk: int):
    order = selectors.work_order_get(user=request.user, pk=pk)
    form = CompletionForm(request.POST, work_order=order)
    if not form.is_valid():
        return _rerender(request, order, completion_form=form)
    try:
        services.work_order_complete(
            actor=request.user,
            work_order=order,
            delivered=form.entries(),
            note=form.cleaned_data.get("note", ""),
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and "delivered" in exc.error_dict:
            form.add_error(None, exc.error_dict.pop("delivered"))
            if exc.error_dict:
                form_errors_from(ValidationError(exc.error_dict), form)
        else:
            form_errors_from(exc, form)
        return _rerender(request, order, completion_form=form)
    messages.success(request, _("The work order is completed and the ledger updated."))
    return redirect("delivery:work_order_detail", pk=order.pk)


@login_required
@require_POST
def work_order_retry(request, pk: int):
    order = selectors.work_order_get(user=request.user, pk=pk)
    try:
        provisioning.work_order_retry(actor=request.user, work_order=order)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The work order is queued again: the platform retries it."))
    return redirect("delivery:work_order_detail", pk=order.pk)


# --- Art. 18: the evidence of a termination and the department's confirmation --------------------


@login_required
@require_POST
def evidence_submit(request, pk: int):
    order = selectors.work_order_get(user=request.user, pk=pk)
    form = EvidenceForm(request.POST, request.FILES, destruction=evidence_services.is_destruction(order))
    if not form.is_valid():
        return _rerender(request, order, evidence_form=form)
    try:
        evidence_services.termination_evidence_submit(
            actor=request.user,
            work_order=order,
            statement=form.cleaned_data["statement"],
            upload=form.cleaned_data.get("document"),
        )
    except ValidationError as exc:
        form_errors_from(exc, form)
        return _rerender(request, order, evidence_form=form)
    messages.success(request, _("The evidence is with the department: the order completes on its confirmation."))
    return redirect("delivery:work_order_detail", pk=order.pk)


def _evidence_decide(request, pk: int, decide, success: str):
    """The department's decision on the evidence: confirm and reject differ only in the service
    they call and the message they leave."""
    order = selectors.work_order_get(user=request.user, pk=pk)
    form = EvidenceDecisionForm(request.POST)
    if not form.is_valid():
        return _rerender(request, order, decision_form=form)
    try:
        decide(actor=request.user, work_order=order, comment=form.cleaned_data.get("comment", ""))
    except ValidationError as exc:
        form_errors_from(exc, form)
        return _rerender(request, order, decision_form=form)
    messages.success(request, success)
    return redirect("delivery:work_order_detail", pk=order.pk)


@login_required
@require_POST
def evidence_confirm(request, pk: int):
    return _evidence_decide(
        request,
        pk,
        evidence_services.termination_evidence_confirm,
        _("Confirmed: the work order is completed and the resource's service has ended."),
    )


@login_required
@require_POST
def evidence_reject(request, pk: int):
    return _evidence_decide(
        request,
        pk,
        evidence_services.termination_evidence_reject,
        _("The provider is told what is wrong and submits again."),
    )


@login_required
def evidence_file(request, pk: int):
    order = selectors.work_order_get(user=request.user, pk=pk)
    evidence, path = evidence_services.termination_evidence_open(actor=request.user, work_order=order)
    response = FileResponse(path.open("rb"), as_attachment=True, filename=evidence.original_name)
    response["Content-Type"] = evidence.content_type
    return response
