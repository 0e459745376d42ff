"""Sign-on pages (OIDC and CAS), the platform's logout callbacks, and the system administrator's
link requests. Views parse and render; the protocol checks are in oidc.py / cas.py, every write in
services."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from govcloud.core.forms import form_errors_from
from govcloud.core.paging import page_of
from govcloud.core.permissions import SESSION_SSO, require_role
from govcloud.core.roles import Role
from govcloud.core.scoping import Action
from govcloud.identity import cas, oidc, selectors, services
from govcloud.identity.config import CasConfig, OidcConfig, cas_config, oidc_config
from govcloud.identity.errors import SignOnRefused
from govcloud.identity.forms import LinkExistingForm, LinkNewAccountForm, RefuseForm
from govcloud.identity.models import IdentityLinkRequest, LinkRequestStatus, Protocol
from govcloud.organizations import selectors as org_selectors
from govcloud.organizations.middleware import SESSION_2FA, SESSION_SSO_LOGOUT_URL, two_factor_state

logger = logging.getLogger(__name__)

SESSION_OIDC_FLOW = "govcloud_sso_oidc_flow"
SESSION_CAS_NEXT = "govcloud_sso_cas_next"
SESSION_PENDING_REQUEST = "govcloud_sso_pending_request"
SESSION_ID_TOKEN = "govcloud_sso_id_token"


def _refused(request, protocol: str, refusal: SignOnRefused, status: int = 400):
    services.sign_on_refuse(protocol=protocol, refusal=refusal)
    return render(request, "identity/refused.html", {"message": refusal.message}, status=status)


def _safe_next(request) -> str | None:
    """The `next` to return to, "" for none, or None when it points off this site (refused)."""
    target = request.GET.get("next", "")
    if not target:
        return ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return None


def _open_redirect(request, protocol: str):
    return _refused(
        request,
        protocol,
        SignOnRefused(
            "open_redirect",
            _("The return address after sign-in is not a GovCloud page, so the sign-in was not started."),
        ),
    )


def _has_mfa(claims: dict, config: OidcConfig | None) -> bool:
    if config is None:
        return False
    amr = claims.get("amr") or []
    if isinstance(amr, str):
        amr = [amr]
    if set(map(str, amr)) & set(config.mfa_amr):
        return True
    return bool(config.mfa_acr) and str(claims.get("acr", "")) in config.mfa_acr


def _complete(
    request,
    *,
    protocol: str,
    issuer: str,
    subject: str,
    claims: dict,
    match_claim: str,
    match_field: str,
    mfa: bool,
    platform_session: str,
    platform_logout_url: str,
    next_url: str,
):
    try:
        result = services.sign_on_resolve(
            protocol=protocol,
            issuer=issuer,
            subject=subject,
            claims=claims,
            match_claim=match_claim,
            match_field=match_field,
        )
    except SignOnRefused as refusal:
        return _refused(request, protocol, refusal, status=403)
    if isinstance(result, IdentityLinkRequest):
        request.session[SESSION_PENDING_REQUEST] = result.pk
        request.session["govcloud_sso_pending_logout_url"] = platform_logout_url
        return redirect("identity:not_provisioned")
    user = result
    auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    # An administrator gives GovCloud's second factor unless the platform vouches for one it checked.
    request.session[SESSION_2FA] = "" if mfa else two_factor_state(user)
    request.session[SESSION_SSO] = {"protocol": protocol, "issuer": issuer, "subject": subject, "mfa": mfa}
    request.session[SESSION_SSO_LOGOUT_URL] = platform_logout_url
    request.session.save()
    services.sign_on_record(
        user=user,
        protocol=protocol,
        issuer=issuer,
        subject=subject,
        session_key=request.session.session_key,
        platform_session=platform_session,
        mfa=mfa,
    )
    return redirect(next_url or "web:home")


def _login_page_url(request) -> str:
    return request.build_absolute_uri(reverse("organizations:login"))


# --- OIDC ----------------------------------------------------------------------------------------------


def _oidc() -> OidcConfig:
    config = oidc_config()
    if config is None:
        raise Http404("OIDC sign-on is not configured.")
    return config


@never_cache
@require_GET
def oidc_login(request):
    config = _oidc()
    next_url = _safe_next(request)
    if next_url is None:
        return _open_redirect(request, Protocol.OIDC)
    flow = oidc.new_flow() | {"next": next_url}
    try:
        url = oidc.authorization_url(
            config, redirect_uri=request.build_absolute_uri(reverse("identity:oidc_callback")), flow=flow
        )
    except SignOnRefused as refusal:
        return _refused(request, Protocol.OIDC, refusal, status=503)
    request.session[SESSION_OIDC_FLOW] = flow
    return redirect(url)


@never_cache
@require_GET
def oidc_callback(request):
    config = _oidc()
    flow = request.session.pop(SESSION_OIDC_FLOW, None)
    state = request.GET.get("state", "")
    if not flow or not state or state != flow.get("state"):
        return _refused(
            request,
            Protocol.OIDC,
            SignOnRefused(
                "state_mismatch",
                _("This sign-in answer does not belong to a sign-in started in this browser. Sign in again."),
            ),
        )
    if request.GET.get("error"):
        return _refused(
            request,
            Protocol.OIDC,
            SignOnRefused("platform_error", _("The identity platform did not sign you in. Sign in again.")),
            status=403,
        )
    redirect_uri = request.build_absolute_uri(reverse("identity:oidc_callback"))
    try:
        token = oidc.exchange_code(config, code=request.GET.get("code", ""), redirect_uri=redirect_uri, flow=flow)
        claims = oidc.validate_id_token(config, token["id_token"], nonce=flow["nonce"])
    except SignOnRefused as refusal:
        return _refused(request, Protocol.OIDC, refusal)
    if config.match_claim not in claims:
        claims = oidc.userinfo(config, token.get("access_token", "")) | claims
    logout_url = oidc.end_session_url(
        config, id_token=token["id_token"], post_logout_redirect_uri=_login_page_url(request)
    )
    return _complete(
        request,
        protocol=Protocol.OIDC,
        issuer=claims["iss"],
        subject=str(claims["sub"]),
        claims=claims,
        match_claim=config.match_claim,
        match_field=config.match_field,
        mfa=_has_mfa(claims, config),
        platform_session=str(claims.get("sid", "")),
        platform_logout_url=logout_url,
        next_url=flow.get("next", ""),
    )


@csrf_exempt
@require_POST
def oidc_backchannel_logout(request):
    """OpenID Connect Back-Channel Logout 1.0: the provider POSTs a signed logout token."""
    config = _oidc()
    try:
        claims = oidc.validate_logout_token(config, request.POST.get("logout_token", ""))
    except SignOnRefused as refusal:
        services.sign_on_refuse(protocol=Protocol.OIDC, refusal=refusal)
        return HttpResponse(refusal.message, status=400, content_type="text/plain; charset=utf-8")
    services.sessions_end_by_platform(
        protocol=Protocol.OIDC,
        issuer=claims["iss"],
        subject=str(claims.get("sub", "")),
        platform_session=str(claims.get("sid", "")),
    )
    response = HttpResponse(status=200)
    response["Cache-Control"] = "no-store"
    return response


# --- CAS -----------------------------------------------------------------------------------------------


def _cas() -> CasConfig:
    config = cas_config()
    if config is None:
        raise Http404("CAS sign-on is not configured.")
    return config


def _cas_service_url(request) -> str:
    # One fixed service URL (no query): the ticket is validated for exactly the URL it was issued for.
    return request.build_absolute_uri(reverse("identity:cas_callback"))


@never_cache
@require_GET
def cas_login(request):
    config = _cas()
    next_url = _safe_next(request)
    if next_url is None:
        return _open_redirect(request, Protocol.CAS)
    request.session[SESSION_CAS_NEXT] = next_url
    return redirect(cas.login_url(config, service_url=_cas_service_url(request)))


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def cas_callback(request):
    """GET: the browser returns with a service ticket. POST: the CAS server's single logout request."""
    config = _cas()
    if request.method == "POST":
        ticket = cas.logout_request_session_index(request.POST.get("logoutRequest", ""))
        if ticket:
            services.sessions_end_by_platform(protocol=Protocol.CAS, issuer=config.server_url, platform_session=ticket)
        return HttpResponse(status=200)
    ticket = request.GET.get("ticket", "")
    try:
        username, attributes = cas.validate_ticket(config, ticket=ticket, service_url=_cas_service_url(request))
    except SignOnRefused as refusal:
        return _refused(request, Protocol.CAS, refusal)
    claims = {**attributes, "user": username}
    return _complete(
        request,
        protocol=Protocol.CAS,
        issuer=config.server_url,
        subject=username,
        claims=claims,
        match_claim=config.match_attribute,
        match_field=config.match_field,
        mfa=False,
        platform_session=ticket,
        platform_logout_url=cas.logout_url(config, return_url=_login_page_url(request)),
        next_url=request.session.pop(SESSION_CAS_NEXT, ""),
    )


