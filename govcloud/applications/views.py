"""Pages of the application workflow: the department's applications (list, the multi-item form with
HTMX rows and a live estimate, the detail page with its timeline), the center's inbox, and the step
and approval forms. Views parse and render; the rules are in services, the reads in selectors."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from govcloud.applications import selectors, services
from govcloud.applications.documents.content import application_content, form_queryset
from govcloud.applications.filters import ApplicationFilter
from govcloud.applications.forms import (
    ApplicationForm,
    ApproveForm,
    AttachmentForm,
    ItemRowForm,
    StepForm,
    row_indices,
)
from govcloud.applications.gates import go_live_verdict
from govcloud.applications.models import (
    STEP_LABELS,
    Application,
    ApplicationAction,
    ApplicationAttachment,
    ApplicationKind,
    ApplicationState,
)
from govcloud.applications.services.common import CENTER, DRAFTERS
from govcloud.applications.services.workflow import COMMENT_STEPS, REASON_STEPS
from govcloud.core.forms import form_errors_from
from govcloud.core.paging import rows_page
from govcloud.core.permissions import has_any_role, require_role
from govcloud.core.roles import DEPARTMENT_ROLES, Role
from govcloud.core.scoping import Action
from govcloud.delivery.specfields import spec_text
from govcloud.systems.selectors import may_see_contacts

A = ApplicationAction


def _kind(value) -> str:
    return value if value in ApplicationKind.values else ApplicationKind.NEW


# --- Lists ---------------------------------------------------------------------------------------


@login_required
def application_list(request):
    filterset = ApplicationFilter(
        request.GET or None, queryset=selectors.for_rows(selectors.applications_for(user=request.user))
    )
    return render(
        request,
        "applications/application_list.html",
        {
            "filter": filterset,
            "page": rows_page(request, filterset.qs),
            "can_create": has_any_role(request.user, DRAFTERS),
            "kinds": ApplicationKind.choices,
        },
    )


@login_required
def inbox(request):
    """The center's inbox: what awaits acceptance or a decision, least time left first."""
    require_role(request.user, CENTER)
    tab = request.GET.get("tab", selectors.InboxTab.ALL)
    return render(
        request,
        "applications/inbox.html",
        {
            "page": rows_page(request, selectors.for_rows(selectors.inbox_for(user=request.user, tab=tab))),
            "tab": tab,
            "counts": selectors.inbox_counts(user=request.user),
        },
    )


# --- The form ------------------------------------------------------------------------------------


def _row_context(request, kind: str):
    catalog = list(selectors.catalog_items()) if kind == ApplicationKind.NEW else []
    resources = list(selectors.resources_for_change(user=request.user)) if kind != ApplicationKind.NEW else []
    return catalog, resources


def _rows_from_post(request, kind, catalog, resources, system, application=None) -> list[ItemRowForm]:
    return [
        ItemRowForm(
            request.POST,
            kind=kind,
            index=index,
            catalog=catalog,
            resources=resources,
            system=system,
            application=application,
        )
        for index in row_indices(request.POST)
    ]


def _rows_from_application(application, kind, catalog, resources) -> list[ItemRowForm]:
    rows = []
    if application is not None:
        # The resources of a change already in the application stay choosable.
        resources = resources + [
            i.target_resource
            for i in application.items.all()
            if i.target_resource_id and i.target_resource not in resources
        ]
    for index, item in enumerate(application.items.all() if application else []):
        initial = {"quantity": item.quantity, "needed_until": item.needed_until}
        if kind == ApplicationKind.NEW:
            initial["catalog_item"] = item.catalog_item_id
        else:
            initial["target_resource"] = item.target_resource_id
        initial.update({f"spec_{k}": v for k, v in item.spec.items()})
        rows.append(
            ItemRowForm(
                initial=initial, kind=kind, index=index, catalog=catalog, resources=resources, application=application
            )
        )
    if not rows:
        rows.append(ItemRowForm(kind=kind, index=0, catalog=catalog, resources=resources))
    return rows


