"""Pages for access grants and access sessions (Art. 18)."""

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
from govcloud.core.roles import Role
from govcloud.core.scoping import Action
from govcloud.security import services
from govcloud.security.filters import AccessGrantFilter, AccessSessionFilter
from govcloud.security.forms import AccessGrantForm, AccessSessionForm, ReasonForm, ReviewForm
from govcloud.security.models import GRANTORS, GrantStatus
from govcloud.security.selectors import access as selectors
from govcloud.security.views.common import error_messages, form_page, page

REVIEWERS = GRANTORS | {Role.CENTER_ADMIN}


@login_required
def grant_list(request):
    filterset = AccessGrantFilter(request.GET or None, queryset=selectors.grants_for(user=request.user))
    return page(
        request,
        "security/grant_list.html",
        {
            "filter": filterset,
            "page": page_of(request, filterset.qs),
            "can_create": has_any_role(request.user, GRANTORS),
        },
        tab="grants",
    )


@login_required
def grant_create(request):
    require_role(request.user, GRANTORS)
    max_hours = int(policy_value(Policy.ACCESS_GRANT_MAX_HOURS))
    form = AccessGrantForm(
        request.POST or None,
        systems=selectors.grantable_systems(user=request.user),
        staff=selectors.provider_staff(),
        resources=selectors.grantable_resources(user=request.user),
        max_hours=max_hours,
        initial={"system": request.GET.get("system")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            grant = services.access_grant_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Access granted. You can revoke it at any time."))
            return redirect("security:grant_detail", pk=grant.pk)
    return form_page(
        request,
        form,
        tab="grants",
        heading=gettext_lazy("Grant access"),
        intro=_(
            "Art. 18: nobody enters the department's cloud hosts, databases or storage without its authorization. "
            "Name the provider staff member, what they may enter, why, and for how long (at most %(hours)d hours)."
        )
        % {"hours": max_hours},
        cancel_url=reverse("security:grant_list"),
        submit=gettext_lazy("Grant"),
    )


@login_required
def grant_detail(request, pk: int):
    grant = selectors.grant_get(user=request.user, pk=pk)
    status = grant.status
    can_revoke = (
        status in (GrantStatus.ACTIVE, GrantStatus.SCHEDULED)
        and has_any_role(request.user, GRANTORS)
        and selectors.grants_for(user=request.user, action=Action.CHANGE).filter(pk=grant.pk).exists()
    )
    return page(
        request,
        "security/grant_detail.html",
        {
            "grant": grant,
            "status": status,
            "can_revoke": can_revoke,
            "revoke_form": ReasonForm(),
            "sessions": selectors.grant_sessions(user=request.user, grant=grant),
            "timeline": selectors.grant_timeline(grant=grant),
            "can_record": grant.grantee_id == request.user.pk and status == GrantStatus.ACTIVE,
        },
        tab="grants",
    )


@login_required
@require_POST
def grant_revoke(request, pk: int):
    grant = selectors.grant_get(user=request.user, pk=pk, action=Action.CHANGE)
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        services.access_grant_revoke(actor=request.user, grant=grant, reason=form.cleaned_data.get("reason", ""))
    except ValidationError as exc:
        error_messages(request, exc)
    else:
        messages.success(request, _("Access revoked. Sessions recorded against this grant from now on are flagged."))
    return redirect("security:grant_detail", pk=grant.pk)


@login_required
def session_list(request):
    filterset = AccessSessionFilter(request.GET or None, queryset=selectors.sessions_for(user=request.user))
    return page(
        request,
        "security/session_list.html",
        {
            "filter": filterset,
            "page": page_of(request, filterset.qs),
            "can_create": has_any_role(request.user, {Role.PROVIDER_OPERATOR}),
        },
        tab="sessions",
    )


@login_required
def session_create(request):
    require_role(request.user, {Role.PROVIDER_OPERATOR})
    form = AccessSessionForm(
        request.POST or None,
        grants=selectors.grants_given_to(user=request.user),
        systems=selectors.session_systems(user=request.user),
        resources=selectors.session_resources(user=request.user),
        initial={"grant": request.GET.get("grant")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            session = services.access_session_record(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            if session.flagged:
                messages.warning(
                    request,
                    _("Recorded and flagged: %(reasons)s. The department and the center have been told.")
                    % {"reasons": "; ".join(session.flag_labels)},
                )
            else:
                messages.success(request, _("Session recorded."))
            return redirect("security:session_detail", pk=session.pk)
    return form_page(
        request,
        form,
        tab="sessions",
        heading=gettext_lazy("Record an access session"),
        intro=gettext_lazy(
            "Record every entry into a department's hosts, databases or storage, against the grant that allows it. "
            "A session without a valid grant is recorded all the same, flagged, and reported to the department "
            "and the center."
        ),
        cancel_url=reverse("security:session_list"),
        submit=gettext_lazy("Record"),
    )


@login_required
def session_detail(request, pk: int):
    session = selectors.session_get(user=request.user, pk=pk)
    can_review = (
        session.flagged
        and session.reviewed_at is None
        and has_any_role(request.user, REVIEWERS)
        and selectors.sessions_for(user=request.user, action=Action.CHANGE).filter(pk=session.pk).exists()
    )
    return page(
        request,
        "security/session_detail.html",
        {"session": session, "can_review": can_review, "review_form": ReviewForm()},
        tab="sessions",
    )


@login_required
@require_POST
def session_review(request, pk: int):
    session = selectors.session_get(user=request.user, pk=pk, action=Action.CHANGE)
    form = ReviewForm(request.POST)
    form.is_valid()
    try:
        services.access_session_review(
            actor=request.user, session=session, comment=form.cleaned_data.get("comment", "")
        )
    except ValidationError as exc:
        error_messages(request, exc)
    else:
        messages.success(request, _("Review recorded."))
    return redirect("security:session_detail", pk=session.pk)
