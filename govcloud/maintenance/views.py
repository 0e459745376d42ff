"""Pages for maintenance windows (Art. 12): the list with filters, the upcoming agenda, a window's
detail with its timeline and the moves the user may make, and the provider's form."""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from govcloud.core.forms import form_errors_from
from govcloud.core.paging import page_of
from govcloud.core.permissions import has_any_role, require_role
from govcloud.maintenance import selectors, services
from govcloud.maintenance.filters import MaintenanceWindowFilter
from govcloud.maintenance.forms import DecisionForm, WindowForm
from govcloud.maintenance.models import EDITABLE, PLANNERS, WINDOW_TRANSITIONS, WindowAction
from govcloud.workdays.calendar import SHANGHAI


def allowed(window, action, user) -> bool:
    entry = WINDOW_TRANSITIONS.get((window.state, action))
    return entry is not None and has_any_role(user, entry[1])


@login_required
def window_list(request):
    user = request.user
    filterset = MaintenanceWindowFilter(request.GET or None, queryset=selectors.windows_for(user=user))
    return render(
        request,
        "maintenance/window_list.html",
        {
            "filter": filterset,
            "page": page_of(request, filterset.qs),
            "can_create": has_any_role(user, PLANNERS),
            "counts": selectors.state_counts(user=user),
        },
    )


@login_required
def window_upcoming(request):
    """The coming 60 days as an agenda: one block per day a window starts."""
    windows = list(selectors.upcoming_for(user=request.user))
    days = [
        (day, list(group))
        for day, group in groupby(windows, key=lambda w: timezone.localtime(w.start, SHANGHAI).date())
    ]
    return render(
        request,
        "maintenance/window_upcoming.html",
        {"days": days, "now": timezone.now(), "can_create": has_any_role(request.user, PLANNERS)},
    )


@login_required
def window_detail(request, pk: int):
    user = request.user
    window = selectors.window_get(user=user, pk=pk)
    can = {action.value: allowed(window, action, user) for action in WindowAction}
    can["edit"] = window.state in EDITABLE and has_any_role(user, PLANNERS)
    # Started by hand no earlier than the planned start (the sweep starts it then anyway).
    can["start"] = can["start"] and window.start <= timezone.now()
    return render(
        request,
        "maintenance/window_detail.html",
        {
            "window": window,
            "can": can,
            "resources": selectors.window_resources(user=user, window=window),
            "departments": selectors.window_departments(user=user, window=window),
            "timeline": selectors.window_timeline(window=window),
            "decision_form": DecisionForm(),
        },
    )


def _form_page(request, form, *, heading, cancel_url):
    return render(
        request,
        "maintenance/window_form.html",
        {"form": form, "heading": heading, "cancel_url": cancel_url},
    )


def _save(request, form, save):
    """Resolve the resource numbers, then call the service; errors go onto the form."""
    data = dict(form.cleaned_data)
    resources, missing = selectors.resources_by_codes(user=request.user, codes=data.pop("resource_codes"))
    if missing:
        form.add_error(
            "resource_codes", _("Not in the ledger or terminated: %(codes)s") % {"codes": ", ".join(missing)}
        )
        return None
    try:
        return save(resources=resources, **data)
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and "resources" in exc.error_dict:
            exc.error_dict["resource_codes"] = exc.error_dict.pop("resources")
        form_errors_from(exc, form)
        return None


@login_required
def window_create(request):
    user = request.user
    require_role(user, PLANNERS)
    form = WindowForm(request.POST or None, departments=selectors.department_choices())
    if request.method == "POST" and form.is_valid():
        window = _save(request, form, lambda **data: services.window_create(actor=user, **data))
        if window is not None:
            messages.success(request, _("Window %(number)s drafted.") % {"number": window.number})
            return redirect("maintenance:window_detail", pk=window.pk)
    return _form_page(
        request,
        form,
        heading=gettext_lazy("New maintenance window"),
        cancel_url=reverse("maintenance:window_list"),
    )


@login_required
def window_edit(request, pk: int):
    user = request.user
    window = selectors.window_get(user=user, pk=pk)
    require_role(user, PLANNERS)
    if window.state not in EDITABLE:
        messages.error(
            request,
            _("A window cannot be changed while it is “%(state)s”.") % {"state": window.get_state_display()},
        )
        return redirect("maintenance:window_detail", pk=window.pk)
    initial = {
        "title": window.title,
        "kind": window.kind,
        "start": timezone.localtime(window.start, SHANGHAI),
        "end": timezone.localtime(window.end, SHANGHAI),
        "impact": window.impact,
        "platform_wide": window.platform_wide,
        "resource_codes": "\n".join(window.resources.order_by("code").values_list("code", flat=True)),
        "departments": list(window.affected.filter(whole=True).values_list("organization_id", flat=True)),
    }
    form = WindowForm(request.POST or None, initial=initial, departments=selectors.department_choices())
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, lambda **data: services.window_update(actor=user, window=window, **data))
        if saved is not None:
            messages.success(request, _("Window %(number)s saved.") % {"number": window.number})
            return redirect("maintenance:window_detail", pk=window.pk)
    return _form_page(
        request,
        form,
        heading=_("Change %(number)s") % {"number": window.number},
        cancel_url=reverse("maintenance:window_detail", args=[window.pk]),
    )


@login_required
@require_POST
def window_transition(request, pk: int):
    window = selectors.window_get(user=request.user, pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an action."))
        return redirect("maintenance:window_detail", pk=window.pk)
    try:
        window = services.window_transition(actor=request.user, window=window, **form.cleaned_data)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The window is now “%(state)s”.") % {"state": window.get_state_display()})
    return redirect("maintenance:window_detail", pk=window.pk)