def _application_form(request, application: Application | None = None):
    require_role(request.user, DRAFTERS)
    kind = application.kind if application else _kind(request.GET.get("kind") or request.POST.get("kind"))
    systems = selectors.systems_for_applications(user=request.user)
    catalog, resources = _row_context(request, kind)
    if application is not None and kind != ApplicationKind.NEW:
        # Its own resources are "in an application in progress": this one, so still choosable.
        own = [
            i.target_resource
            for i in application.items.select_related(
                "target_resource", "target_resource__catalog_item", "target_resource__system"
            )
            if i.target_resource_id
        ]
        resources = resources + [r for r in own if r not in resources]
    if application is not None:
        initial = {
            "system": application.system_id,
            "environment": application.environment,
            "purpose": application.purpose,
            "requested_date": application.requested_date,
            "contact_name": application.contact_name,
            "contact_phone": application.contact_phone,
            "quota_justification": application.quota_justification,
            "requested_ports": application.requested_ports,
            "termination_mode": application.termination_mode,
            "termination_date": application.termination_date,
        }
    else:
        user = request.user
        initial = {
            "contact_name": user.full_name,
            "contact_phone": getattr(user, "phone", ""),
            "environment": "production",
        }
        if request.GET.get("system"):
            initial["system"] = request.GET["system"]
        if request.GET.get("resource") and kind != ApplicationKind.NEW:
            initial["resource"] = request.GET["resource"]
    data = request.POST if request.method == "POST" else None
    form = ApplicationForm(data, initial=initial, kind=kind, systems=systems)
    if request.method == "POST":
        header_ok = form.is_valid()
        system = form.cleaned_data.get("system") if header_ok else None
        rows = _rows_from_post(request, kind, catalog, resources, system, application)
        checked = [row.is_valid() for row in rows]  # every row, so each shows its errors
        rows_ok = all(checked) and bool(rows)
        if not rows:
            form.add_error(None, _("Add at least one item."))
        if header_ok and rows_ok:
            items = [row.to_input() for row in rows]
            try:
                if application is None:
                    application = services.application_create(
                        actor=request.user, kind=kind, items=items, **form.service_kwargs()
                    )
                else:
                    application = services.application_update(
                        actor=request.user, application=application, items=items, **form.service_kwargs()
                    )
            except ValidationError as exc:
                if hasattr(exc, "error_dict") and "items" in exc.error_dict:
                    form.add_error(None, exc.error_dict.pop("items"))
                    exc = ValidationError(exc.error_dict) if exc.error_dict else None
                if exc is not None:
                    form_errors_from(exc, form)
            else:
                messages.success(
                    request,
                    _("Application %(number)s is saved as a draft: submit it for the department head's sign-off.")
                    % {"number": application.number},
                )
                return redirect("applications:application_detail", pk=application.pk)
        status = 400
    else:
        rows = _rows_from_application(application, kind, catalog, resources)
        if application is None and initial.get("resource"):
            rows = [
                ItemRowForm(
                    initial={"target_resource": initial["resource"]},
                    kind=kind,
                    index=0,
                    catalog=catalog,
                    resources=resources,
                )
            ]
        status = 200
    return render(
        request,
        "applications/application_form.html",
        {
            "form": form,
            "rows": rows,
            "kind": kind,
            "kind_label": ApplicationKind(kind).label,
            "kinds": ApplicationKind.choices,
            "application": application,
            "next_index": (max(r.index for r in rows) + 1) if rows else 0,
            "has_systems": systems.exists(),
        },
        status=status,
    )


@login_required
def application_create(request):
    return _application_form(request)


@login_required
def application_edit(request, pk: int):
    application = selectors.application_get(user=request.user, pk=pk, action=Action.CHANGE)
    require_role(request.user, DRAFTERS)
    if not application.is_editable:
        messages.error(request, _("The application can no longer be edited."))
        return redirect("applications:application_detail", pk=application.pk)
    return _application_form(request, application)


@login_required
@require_GET
def item_row(request):
    """One item row (HTMX): a new row, or a row re-rendered for the item or resource just chosen,
    keeping the values typed where the fields match."""
    require_role(request.user, DRAFTERS)
    kind = _kind(request.GET.get("kind"))
    try:
        index = max(0, min(int(request.GET.get("index", 0)), 999))
    except ValueError:
        index = 0
    catalog, resources = _row_context(request, kind)
    prefix = f"items-{index}-"
    initial = {key[len(prefix) :]: value for key, value in request.GET.items() if key.startswith(prefix)}
    row = ItemRowForm(initial=initial, kind=kind, index=index, catalog=catalog, resources=resources)
    response = render(
        request,
        "applications/_item_row.html",
        {"row": row, "kind": kind, "append": "append" in request.GET, "next_index": index + 1},
    )
    response["HX-Trigger"] = "rowsChanged"
    return response


