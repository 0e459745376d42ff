"""Pages for emergency plans and drills, major events and protection plans (Art. 12, 17)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from govcloud.core.actors import actor_roles
from govcloud.core.forms import form_errors_from
from govcloud.core.paging import page_of
from govcloud.core.permissions import has_any_role, require_role
from govcloud.core.roles import CENTER_ROLES
from govcloud.core.scoping import Action
from govcloud.security import services
from govcloud.security.forms import (
    DrillForm,
    FollowUpForm,
    FollowUpStatusForm,
    MajorEventForm,
    PlanForm,
    PlanVersionForm,
    ProtectionPlanForm,
)
from govcloud.security.models import PlanScope
from govcloud.security.models.emergency import MAJOR_EVENT_EDITORS, PROVIDER
from govcloud.security.selectors import emergency as selectors
from govcloud.security.selectors.calendar import protection_occasions
from govcloud.security.services.emergency import DRILL_RECORDERS, PLAN_AUTHORS
from govcloud.security.views.common import error_messages, form_page, page, send_attachment

ANY_PLAN_AUTHOR = PLAN_AUTHORS[PlanScope.CENTER_WIDE] | PLAN_AUTHORS[PlanScope.SYSTEM]
ANY_DRILL_RECORDER = DRILL_RECORDERS[PlanScope.CENTER_WIDE] | DRILL_RECORDERS[PlanScope.SYSTEM]
# Occasions the protection pages show: those started in the last month and those of the next three.
PAST_DAYS, AHEAD_DAYS = 30, 90


# --- Plans ---------------------------------------------------------------------------------------


@login_required
def plan_list(request):
    plans = selectors.plans_for(user=request.user)
    page_obj = page_of(request, plans)
    return page(
        request,
        "security/plan_list.html",
        {
            "page": page_obj,
            "statuses": selectors.drill_status(plans=page_obj.object_list),
            "can_create": has_any_role(request.user, ANY_PLAN_AUTHOR),
        },
        tab="plans",
    )


@login_required
def plan_create(request):
    require_role(request.user, ANY_PLAN_AUTHOR)
    roles = actor_roles(request.user)
    scopes = [scope for scope, who in PLAN_AUTHORS.items() if who & roles]
    form = PlanForm(
        request.POST or None,
        request.FILES or None,
        systems=selectors.plan_systems(user=request.user),
        scopes=scopes,
        initial={"scope": scopes[0], "system": request.GET.get("system")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.emergency_plan_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Plan saved as version 1."))
            return redirect("security:plan_detail", pk=plan.pk)
    return form_page(
        request,
        form,
        tab="plans",
        heading=gettext_lazy("New emergency plan"),
        intro=gettext_lazy(
            "A center-wide plan is the center's (Art. 5); a plan for an important system is written by its "
            "department or by the provider (Art. 12). Later changes are new versions; earlier ones stay."
        ),
        cancel_url=reverse("security:plan_list"),
        multipart=True,
    )


@login_required
def plan_detail(request, pk: int):
    plan = selectors.plan_get(user=request.user, pk=pk)
    annotated = selectors.plans_for(user=request.user).get(pk=plan.pk)
    (status,) = selectors.drill_status(plans=[annotated])
    can_change = (
        has_any_role(request.user, PLAN_AUTHORS[PlanScope(plan.scope)])
        and selectors.plans_for(user=request.user, action=Action.CHANGE).filter(pk=plan.pk).exists()
    )
    return page(
        request,
        "security/plan_detail.html",
        {
            "plan": plan,
            "status": status,
            "versions": selectors.plan_versions(plan=plan),
            "drills": selectors.drills_for(user=request.user).filter(plan_version__plan=plan),
            "can_add_version": can_change,
            "can_drill": has_any_role(request.user, DRILL_RECORDERS[PlanScope(plan.scope)]),
        },
        tab="plans",
    )


@login_required
def plan_version_create(request, pk: int):
    plan = selectors.plan_get(user=request.user, pk=pk, action=Action.CHANGE)
    require_role(request.user, PLAN_AUTHORS[PlanScope(plan.scope)])
    current = plan.current_version
    form = PlanVersionForm(
        request.POST or None, request.FILES or None, initial={"content": current.content if current else ""}
    )
    if request.method == "POST" and form.is_valid():
        try:
            version = services.emergency_plan_add_version(actor=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Version %(n)d now supersedes the earlier ones.") % {"n": version.number})
            return redirect("security:plan_detail", pk=plan.pk)
    return form_page(
        request,
        form,
        tab="plans",
        heading=_("New version of %(title)s") % {"title": plan.title},
        cancel_url=reverse("security:plan_detail", args=[plan.pk]),
        multipart=True,
    )


@login_required
def plan_version_attachment(request, pk: int, number: int):
    plan = selectors.plan_get(user=request.user, pk=pk)
    version = selectors.plan_version_get(user=request.user, plan=plan, number=number)
    return send_attachment(request, version.attachment, plan)


# --- Drills --------------------------------------------------------------------------------------


@login_required
def drill_list(request):
    return page(
        request,
        "security/drill_list.html",
        {
            "page": page_of(request, selectors.drills_for(user=request.user)),
            "can_create": has_any_role(request.user, ANY_DRILL_RECORDER),
        },
        tab="drills",
    )


@login_required
def drill_create(request):
    require_role(request.user, ANY_DRILL_RECORDER)
    versions = selectors.drill_versions(user=request.user)
    initial = {}
    plan_id = request.GET.get("plan")
    if plan_id and plan_id.isdigit():
        current = versions.filter(plan_id=int(plan_id), superseded_at__isnull=True).first()
        initial["plan_version"] = current.pk if current else None
    form = DrillForm(request.POST or None, request.FILES or None, versions=versions, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            drill = services.emergency_drill_record(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Drill recorded."))
            return redirect("security:drill_detail", pk=drill.pk)
    return form_page(
        request,
        form,
        tab="drills",
        heading=gettext_lazy("Record an emergency drill"),
        intro=gettext_lazy("Art. 17: every emergency plan is drilled at least once a year."),
        cancel_url=reverse("security:drill_list"),
        multipart=True,
    )


@login_required
def drill_detail(request, pk: int):
    drill = selectors.drill_get(user=request.user, pk=pk)
    can_follow_up = (
        has_any_role(request.user, DRILL_RECORDERS[PlanScope(drill.plan_version.plan.scope)])
        and selectors.drills_for(user=request.user, action=Action.CHANGE).filter(pk=drill.pk).exists()
    )
    return page(
        request,
        "security/drill_detail.html",
        {
            "drill": drill,
            "follow_ups": selectors.drill_follow_ups(drill=drill),
            "can_follow_up": can_follow_up,
            "follow_up_form": FollowUpForm(),
            "status_form": FollowUpStatusForm(),
        },
        tab="drills",
    )


@login_required
@require_POST
def follow_up_add(request, pk: int):
    drill = selectors.drill_get(user=request.user, pk=pk, action=Action.CHANGE)
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the item, its owner and a due date."))
        return redirect("security:drill_detail", pk=drill.pk)
    try:
        services.drill_follow_up_add(actor=request.user, drill=drill, **form.cleaned_data)
    except ValidationError as exc:
        error_messages(request, exc)
    else:
        messages.success(request, _("Follow-up item added."))
    return redirect("security:drill_detail", pk=drill.pk)


@login_required
@require_POST
def follow_up_update(request, pk: int):
    item = selectors.follow_up_get(user=request.user, pk=pk, action=Action.CHANGE)
    form = FollowUpStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status."))
        return redirect("security:drill_detail", pk=item.drill_id)
    try:
        services.drill_follow_up_update(actor=request.user, follow_up=item, **form.cleaned_data)
    except ValidationError as exc:
        error_messages(request, exc)
    else:
        messages.success(request, _("Follow-up item updated."))
    return redirect("security:drill_detail", pk=item.drill_id)


@login_required
def drill_report(request, pk: int):
    drill = selectors.drill_get(user=request.user, pk=pk)
    return send_attachment(request, drill.report, drill)


# --- Major events ----------------------------------------------------------------------------------


@login_required
def event_list(request):
    can_create = has_any_role(request.user, MAJOR_EVENT_EDITORS)
    form = MajorEventForm(request.POST or None) if can_create else None
    if request.method == "POST":
        require_role(request.user, MAJOR_EVENT_EDITORS)
        if form.is_valid():
            try:
                services.major_event_create(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form_errors_from(exc, form)
            else:
                messages.success(request, _("Event saved. The provider is reminded to file its protection plan."))
                return redirect("security:event_list")
    return page(
        request,
        "security/event_list.html",
        {"page": page_of(request, selectors.events_for(user=request.user)), "form": form, "can_create": can_create},
        tab="events",
    )


@login_required
def event_edit(request, pk: int):
    event = selectors.event_get(user=request.user, pk=pk, action=Action.CHANGE)
    form = MajorEventForm(
        request.POST or None,
        initial={k: getattr(event, k) for k in ("name", "starts_on", "ends_on", "description")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.major_event_update(actor=request.user, event=event, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Saved."))
            return redirect("security:event_list")
    return form_page(
        request,
        form,
        tab="events",
        heading=_("Edit %(name)s") % {"name": event.name},
        cancel_url=reverse("security:event_list"),
    )


@login_required
@require_POST
def event_delete(request, pk: int):
    event = selectors.event_get(user=request.user, pk=pk, action=Action.CHANGE)
    try:
        services.major_event_delete(actor=request.user, event=event)
    except ValidationError as exc:
        error_messages(request, exc)
    else:
        messages.success(request, _("Event deleted."))
    return redirect("security:event_list")


# --- Protection plans ------------------------------------------------------------------------------


@login_required
def protection_list(request):
    require_role(request.user, CENTER_ROLES | PROVIDER)
    today = timezone.localdate()
    occasions = protection_occasions(today - timedelta(days=PAST_DAYS), today + timedelta(days=AHEAD_DAYS))
    return page(
        request,
        "security/protection_list.html",
        {
            "occasions": occasions,
            "page": page_of(request, selectors.protection_plans_for(user=request.user)),
            "can_file": has_any_role(request.user, PROVIDER),
        },
        tab="protection",
    )


@login_required
def protection_file(request):
    require_role(request.user, PROVIDER)
    today = timezone.localdate()
    occasions = protection_occasions(today - timedelta(days=PAST_DAYS), today + timedelta(days=366))
    form = ProtectionPlanForm(
        request.POST or None,
        request.FILES or None,
        occasions=occasions,
        initial={"occasion": request.GET.get("occasion")},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            plan = services.protection_plan_file(actor=request.user, occasion_key=data.pop("occasion"), **data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Protection plan filed."))
            return redirect("security:protection_detail", pk=plan.pk)
    return form_page(
        request,
        form,
        tab="protection",
        heading=gettext_lazy("File a protection plan"),
        intro=gettext_lazy("Art. 12: a protection plan for each statutory holiday and major event."),
        cancel_url=reverse("security:protection_list"),
        multipart=True,
    )


@login_required
def protection_detail(request, pk: int):
    plan = selectors.protection_plan_get(user=request.user, pk=pk)
    return page(
        request,
        "security/protection_detail.html",
        {"plan": plan, "can_file": has_any_role(request.user, PROVIDER)},
        tab="protection",
    )


@login_required
def protection_attachment(request, pk: int):
    plan = selectors.protection_plan_get(user=request.user, pk=pk)
    return send_attachment(request, plan.attachment, plan)
