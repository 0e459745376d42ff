"""Pages for the monthly security bulletin (Art. 17)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from govcloud.core.forms import form_errors_from
from govcloud.core.paging import page_of
from govcloud.core.permissions import has_any_role, require_role
from govcloud.core.scoping import Action
from govcloud.security import services
from govcloud.security.forms import BulletinForm
from govcloud.security.models.bulletins import BULLETIN_AUTHORS
from govcloud.security.selectors import bulletins as selectors
from govcloud.security.selectors.calendar import previous_month
from govcloud.security.views.common import error_messages, form_page, page, send_attachment


@login_required
def bulletin_list(request):
    user = request.user
    sees_status = has_any_role(user, selectors.READ_STATUS_VIEWERS)
    return page(
        request,
        "security/bulletin_list.html",
        {
            "page": page_of(request, selectors.bulletins_for(user=user)),
            "can_create": has_any_role(user, BULLETIN_AUTHORS),
            "month_status": selectors.bulletin_month_status() if sees_status else None,
            "sees_status": sees_status,
        },
        tab="bulletins",
    )


@login_required
def bulletin_create(request):
    require_role(request.user, BULLETIN_AUTHORS)
    form = BulletinForm(
        request.POST or None, request.FILES or None, initial={"period": previous_month(timezone.localdate())}
    )
    if request.method == "POST" and form.is_valid():
        try:
            bulletin = services.security_bulletin_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Bulletin saved."))
            return redirect("security:bulletin_detail", pk=bulletin.pk)
    return form_page(
        request,
        form,
        tab="bulletins",
        heading=gettext_lazy("New security bulletin"),
        intro=gettext_lazy(
            "Art. 17: the provider publishes a security bulletin every month. Once published, every department sees it."
        ),
        cancel_url=reverse("security:bulletin_list"),
        multipart=True,
    )


@login_required
def bulletin_detail(request, pk: int):
    bulletin = selectors.bulletin_get(user=request.user, pk=pk)
    receipt = services.security_bulletin_read(actor=request.user, bulletin=bulletin)
    sees_status = has_any_role(request.user, selectors.READ_STATUS_VIEWERS)
    return page(
        request,
        "security/bulletin_detail.html",
        {
            "bulletin": bulletin,
            "receipt": receipt,
            "read_status": selectors.bulletin_read_status(user=request.user, bulletin=bulletin)
            if sees_status and bulletin.is_published
            else None,
            "can_edit": not bulletin.is_published and has_any_role(request.user, BULLETIN_AUTHORS),
        },
        tab="bulletins",
    )


@login_required
def bulletin_edit(request, pk: int):
    bulletin = selectors.bulletin_get(user=request.user, pk=pk, action=Action.CHANGE)
    require_role(request.user, BULLETIN_AUTHORS)
    form = BulletinForm(
        request.POST or None,
        request.FILES or None,
        editing=True,
        initial={"title": bulletin.title, "content": bulletin.content},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.security_bulletin_update(actor=request.user, bulletin=bulletin, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Saved."))
            return redirect("security:bulletin_detail", pk=bulletin.pk)
    return form_page(
        request,
        form,
        tab="bulletins",
        heading=_("Edit bulletin %(month)s") % {"month": f"{bulletin.period:%Y-%m}"},
        cancel_url=reverse("security:bulletin_detail", args=[bulletin.pk]),
        multipart=True,
    )


@login_required
@require_POST
def bulletin_publish(request, pk: int):
    bulletin = selectors.bulletin_get(user=request.user, pk=pk, action=Action.CHANGE)
    try:
        services.security_bulletin_publish(actor=request.user, bulletin=bulletin)
    except ValidationError as exc:
        error_messages(request, exc)
    else:
        messages.success(request, _("Published: every department now sees the bulletin."))
    return redirect("security:bulletin_detail", pk=bulletin.pk)


@login_required
def bulletin_attachment(request, pk: int):
    bulletin = selectors.bulletin_get(user=request.user, pk=pk)
    return send_attachment(request, bulletin.attachment, bulletin)
