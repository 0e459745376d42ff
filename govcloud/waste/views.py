"""Waste-control pages: the rightsizing advice (a department its own, the center the city's with the
possible savings) and the terms due soon (即将到期). Thin: selectors read, services act."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from govcloud.core.forms import form_errors_from
from govcloud.core.paging import page_of
from govcloud.core.permissions import has_any_role, require_role
from govcloud.core.policy import Policy, policy_value
from govcloud.core.roles import DEPARTMENT_ROLES
from govcloud.core.scoping import Action
from govcloud.waste import expiry as expiry_services
from govcloud.waste import selectors, services
from govcloud.waste.filters import AdviceFilter, ExpiryFilter
from govcloud.waste.forms import DismissForm, ExtendForm
from govcloud.waste.models import (
    ADVICE_DECIDERS,
    ADVICE_GENERATORS,
    OPEN_EXPIRY_STATES,
    WASTE_VIEWERS,
    AdviceState,
    ExpiryState,
)


def _sees_departments(user) -> bool:
    return has_any_role(user, WASTE_VIEWERS) or not has_any_role(user, DEPARTMENT_ROLES)


def _first_error(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


@login_required
def advice_list(request):
    user = request.user
    data = request.GET.copy()
    if "state" not in data:
        data["state"] = AdviceState.OPEN
    base = selectors.advice_for(user=user)
    filterset = AdviceFilter(data, queryset=base, request=request)
    page = page_of(request, filterset.qs)
    sees = _sees_departments(user)
    return render(
        request,
        "waste/advice_list.html",
        {
            "filter": filterset,
            "page": page,
            "totals": selectors.saving_totals(base),
            "by_department": selectors.saving_by_department(base) if sees else [],
            "sees_departments": sees,
            "can_generate": has_any_role(user, ADVICE_GENERATORS),
            "headroom": policy_value(Policy.RIGHTSIZING_HEADROOM_PERCENT),
            "min_days": policy_value(Policy.RIGHTSIZING_MIN_DAYS),
            "window_days": policy_value(Policy.RIGHTSIZING_WINDOW_DAYS),
        },
    )


@login_required
@require_POST
def advice_generate(request):
    require_role(request.user, ADVICE_GENERATORS)
    organization = None if has_any_role(request.user, WASTE_VIEWERS) else request.user.organization
    result = services.advice_generate(actor=request.user, organization=organization)
    messages.success(
        request,
        _("Advice computed: %(created)d new, %(superseded)d replaced, %(little)d resources with too little data.")
        % {"created": len(result.created), "superseded": result.superseded, "little": result.skipped_little_data},
    )
    return redirect("waste:advice_list")


@login_required
def advice_detail(request, pk: int):
    advice = selectors.advice_get(user=request.user, pk=pk)
    can_decide = advice.state == AdviceState.OPEN and has_any_role(request.user, ADVICE_DECIDERS)
    return render(
        request,
        "waste/advice_detail.html",
        {
            "advice": advice,
            "chart": selectors.advice_chart(advice),
            "can_decide": can_decide,
            "dismiss_form": DismissForm(),
        },
    )


@login_required
@require_POST
def advice_accept(request, pk: int):
    require_role(request.user, ADVICE_DECIDERS)
    advice = selectors.advice_get(user=request.user, pk=pk, action=Action.CHANGE)
    try:
        application = services.advice_accept(actor=request.user, advice=advice)
    except ValidationError as exc:
        messages.error(request, _first_error(exc))
        return redirect("waste:advice_detail", pk=advice.pk)
    messages.success(
        request,
        _("Change application %(number)s drafted with the recommended size: check it and submit it.")
        % {"number": application.number},
    )
    return redirect("applications:application_edit", pk=application.pk)


@login_required
@require_POST
def advice_dismiss(request, pk: int):
    require_role(request.user, ADVICE_DECIDERS)
    advice = selectors.advice_get(user=request.user, pk=pk, action=Action.CHANGE)
    form = DismissForm(request.POST)
    if form.is_valid():
        try:
            services.advice_dismiss(actor=request.user, advice=advice, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Advice dismissed."))
            return redirect("waste:advice_detail", pk=advice.pk)
    return render(
        request,
        "waste/advice_detail.html",
        {"advice": advice, "chart": selectors.advice_chart(advice), "can_decide": True, "dismiss_form": form},
        status=400,
    )


# --- Terms due soon ---------------------------------------------------------------------------------


@login_required
def expiry_list(request):
    user = request.user
    filterset = ExpiryFilter(request.GET or None, queryset=selectors.expiries_for(user=user), request=request)
    queryset = filterset.qs
    if not request.GET.get("state"):
        queryset = queryset.filter(state__in=OPEN_EXPIRY_STATES)
    page = page_of(request, queryset)
    return render(
        request,
        "waste/expiry_list.html",
        {
            "filter": filterset,
            "page": page,
            "sees_departments": _sees_departments(user),
            "first_warning": policy_value(Policy.EXPIRY_FIRST_WARNING_DAYS),
            "grace_days": policy_value(Policy.EXPIRY_GRACE_DAYS),
        },
    )


@login_required
def expiry_detail(request, pk: int):
    expiry = selectors.expiry_get(user=request.user, pk=pk)
    can_act = expiry.is_open and has_any_role(request.user, ADVICE_DECIDERS)
    return render(
        request,
        "waste/expiry_detail.html",
        {
            "expiry": expiry,
            "can_act": can_act,
            "can_confirm": can_act and expiry.state in (ExpiryState.DUE, ExpiryState.ESCALATED),
            "extend_form": ExtendForm(),
        },
    )


@login_required
@require_POST
def expiry_confirm(request, pk: int):
    require_role(request.user, ADVICE_DECIDERS)
    expiry = selectors.expiry_get(user=request.user, pk=pk, action=Action.CHANGE)
    try:
        application = expiry_services.expiry_confirm(actor=request.user, expiry=expiry)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _first_error(exc) if isinstance(exc, ValidationError) else str(exc))
        return redirect("waste:expiry_detail", pk=expiry.pk)
    messages.success(request, _("Termination %(number)s submitted for sign-off.") % {"number": application.number})
    return redirect("applications:application_detail", pk=application.pk)


@login_required
def expiry_extend(request, pk: int):
    require_role(request.user, ADVICE_DECIDERS)
    expiry = selectors.expiry_get(user=request.user, pk=pk, action=Action.CHANGE)
    form = ExtendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            application = expiry_services.expiry_extend(actor=request.user, expiry=expiry, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(
                request, _("Change application %(number)s drafted to extend the term.") % {"number": application.number}
            )
            return redirect("applications:application_edit", pk=application.pk)
    return render(request, "waste/expiry_extend.html", {"expiry": expiry, "form": form})
