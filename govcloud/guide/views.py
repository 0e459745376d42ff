"""Pages of the public service guide (no sign-in needed) and the center's announcement management.

Views parse and render; the rules are in services (writes) and selectors (reads)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from govcloud.core.forms import form_errors_from
from govcloud.core.paging import page_of
from govcloud.core.permissions import has_any_role, require_role
from govcloud.guide import selectors, services
from govcloud.guide.forms import AnnouncementForm, NewAnnouncementForm
from govcloud.guide.models import ANNOUNCEMENT_EDITORS

PAGE_SIZE = 20
LATEST = 5


# --- Public ---------------------------------------------------------------------------------------


def index(request):
    limits = selectors.time_limits()
    return render(
        request,
        "guide/index.html",
        {
            "sections": selectors.catalog_sections(),
            "limits": limits,
            "steps": selectors.process_steps(limits),
            "contacts": list(selectors.center_contacts()),
            "announcements": list(selectors.published_announcements()[:LATEST]),
            "can_manage": has_any_role(request.user, ANNOUNCEMENT_EDITORS),
            "guide_section": "index",
        },
    )


def announcement_list(request):
    return render(
        request,
        "guide/announcement_list.html",
        {
            "page": page_of(request, selectors.published_announcements(), PAGE_SIZE),
            "can_manage": has_any_role(request.user, ANNOUNCEMENT_EDITORS),
            "guide_section": "announcements",
        },
    )


def announcement_detail(request, pk: int):
    announcement = selectors.announcement_get(user=request.user, pk=pk)
    return render(
        request,
        "guide/announcement_detail.html",
        {
            "announcement": announcement,
            "can_manage": has_any_role(request.user, ANNOUNCEMENT_EDITORS),
            "guide_section": "announcements",
        },
    )


# --- The center's management ------------------------------------------------------------------------


@login_required
def manage(request):
    require_role(request.user, ANNOUNCEMENT_EDITORS)
    return render(
        request,
        "guide/manage.html",
        {"page": page_of(request, selectors.announcements_to_manage(user=request.user), PAGE_SIZE)},
    )


def _form_page(request, form, *, heading, announcement=None):
    return render(
        request, "guide/announcement_form.html", {"form": form, "heading": heading, "announcement": announcement}
    )


@login_required
def announcement_create(request):
    require_role(request.user, ANNOUNCEMENT_EDITORS)
    form = NewAnnouncementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            announcement = services.announcement_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Announcement published.") if announcement.is_published else _("Draft saved."))
            return redirect("guide:manage")
    return _form_page(request, form, heading=_("New announcement"))


@login_required
def announcement_edit(request, pk: int):
    require_role(request.user, ANNOUNCEMENT_EDITORS)
    announcement = selectors.announcement_to_change(user=request.user, pk=pk)
    form = AnnouncementForm(
        request.POST or None,
        initial={"title": announcement.title, "body": announcement.body, "pinned": announcement.pinned},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.announcement_update(actor=request.user, announcement=announcement, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Saved."))
            return redirect("guide:manage")
    return _form_page(request, form, heading=_("Edit announcement"), announcement=announcement)


def _transition(request, pk: int, service, done: str):
    require_role(request.user, ANNOUNCEMENT_EDITORS)
    announcement = selectors.announcement_to_change(user=request.user, pk=pk)
    try:
        service(actor=request.user, announcement=announcement)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("guide:manage")


@login_required
@require_POST
def announcement_publish(request, pk: int):
    return _transition(request, pk, services.announcement_publish, _("Announcement published."))


@login_required
@require_POST
def announcement_unpublish(request, pk: int):
    return _transition(request, pk, services.announcement_unpublish, _("Announcement taken off the guide."))