@login_required
@require_POST
def estimate(request):
    """The live estimate (HTMX): each complete row priced at the price list in force, the total, and
    the quota limits it would exceed."""
    require_role(request.user, DRAFTERS)
    kind = _kind(request.POST.get("kind"))
    catalog, resources = _row_context(request, kind)
    system = selectors.systems_for_applications(user=request.user).filter(pk=request.POST.get("system") or 0).first()
    # When an application is being edited, its own resources are not "in another application".
    editing = (
        Application.objects.restrict(request.user, Action.CHANGE)
        .filter(pk=request.POST.get("application") or 0)
        .first()
        if str(request.POST.get("application", "")).isdigit()
        else None
    )
    if editing is not None:
        resources = resources + [
            i.target_resource for i in editing.items.select_related("target_resource") if i.target_resource_id
        ]
    lines, valid = [], []
    for number, index in enumerate(row_indices(request.POST), start=1):
        row = ItemRowForm(
            request.POST,
            kind=kind,
            index=index,
            catalog=catalog,
            resources=resources,
            system=system,
            application=editing,
        )
        ok = row.is_valid() and row.values is not None
        if ok:
            valid.append(row.values)
        label = row.chosen_item.name if row.chosen_item else _("Item %(n)d") % {"n": number}
        lines.append({"number": number, "label": label, "values": row.values if ok else None})
    amounts, total = services.estimate(kind, valid)
    # A change shows what it costs more or less ("¥940 → ¥1,280（+¥340/月）"), a termination what
    # it saves: each against the resource's cost now.
    befores = services.current_costs(valid) if kind != ApplicationKind.NEW else [None] * len(valid)
    for line, amount, before in zip([line for line in lines if line["values"]], amounts, befores, strict=True):
        line["amount"] = amount
        line["before"] = before
        line["delta"] = amount - before if before is not None else None
    before_total = sum((b for b in befores if b is not None), Decimal(0)) if kind != ApplicationKind.NEW else None
    organization = system.organization if system else request.user.organization
    quota = services.quota_messages(organization, services.additional_units(kind, valid)) if valid else []
    return render(
        request,
        "applications/_estimate.html",
        {
            "lines": lines,
            "total": total,
            "before_total": before_total,
            "delta_total": total - before_total if before_total is not None else None,
            "quota": quota,
            "kind": kind,
            "incomplete": len(valid) < len(lines),
        },
    )


# --- The application's page ---------------------------------------------------------------------


def _timeline(application: Application) -> list[dict]:
    """Every step with the time it took since the one before."""
    rows, previous = [], None
    for event in application.events.all():
        try:
            label = ApplicationAction(event.action).label
        except ValueError:
            label = event.action
        rows.append({"event": event, "label": label, "took": (event.at - previous) if previous else None})
        previous = event.at
    return rows


def _optional_url(name: str, **kwargs) -> str:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


def _detail_context(request, application: Application, **forms):
    options = services.step_options(application, request.user)
    actions = [option.name for option in options]
    items = list(application.items.all())
    for item in items:
        item.spec_display = spec_text(item.spec, item.catalog_item)
        item.approved_display = spec_text(item.approved_spec, item.catalog_item) if item.approved_spec else ""
        item.current_display = spec_text(item.current_spec, item.catalog_item) if item.current_spec else ""
        item.reduced = item.approved_quantity is not None and (
            item.approved_quantity != item.quantity or item.approved_spec != item.spec
        )
    show_gate = application.kind == ApplicationKind.NEW and application.state in (
        ApplicationState.ACCEPTED,
        ApplicationState.IN_DELIVERY,
        ApplicationState.DELIVERED,
        ApplicationState.TEST_FAILED,
    )
    # What the printed form says about the system, the department and the later steps (Art. 9-11, 16).
    official = application_content(form_queryset().get(pk=application.pk), reveal_phone=may_see_contacts(request.user))
    resources = list(application.created_resources.all())
    for resource in resources:
        resource.link = _optional_url("ledger:resource_detail", pk=resource.pk)
    context = {
        "application": application,
        "official": official,
        "official_boxes": [official.handling, official.test_acceptance],
        "items": items,
        "actions": set(actions),
        "text_actions": [o for o in options if o.name in COMMENT_STEPS or o.name in REASON_STEPS],
        "waiting_on": services.waiting_on(application),
        "approve_blocked": next((o.blocked for o in options if o.name == A.APPROVE), ""),
        "reason_actions": set(REASON_STEPS),
        "timeline": _timeline(application),
        # The department rates the delivery once it is in service (Art. 6; the assessment app's form).
        "rating_url": _optional_url("assessment:delivery_rating", application_id=application.pk)
        if application.in_service_at and has_any_role(request.user, DEPARTMENT_ROLES)
        else None,
        "work_orders": list(application.work_orders.all()),
        "resources": resources,
        "attachments": list(application.attachments.all()),
        "verdict": go_live_verdict(application) if show_gate else None,
        "can_edit": application.is_editable and A.SUBMIT in actions,
        "can_attach": application.state in services.drafts.ATTACHABLE_STATES
        and has_any_role(request.user, DRAFTERS)
        and Application.objects.restrict(request.user, Action.CHANGE).filter(pk=application.pk).exists(),
        "step_form": StepForm(),
        "attachment_form": AttachmentForm(),
        "links": {
            "system": _optional_url("systems:system_detail", pk=application.system_id),
            "filings": _optional_url("security:filing_list"),
            "ports": _optional_url("security:port_request_list"),
        },
        "now": timezone.now(),
    }
    if A.APPROVE in actions and "approve_form" not in forms:
        forms["approve_form"] = ApproveForm(application=application)
    context.update(forms)
    return context