# --- The unmatched first sign-in -----------------------------------------------------------------------


@never_cache
def not_provisioned(request):
    pk = request.session.get(SESSION_PENDING_REQUEST)
    link_request = IdentityLinkRequest.objects.filter(pk=pk).first() if pk else None
    return render(
        request,
        "identity/not_provisioned.html",
        {
            "link_request": link_request,
            "platform_logout_url": request.session.get("govcloud_sso_pending_logout_url", ""),
        },
    )


# --- Link requests (system administrator) --------------------------------------------------------------


@login_required
def link_request_list(request):
    require_role(request.user, {Role.SYSTEM_ADMIN})
    status = request.GET.get("status", LinkRequestStatus.PENDING)
    if status not in LinkRequestStatus.values and status != "all":
        status = LinkRequestStatus.PENDING
    rows = selectors.link_requests_for(user=request.user, status="" if status == "all" else status)
    page = page_of(request, rows)
    return render(
        request,
        "identity/link_request_list.html",
        {
            "page": page,
            "status": status,
            "statuses": [*LinkRequestStatus.choices, ("all", _("All"))],
            "links": selectors.links_for(user=request.user)[:50],
        },
    )


def _detail_context(request, link_request, **forms):
    users = org_selectors.users_for(user=request.user).select_related("organization").order_by("full_name")
    organizations = org_selectors.organizations_for(user=request.user)
    return {
        "link_request": link_request,
        "existing_form": forms.get("existing_form") or LinkExistingForm(users=users),
        "new_form": forms.get("new_form")
        or LinkNewAccountForm(
            organizations=organizations,
            initial={"full_name": link_request.display_name, "email": link_request.email},
        ),
        "refuse_form": forms.get("refuse_form") or RefuseForm(),
    }


