from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from govcloud.notifications import selectors, services


@login_required
def notification_list(request):
    page = Paginator(selectors.notifications_for(user=request.user), 50).get_page(request.GET.get("page"))
    return render(request, "notifications/notification_list.html", {"page": page})


@login_required
@require_POST
def notification_open(request, pk: int):
    notification = selectors.notification_get(user=request.user, pk=pk)
    services.notification_mark_read(actor=request.user, notification=notification)
    link = notification.link
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()}):
        return redirect(link)
    return redirect("notifications:notification_list")


@login_required
@require_POST
def notification_read_all(request):
    services.notification_mark_read(actor=request.user)
    return redirect("notifications:notification_list")


@login_required
def notification_badge(request):
    """The unread count for the bell, fetched after the page loads so pages pay no query for it."""
    return render(request, "notifications/_badge.html", {"unread": selectors.unread_count(user=request.user)})


_CHOICES = {"": None, "on": True, "off": False}


@login_required
def notification_preferences(request):
    """My notification settings: e-mail on or off per kind of notification."""
    rows = selectors.preference_rows(user=request.user)
    if request.method == "POST":
        choices = {}
        for row in rows:
            raw = request.POST.get(f"kind:{row.kind}", row.choice_value)
            if raw not in _CHOICES:
                return HttpResponseBadRequest()
            choices[row.kind] = _CHOICES[raw]
        services.notification_preferences_set(actor=request.user, choices=choices)
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notifications:preferences")
    groups: dict[str, dict] = {}
    for row in rows:
        groups.setdefault(row.group, {"label": row.group_label, "rows": []})["rows"].append(row)
    return render(
        request,
        "notifications/preferences.html",
        {
            "groups": list(groups.values()),
            "has_email": bool((request.user.email or "").strip()),
        },
    )
