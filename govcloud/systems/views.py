"""Pages of the registry, the MLPS record, the migration dashboard and the exemption workflow.

Views parse and render; every rule is in services (writes, with their role and scope checks) and
selectors (scoped reads).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from govcloud.core.actors import actor_roles
from govcloud.core.forms import form_errors_from
from govcloud.core.paging import page_of
from govcloud.core.permissions import has_any_role, require_role
from govcloud.core.policy import Policy, policy_value
from govcloud.core.roles import Role
from govcloud.core.scoping import Action
from govcloud.systems import selectors, services
from govcloud.systems.filters import ExemptionFilter, SystemFilter, departments_for
from govcloud.systems.forms import (
    AssessmentForm,
    AssignExpertsForm,
    AttachmentForm,
    ClassifiedSystemForm,
    CommentForm,
    DecisionForm,
    EvidenceForm,
    ExemptionForm,
    FilingForm,
    RectificationCloseForm,
    RectificationForm,
    SystemForm,
    VoteForm,
)
from govcloud.systems.gate import clearance_of
from govcloud.systems.models import (
    REGISTRY_WRITERS,
    AttachmentKind,
    ExemptionAction,
    HostingStatus,
    InformationSystem,
    ResponsibleDuty,
    Vote,
)
from govcloud.systems.services.exports import EXPORTERS


def _can_change(user, system: InformationSystem) -> bool:
    return has_any_role(user, REGISTRY_WRITERS) and (
        InformationSystem.objects.restrict(user, Action.CHANGE).filter(pk=system.pk).exists()
    )


def _form_page(request, *, title, form, system=None, cancel, multipart=False, intro=""):
    return render(
        request,
        "systems/form_page.html",
        {"title": title, "form": form, "system": system, "cancel": cancel, "multipart": multipart, "intro": intro},
    )


# --- The registry ----------------------------------------------------------------------------------


@login_required
def system_list(request):
    today = timezone.localdate()
    filterset = SystemFilter(request.GET or None, queryset=selectors.systems_for(user=request.user), request=request)
    page = page_of(request, filterset.qs)
    for system in page:
        system.clearance = clearance_of(system, today)
        system.migration_overdue = bool(
            system.planned_migration_date
            and system.planned_migration_date < today
            and system.hosting_status in (HostingStatus.OWN_ROOM, HostingStatus.MIGRATING)
        )
    return render(
        request,
        "systems/system_list.html",
        {
            "filter": filterset,
            "page": page,
            "can_create": has_any_role(request.user, REGISTRY_WRITERS),
            "can_export": has_any_role(request.user, EXPORTERS),
            "is_expert": Role.EXPERT in actor_roles(request.user),
        },
    )


def _system_form(request, system=None):
    require_role(request.user, REGISTRY_WRITERS)
    classified = system.classified if system else request.GET.get("classified") == "1"
    organizations = departments_for(request.user)
    if classified:
        initial = {"organization": system.organization, "name": system.name} if system else None
        form = ClassifiedSystemForm(request.POST or None, initial=initial, organizations=organizations)
    else:
        initial = None
        if system is not None:
            initial = {name: getattr(system, name) for name in ("organization", "name", *SystemForm.DETAIL_FIELDS)}
            for person in system.responsible_people.all():
                initial[f"{person.duty}_name"] = person.name
                initial[f"{person.duty}_phone"] = person.phone
        else:
            initial = {"organization": request.user.organization}
        form = SystemForm(
            request.POST or None,
            initial=initial,
            organizations=organizations,
            exempted=bool(system and system.hosting_status == HostingStatus.EXEMPTED),
        )
    if request.method == "POST" and form.is_valid():
        try:
            if system is None:
                system = services.system_create(actor=request.user, classified=classified, **form.service_kwargs())
            else:
                system = services.system_update(actor=request.user, system=system, **form.service_kwargs())
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Saved “%(name)s”.") % {"name": system.name})
            return redirect("systems:system_detail", pk=system.pk)
    return render(request, "systems/system_form.html", {"form": form, "system": system, "classified": classified})


@login_required
def system_create(request):
    return _system_form(request)


@login_required
def system_edit(request, pk: int):
    system = selectors.system_get(user=request.user, pk=pk, action=Action.CHANGE)
    return _system_form(request, system)


@login_required
def system_detail(request, pk: int):
    system = selectors.system_get(user=request.user, pk=pk)
    today = timezone.localdate()
    context = {
        "system": system,
        "clearance": clearance_of(system, today),
        "can_change": _can_change(request.user, system),
        "today": today,
    }
    if not system.classified:
        people = {p.duty: p for p in system.responsible_people.all()}
        context.update(
            {
                "people": [(duty, people.get(duty.value)) for duty in ResponsibleDuty],
                "see_contacts": selectors.may_see_contacts(request.user),
                "filings": selectors.filings_for(user=request.user).filter(system=system),
                "assessments": selectors.assessments_for(user=request.user).filter(system=system),
                "rectifications": selectors.rectifications_for(user=request.user).filter(system=system),
                "exemptions": selectors.exemptions_for(user=request.user).filter(system=system),
                "can_request_exemption": system.hosting_status != HostingStatus.ON_PLATFORM and system.is_active,
            }
        )
    return render(request, "systems/system_detail.html", context)


@login_required
@require_POST
def export(request):
    job = services.systems_export_start(
        actor=request.user, filters=request.GET.dict(), fmt=request.POST.get("format", "xlsx")
    )
    return redirect("web:job_detail", pk=job.pk)


# --- The MLPS record -------------------------------------------------------------------------------


def _changeable_system(request, pk):
    system = selectors.system_get(user=request.user, pk=pk, action=Action.CHANGE)
    require_role(request.user, REGISTRY_WRITERS)
    if system.classified:
        raise Http404
    return system


@login_required
def filing_create(request, pk: int):
    system = _changeable_system(request, pk)
    form = FilingForm(
        request.POST or None, request.FILES or None, initial={"protection_level": system.protection_level}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.filing_record(actor=request.user, system=system, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("The grading filing is recorded."))
            return redirect("systems:system_detail", pk=system.pk)
    return _form_page(
        request,
        title=_("Record the grading filing (定级备案)"),
        form=form,
        system=system,
        cancel=system,
        multipart=True,
    )


@login_required
def assessment_create(request, pk: int):
    system = _changeable_system(request, pk)
    form = AssessmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.assessment_record(actor=request.user, system=system, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("The assessment is recorded."))
            return redirect("systems:system_detail", pk=system.pk)
    intro = _("Recorded at the system's current protection level: %(level)s.") % {
        "level": system.protection_level or "—"
    }
    return _form_page(
        request,
        title=_("Record an MLPS assessment (测评)"),
        form=form,
        system=system,
        cancel=system,
        multipart=True,
        intro=intro,
    )


@login_required
def rectification_create(request, pk: int):
    system = _changeable_system(request, pk)
    assessments = selectors.assessments_for(user=request.user).filter(system=system)
    form = RectificationForm(request.POST or None, assessments=assessments)
    if request.method == "POST" and form.is_valid():
        try:
            services.rectification_create(actor=request.user, system=system, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("The rectification item is recorded."))
            return redirect("systems:system_detail", pk=system.pk)
    return _form_page(request, title=_("New rectification item (整改)"), form=form, system=system, cancel=system)


@login_required
def rectification_edit(request, pk: int):
    item = selectors.rectification_get(user=request.user, pk=pk, action=Action.CHANGE)
    require_role(request.user, REGISTRY_WRITERS)
    assessments = selectors.assessments_for(user=request.user).filter(system=item.system)
    closing = request.method == "POST" and "close" in request.POST
    form = RectificationForm(
        request.POST if request.method == "POST" and not closing else None,
        initial={
            "description": item.description,
            "owner": item.owner,
            "due_on": item.due_on,
            "assessment": item.assessment,
        },
        assessments=assessments,
    )
    close_form = RectificationCloseForm(
        request.POST if closing else None, initial={"closed_on": timezone.localdate()}, prefix="close"
    )
    if closing and close_form.is_valid():
        try:
            services.rectification_close(actor=request.user, rectification=item, **close_form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, close_form)
        else:
            messages.success(request, _("The rectification item is closed."))
            return redirect("systems:system_detail", pk=item.system_id)
    elif request.method == "POST" and not closing and form.is_valid():
        try:
            services.rectification_update(actor=request.user, rectification=item, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Saved."))
            return redirect("systems:system_detail", pk=item.system_id)
    return render(request, "systems/rectification_edit.html", {"item": item, "form": form, "close_form": close_form})


@login_required
def attachment_upload(request, pk: int):
    system = _changeable_system(request, pk)
    filings = list(selectors.filings_for(user=request.user).filter(system=system))
    assessments = list(selectors.assessments_for(user=request.user).filter(system=system))
    form = AttachmentForm(request.POST or None, request.FILES or None, filings=filings, assessments=assessments)
    if request.method == "POST" and form.is_valid():
        kind, _sep, record_id = form.cleaned_data["record"].partition(":")
        target = {"filing": {f.pk: f for f in filings}, "assessment": {a.pk: a for a in assessments}}[kind].get(
            int(record_id)
        )
        try:
            services.attachment_add(
                actor=request.user,
                system=system,
                kind=AttachmentKind.FILING_CERTIFICATE if kind == "filing" else AttachmentKind.ASSESSMENT_REPORT,
                upload=form.cleaned_data["file"],
                **{kind: target},
            )
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("The file is attached."))
            return redirect("systems:system_detail", pk=system.pk)
    return _form_page(
        request, title=_("Attach a certificate or report"), form=form, system=system, cancel=system, multipart=True
    )


@login_required
def attachment_download(request, pk: int):
    attachment = selectors.attachment_get(user=request.user, pk=pk)
    path = services.attachment_open(actor=request.user, attachment=attachment)
    response = FileResponse(path.open("rb"), as_attachment=True, filename=attachment.original_name)
    response["Content-Type"] = attachment.content_type
    return response


# --- Migration (Art. 3) ----------------------------------------------------------------------------


@login_required
def migration_dashboard(request):
    stats = selectors.migration_stats(user=request.user)
    labels = {value: str(label) for value, label in HostingStatus.choices}
    return render(
        request,
        "systems/migration_dashboard.html",
        {
            "stats": stats,
            "chart": selectors.migration_chart(stats, labels),
            "chart_height": max(260, 60 + 34 * len(stats.rows)),
            "today": timezone.localdate(),
        },
    )


# --- Exemptions (Art. 3) ---------------------------------------------------------------------------


@login_required
def exemption_list(request):
    awaiting = request.GET.get("awaiting") == "1"
    base = selectors.exemptions_awaiting(user=request.user) if awaiting else selectors.exemptions_for(user=request.user)
    filterset = ExemptionFilter(request.GET or None, queryset=base, request=request)
    page = page_of(request, filterset.qs)
    return render(
        request,
        "systems/exemption_list.html",
        {"filter": filterset, "page": page, "awaiting": awaiting, "now": timezone.now()},
    )


@login_required
def exemption_create(request, pk: int):
    system = _changeable_system(request, pk)
    form = ExemptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            exemption = services.exemption_create(actor=request.user, system=system, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("The draft is saved: attach the evidence, then submit it to the center."))
            return redirect("systems:exemption_detail", pk=exemption.pk)
    return _form_page(
        request,
        title=_("Request a migration exemption (Art. 3)"),
        form=form,
        system=system,
        cancel=system,
        intro=_(
            "A system that cannot migrate to the platform needs an expert review organized by the e-government "
            "center and the approval of the e-government leading group."
        ),
    )


def _exemption_context(request, exemption, **forms):
    roles = actor_roles(request.user)
    actions = services.allowed_actions(exemption, roles)
    assignments = list(exemption.assignments.all())
    mine = next((a for a in assignments if a.expert_id == request.user.pk), None)
    show_votes = selectors.votes_visible(user=request.user, exemption=exemption)
    can_change = has_any_role(request.user, REGISTRY_WRITERS) and (
        selectors.exemptions_for(user=request.user, action=Action.CHANGE).filter(pk=exemption.pk).exists()
    )
    context = {
        "exemption": exemption,
        "assignments": assignments,
        "show_votes": show_votes,
        "my_assignment": mine,
        "actions": {a.value for a in actions},
        "can_edit_draft": can_change and ExemptionAction.SUBMIT in actions,
        "now": timezone.now(),
        "policy_min": policy_value(Policy.EXPERT_REVIEW_MIN_EXPERTS),
        "comment_form": CommentForm(),
        "evidence_form": EvidenceForm(),
        "assign_form": AssignExpertsForm(experts=selectors.experts_available()),
        "vote_form": VoteForm(),
        "decision_form": DecisionForm(),
    }
    context.update(forms)
    if ExemptionAction.VOTE in actions and (mine is None or mine.vote):
        context["actions"].discard(ExemptionAction.VOTE.value)
    return context


@login_required
def exemption_detail(request, pk: int):
    exemption = selectors.exemption_get(user=request.user, pk=pk)
    return render(request, "systems/exemption_detail.html", _exemption_context(request, exemption))


@login_required
def exemption_edit(request, pk: int):
    exemption = selectors.exemption_get(user=request.user, pk=pk, action=Action.CHANGE)
    require_role(request.user, REGISTRY_WRITERS)
    form = ExemptionForm(request.POST or None, initial={"reasons": exemption.reasons})
    if request.method == "POST" and form.is_valid():
        try:
            services.exemption_update(actor=request.user, exemption=exemption, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Saved."))
            return redirect("systems:exemption_detail", pk=exemption.pk)
    return _form_page(
        request,
        title=_("Edit the exemption request"),
        form=form,
        system=exemption.system,
        cancel=exemption.system,
    )


def _rerender(request, exemption, exc: ValidationError | None = None, **forms):
    """The detail page again, with the bound forms showing what was wrong (400)."""
    exemption = selectors.exemption_get(user=request.user, pk=exemption.pk)
    if exc is not None:
        for form in forms.values():
            form_errors_from(exc, form)
    return render(request, "systems/exemption_detail.html", _exemption_context(request, exemption, **forms), status=400)


@login_required
@require_POST
def exemption_evidence(request, pk: int):
    exemption = selectors.exemption_get(user=request.user, pk=pk, action=Action.CHANGE)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        return _rerender(request, exemption, evidence_form=form)
    try:
        services.attachment_add(
            actor=request.user,
            system=exemption.system,
            kind=AttachmentKind.EXEMPTION_EVIDENCE,
            upload=form.cleaned_data["file"],
            exemption=exemption,
        )
    except ValidationError as exc:
        return _rerender(request, exemption, exc, evidence_form=form)
    messages.success(request, _("The evidence is attached."))
    return redirect("systems:exemption_detail", pk=exemption.pk)


@login_required
@require_POST
def exemption_assign(request, pk: int):
    exemption = selectors.exemption_get(user=request.user, pk=pk)
    require_role(request.user, {Role.CENTER_ADMIN})
    form = AssignExpertsForm(request.POST, experts=selectors.experts_available())
    if not form.is_valid():
        return _rerender(request, exemption, assign_form=form)
    try:
        services.exemption_assign_experts(
            actor=request.user,
            exemption=exemption,
            experts=form.cleaned_data["experts"],
            comment=form.cleaned_data["comment"],
        )
    except ValidationError as exc:
        return _rerender(request, exemption, exc, assign_form=form)
    messages.success(request, _("The experts are assigned and notified."))
    return redirect("systems:exemption_detail", pk=exemption.pk)


@login_required
@require_POST
def exemption_vote(request, pk: int):
    exemption = selectors.exemption_get(user=request.user, pk=pk)
    require_role(request.user, {Role.EXPERT})
    form = VoteForm(request.POST)
    if not form.is_valid():
        return _rerender(request, exemption, vote_form=form)
    try:
        services.exemption_vote(actor=request.user, exemption=exemption, **form.cleaned_data)
    except ValidationError as exc:
        return _rerender(request, exemption, exc, vote_form=form)
    messages.success(request, _("Your vote is recorded."))
    return redirect("systems:exemption_detail", pk=exemption.pk)


@login_required
@require_POST
def exemption_decide(request, pk: int):
    exemption = selectors.exemption_get(user=request.user, pk=pk)
    require_role(request.user, {Role.LEADING_GROUP})
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _rerender(request, exemption, decision_form=form)
    try:
        services.exemption_decide(
            actor=request.user,
            exemption=exemption,
            approve=form.cleaned_data["decision"] == Vote.APPROVE,
            comment=form.cleaned_data["comment"],
        )
    except ValidationError as exc:
        return _rerender(request, exemption, exc, decision_form=form)
    messages.success(request, _("The decision is recorded."))
    return redirect("systems:exemption_detail", pk=exemption.pk)


# Simple transitions with an optional comment; the services check role, scope and state.
SIMPLE_ACTIONS = {
    "submit": services.exemption_submit,
    "withdraw": services.exemption_withdraw,
    "return": services.exemption_return,
    "forward": services.exemption_forward,
}


@login_required
@require_POST
def exemption_act(request, pk: int, action: str):
    exemption = selectors.exemption_get(user=request.user, pk=pk)
    service = SIMPLE_ACTIONS.get(action)
    if service is None:
        raise Http404
    form = CommentForm(request.POST)
    form.is_valid()
    try:
        service(actor=request.user, exemption=exemption, comment=form.cleaned_data.get("comment", ""))
    except ValidationError as exc:
        return _rerender(request, exemption, exc, comment_form=form)
    messages.success(request, _("Done: %(action)s.") % {"action": ExemptionAction(action).label})
    return redirect("systems:exemption_detail", pk=exemption.pk)