@login_required
def link_request_detail(request, pk: int):
    require_role(request.user, {Role.SYSTEM_ADMIN})
    link_request = selectors.link_request_get(user=request.user, pk=pk)
    return render(request, "identity/link_request_detail.html", _detail_context(request, link_request))


@login_required
@require_POST
def link_request_link(request, pk: int):
    require_role(request.user, {Role.SYSTEM_ADMIN})
    link_request = selectors.link_request_get(user=request.user, pk=pk, action=Action.CHANGE)
    users = org_selectors.users_for(user=request.user).select_related("organization")
    form = LinkExistingForm(request.POST, users=users)
    if form.is_valid():
        try:
            services.link_request_approve(actor=request.user, request=link_request, user=form.cleaned_data["user"])
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(
                request, _("Linked: the identity now signs in as %(name)s.") % {"name": form.cleaned_data["user"]}
            )
            return redirect("identity:link_request_list")
    return render(
        request, "identity/link_request_detail.html", _detail_context(request, link_request, existing_form=form)
    )


@login_required
@require_POST
def link_request_create_account(request, pk: int):
    require_role(request.user, {Role.SYSTEM_ADMIN})
    link_request = selectors.link_request_get(user=request.user, pk=pk, action=Action.CHANGE)
    form = LinkNewAccountForm(request.POST, organizations=org_selectors.organizations_for(user=request.user))
    if form.is_valid():
        try:
            _request, user = services.link_request_approve_new_account(
                actor=request.user, request=link_request, **form.cleaned_data
            )
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(
                request,
                _(
                    "Account %(name)s opened and linked. It has no role yet: the security administrator grants "
                    "roles (separation of duties)."
                )
                % {"name": user},
            )
            return redirect("organizations:user_detail", pk=user.pk)
    return render(request, "identity/link_request_detail.html", _detail_context(request, link_request, new_form=form))


@login_required
@require_POST
def link_request_refuse(request, pk: int):
    require_role(request.user, {Role.SYSTEM_ADMIN})
    link_request = selectors.link_request_get(user=request.user, pk=pk, action=Action.CHANGE)
    form = RefuseForm(request.POST)
    if form.is_valid():
        try:
            services.link_request_refuse(actor=request.user, request=link_request, note=form.cleaned_data["note"])
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("The link request was refused."))
            return redirect("identity:link_request_list")
    return render(
        request, "identity/link_request_detail.html", _detail_context(request, link_request, refuse_form=form)
    )