@login_required
def application_detail(request, pk: int):
    application = selectors.application_get(user=request.user, pk=pk)
    return render(request, "applications/application_detail.html", _detail_context(request, application))


def _rerender(request, application, exc: ValidationError | None = None, **forms):
    application = selectors.application_get(user=request.user, pk=application.pk)
    context = _detail_context(request, application, **forms)
    if exc is not None:
        context["step_errors"] = [
            m for values in getattr(exc, "message_dict", {"": exc.messages}).values() for m in values
        ]
    return render(request, "applications/application_detail.html", context, status=400)


@login_required
@require_POST
def application_step(request, pk: int, action: str):
    """One step that takes a comment (or required reasons): submit, sign off, accept, return,
    reject, cancel, report defects, accept the delivery, confirm a change."""
    application = selectors.application_get(user=request.user, pk=pk)
    if action not in COMMENT_STEPS and action not in REASON_STEPS:
        raise Http404
    form = StepForm(request.POST)
    form.is_valid()
    try:
        services.run_step(
            actor=request.user, application=application, action=action, text=form.cleaned_data.get("text", "")
        )
    except ValidationError as exc:
        return _rerender(request, application, exc, step_form=form)
    messages.success(request, _("Done: %(action)s.") % {"action": STEP_LABELS[action]})
    return redirect("applications:application_detail", pk=application.pk)


@login_required
@require_POST
def application_approve(request, pk: int):
    application = selectors.application_get(user=request.user, pk=pk)
    require_role(request.user, {Role.CENTER_ADMIN})
    form = ApproveForm(request.POST, application=application)
    if not form.is_valid():
        return _rerender(request, application, approve_form=form)
    try:
        services.application_approve(
            actor=request.user,
            application=application,
            decisions=form.decisions(),
            comment=form.cleaned_data.get("comment", ""),
        )
    except ValidationError as exc:
        return _rerender(request, application, exc, approve_form=form)
    messages.success(request, _("Approved: the provider's work orders are created."))
    return redirect("applications:application_detail", pk=application.pk)


@login_required
@require_POST
def attachment_upload(request, pk: int):
    application = selectors.application_get(user=request.user, pk=pk, action=Action.CHANGE)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _rerender(request, application, attachment_form=form)
    try:
        services.attachment_add(
            actor=request.user,
            application=application,
            upload=form.cleaned_data["file"],
            kind=form.cleaned_data["kind"],
        )
    except ValidationError as exc:
        form_errors_from(exc, form)
        return _rerender(request, application, attachment_form=form)
    messages.success(request, _("The document is attached."))
    return redirect("applications:application_detail", pk=application.pk)


@login_required
def attachment_download(request, pk: int):
    attachment = get_object_or_404(ApplicationAttachment.objects.select_related("application"), pk=pk)
    # Out of scope answers exactly like a missing attachment.
    selectors.application_get(user=request.user, pk=attachment.application_id)
    path = services.attachment_open(actor=request.user, attachment=attachment)
    response = FileResponse(path.open("rb"), as_attachment=True, filename=attachment.original_name)
    response["Content-Type"] = attachment.content_type
    return response
