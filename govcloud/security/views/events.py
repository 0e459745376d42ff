"""Pages for security events and their monthly statistics (Art. 17)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govcloud.core.forms import form_errors_from
from govcloud.core.paging import page_of
from govcloud.core.permissions import has_any_role, require_role
from govcloud.core.scoping import Action
from govcloud.security import services
from govcloud.security.filters import SecurityEventFilter
from govcloud.security.forms import MonthForm, SecurityEventForm
from govcloud.security.models import EVENT_RECORDERS
from govcloud.security.selectors import events as selectors
from govcloud.security.selectors.calendar import month_start
from govcloud.security.selectors.notices import notice_organizations, notice_systems
from govcloud.security.views.common import form_page, page


@login_required
def security_event_list(request):
    user = request.user
    filterset = SecurityEventFilter(request.GET or None, queryset=selectors.security_events_for(user=user))
    return page(
        request,
        "security/security_event_list.html",
        {
            "filter": filterset,
            "page": page_of(request, filterset.qs),
            "can_record": has_any_role(user, EVENT_RECORDERS),
        },
        tab="security_events",
    )


@login_required
def security_event_stats(request):
    user = request.user
    form = MonthForm(request.GET or None)
    month = month_start(timezone.localdate())
    if form.is_valid() and form.cleaned_data.get("month"):
        month = form.cleaned_data["month"]
    stats = selectors.security_event_statistics(user=user, month=month)
    axis, series = selectors.security_event_trend(user=user, month=month)
    return page(
        request,
        "security/security_event_stats.html",
        {
            "form": form,
            "stats": stats,
            "kind_chart": selectors.kind_chart(stats),
            "department_chart": selectors.department_chart(stats),
            "trend_chart": selectors.trend_chart(axis, series),
            "has_trend": any(any(values) for values in series.values()),
        },
        tab="security_events",
    )


def _form(request, user, **kwargs) -> SecurityEventForm:
    return SecurityEventForm(
        request.POST or None,
        organizations=notice_organizations(),
        systems=notice_systems(user=user),
        **kwargs,
    )


@login_required
def security_event_create(request):
    user = request.user
    require_role(user, EVENT_RECORDERS)
    form = _form(request, user, initial={"occurred_at": timezone.localtime().replace(second=0, microsecond=0)})
    if request.method == "POST" and form.is_valid():
        try:
            services.security_event_record(actor=user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Security event recorded."))
            return redirect("security:security_event_list")
    return form_page(
        request,
        form,
        tab="security_events",
        heading=gettext_lazy("Record a security event"),
        intro=gettext_lazy(
            "Art. 17: the provider monitors network behaviour and blocks attacks. Record what was observed; "
            "a batch (a day of blocked attacks) is one event with its count."
        ),
        cancel_url=reverse("security:security_event_list"),
    )


@login_required
def security_event_edit(request, pk: int):
    user = request.user
    event = selectors.security_event_get(user=user, pk=pk, action=Action.CHANGE)
    require_role(user, EVENT_RECORDERS)
    initial = {
        "kind": event.kind,
        "occurred_at": timezone.localtime(event.occurred_at),
        "count": event.count,
        "organization": event.organization_id,
        "systems": [s.pk for s in event.systems.all()],
        "source": event.source,
        "summary": event.summary,
    }
    form = _form(request, user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.security_event_update(actor=user, event=event, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Saved."))
            return redirect("security:security_event_list")
    return form_page(
        request,
        form,
        tab="security_events",
        heading=_("Correct the security event of %(time)s")
        % {"time": f"{timezone.localtime(event.occurred_at):%Y-%m-%d %H:%M}"},
        cancel_url=reverse("security:security_event_list"),
    )
