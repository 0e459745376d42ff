"""Pages for security notices and their rectification (Art. 16, 17)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from govcloud.core.forms import form_errors_from
from govcloud.core.paging import page_of
from govcloud.core.permissions import has_any_role, require_role
from govcloud.core.policy import Policy, policy_value
from govcloud.security import services
from govcloud.security.filters import NoticeRectificationFilter, SecurityNoticeFilter
from govcloud.security.forms import NoticeForm, RectificationDecisionForm, RectificationReportForm
from govcloud.security.models import (
    NOTICE_ISSUERS,
    NOTICE_RESPONDERS,
    RECTIFICATION_TRANSITIONS,
    RectificationAction,
    RectificationStatus,
)
from govcloud.security.selectors import notices as selectors
from govcloud.security.views.common import error_messages, form_page, page, send_attachment


def allowed(record, action, user) -> bool:
    entry = RECTIFICATION_TRANSITIONS.get((record.status, action))
    return entry is not None and has_any_role(user, entry[1])


@login_required
def notice_list(request):
    user = request.user
    filterset = SecurityNoticeFilter(request.GET or None, queryset=selectors.notices_for(user=user))
    return page(
        request,
        "security/notice_list.html",
        {
            "filter": filterset,
            "page": page_of(request, filterset.qs),
            "can_create": has_any_role(user, NOTICE_ISSUERS),
            "counts": selectors.open_notice_counts(user=user),
        },
        tab="notices",
    )


@login_required
def notice_create(request):
    user = request.user
    require_role(user, NOTICE_ISSUERS)
    form = NoticeForm(
        request.POST or None,
        request.FILES or None,
        organizations=selectors.notice_organizations(),
        systems=selectors.notice_systems(user=user),
        initial={"working_days": policy_value(Policy.SECURITY_NOTICE_RECTIFICATION_WORKING_DAYS)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            notice = services.security_notice_issue(actor=user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(
                request,
                _("Notice %(number)s issued to %(n)d departments.")
                % {"number": notice.number, "n": notice.rectifications.count()},
            )
            return redirect("security:notice_detail", pk=notice.pk)
    return form_page(
        request,
        form,
        tab="notices",
        heading=gettext_lazy("New security notice"),
        intro=gettext_lazy(
            "Art. 17: the center notifies the departments concerned of a vulnerability or a security event, "
            "with the measures required and a rectification deadline in working days. Each department answers "
            "with its rectification report and evidence."
        ),
        cancel_url=reverse("security:notice_list"),
        submit=gettext_lazy("Issue the notice"),
        multipart=True,
    )


@login_required
def notice_detail(request, pk: int):
    notice = selectors.notice_get(user=request.user, pk=pk)
    return page(
        request,
        "security/notice_detail.html",
        {"notice": notice, "records": selectors.notice_records(user=request.user, notice=notice)},
        tab="notices",
    )


@login_required
def notice_attachment(request, pk: int):
    notice = selectors.notice_get(user=request.user, pk=pk)
    return send_attachment(request, notice.attachment, notice)


@login_required
def rectification_list(request):
    filterset = NoticeRectificationFilter(request.GET or None, queryset=selectors.rectifications_for(user=request.user))
    return page(
        request,
        "security/rectification_list.html",
        {"filter": filterset, "page": page_of(request, filterset.qs)},
        tab="notices",
    )


@login_required
def rectification_detail(request, pk: int):
    user = request.user
    record = selectors.rectification_get(user=user, pk=pk)
    if record.status == RectificationStatus.ISSUED and has_any_role(user, NOTICE_RESPONDERS):
        # Opening it is the department's read receipt (as for bulletins).
        services.notice_rectification_read(actor=user, rectification=record)
        record = selectors.rectification_get(user=user, pk=pk)
    can = {action: allowed(record, action, user) for action in RectificationAction}
    return page(
        request,
        "security/rectification_detail.html",
        {
            "record": record,
            "notice": record.notice,
            "can": can,
            "reports": selectors.rectification_reports(rectification=record),
            "timeline": selectors.rectification_timeline(rectification=record),
            "decision_form": RectificationDecisionForm(),
        },
        tab="notices",
    )


@login_required
def rectification_report(request, pk: int):
    user = request.user
    record = selectors.rectification_get(user=user, pk=pk)
    require_role(user, NOTICE_RESPONDERS)
    if not allowed(record, RectificationAction.SUBMIT, user):
        messages.error(
            request,
            _("A report cannot be submitted while the record is “%(status)s”.")
            % {"status": record.get_status_display()},
        )
        return redirect("security:rectification_detail", pk=record.pk)
    form = RectificationReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.notice_rectification_submit(actor=user, rectification=record, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Rectification report submitted to the center."))
            return redirect("security:rectification_detail", pk=record.pk)
    return form_page(
        request,
        form,
        tab="notices",
        heading=_("Rectification report: %(number)s %(title)s")
        % {"number": record.notice.number, "title": record.notice.title},
        intro=record.notice.required_measures,
        cancel_url=reverse("security:rectification_detail", args=[record.pk]),
        submit=gettext_lazy("Submit the report"),
        multipart=True,
    )


@login_required
@require_POST
def rectification_transition(request, pk: int):
    record = selectors.rectification_get(user=request.user, pk=pk)
    form = RectificationDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an action."))
        return redirect("security:rectification_detail", pk=record.pk)
    try:
        record = services.notice_rectification_transition(actor=request.user, rectification=record, **form.cleaned_data)
    except ValidationError as exc:
        error_messages(request, exc)
    else:
        messages.success(request, _("The record is now “%(status)s”.") % {"status": record.get_status_display()})
    return redirect("security:rectification_detail", pk=record.pk)


@login_required
def rectification_evidence(request, pk: int, attachment_id):
    record = selectors.rectification_get(user=request.user, pk=pk)
    attachment = selectors.evidence_get(rectification=record, attachment_id=attachment_id)
    return send_attachment(request, attachment, record)
