"""Pages for signing in, one's own account, organizations, users and account security.

Views parse and render; every rule is in services (writes) and selectors (scoped reads).
"""

from __future__ import annotations

import base64
import io
import time

import django_otp
import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from govcloud.core.forms import form_errors_from
from govcloud.core.paging import page_of
from govcloud.core.permissions import has_any_role, require_role
from govcloud.core.roles import Role
from govcloud.core.scoping import Action
from govcloud.organizations import selectors, services
from govcloud.organizations.filters import OrganizationFilter, UserFilter
from govcloud.organizations.forms import (
    LoginForm,
    OrganizationForm,
    OtpTokenForm,
    PasswordChangeForm,
    TokenCreateForm,
    UnlockForm,
    UserCreateForm,
    UserEditForm,
    UserRolesForm,
)
from govcloud.organizations.middleware import (
    SESSION_2FA,
    SESSION_SSO_LOGOUT_URL,
    token_creation_refusal,
    two_factor_state,
)

# --- Signing in ------------------------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    template_name = "organizations/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        self.request.session[SESSION_2FA] = two_factor_state(form.get_user())
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Sent here by the idle logout (core.middleware.SessionIdleMiddleware, web/session.js).
        context["session_expired"] = self.request.GET.get("expired") == "1"
        return context


@require_POST
def session_keep_alive(request):
    """The "继续办理" button of the idle warning (web/session.js): a request that counts as
    activity restarts the idle clock. A session already gone answers 401, and the page goes to the
    login page."""
    if not request.user.is_authenticated:
        return HttpResponse(status=401)
    request.session["_touched"] = int(time.time())
    return HttpResponse(status=204)


class LogoutView(auth_views.LogoutView):
    """POST signs out (a link, a prefetch or another site cannot sign anyone out). A GET — a typed or
    bookmarked /accounts/logout/ — asks for confirmation instead of the browser's 405 error page."""

    http_method_names = ["get", "post", "options"]

    def get(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect("organizations:login")
        return render(request, "organizations/logout_confirm.html")

    def post(self, request, *args, **kwargs):
        # A session opened through the identity platform ends there too (OIDC RP-initiated logout,
        # CAS logout): the platform's own page comes back to the login page.
        platform_logout = request.session.get(SESSION_SSO_LOGOUT_URL, "")
        response = super().post(request, *args, **kwargs)
        return redirect(platform_logout) if platform_logout else response


@login_required
def otp_verify(request):
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.totp_verify(actor=request.user, token=form.cleaned_data["token"])
        if device is not None:
            django_otp.login(request, device)
            return redirect("web:home")
        form.add_error("token", _("The code is not correct or has expired. Wait for the next code and try again."))
    return render(request, "organizations/otp_verify.html", {"form": form})


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


@login_required
def otp_setup(request):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if request.user.has_totp_device:
        messages.info(request, _("Two-factor authentication is already set up for your account."))
        return redirect("organizations:profile")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = services.totp_enrollment_start(actor=request.user)
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.totp_enrollment_confirm(actor=request.user, device=device, token=form.cleaned_data["token"]):
            django_otp.login(request, device)
            request.session[SESSION_2FA] = two_factor_state(request.user)
            messages.success(request, _("Two-factor authentication is on. You will be asked for a code at each login."))
            return redirect("web:home")
        form.add_error("token", _("The code is not correct. Check the time on your phone and try the next code."))
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return render(
        request,
        "organizations/otp_setup.html",
        {"form": form, "qr": _qr_svg(device.config_url), "secret": secret},
    )


@login_required
def password_change(request):
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_change_password(
                actor=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password has been changed."))
            return redirect("web:home")
    return render(request, "organizations/password_change.html", {"form": form})


@login_required
def profile(request):
    return render(request, "organizations/profile.html", {"account": request.user})


# --- API tokens ------------------------------------------------------------------------------------


@login_required
def token_list(request):
    form = TokenCreateForm(request.POST or None)
    created_token = None
    if request.method == "POST" and (refusal := token_creation_refusal(request)):
        raise PermissionDenied(refusal)
    if request.method == "POST" and form.is_valid():
        try:
            _token, created_token = services.token_create(
                actor=request.user,
                name=form.cleaned_data["name"],
                expires_in_days=form.cleaned_data["expires_in_days"],
            )
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            form = TokenCreateForm()
    tokens = selectors.tokens_for(user=request.user).filter(user=request.user)
    return render(
        request, "organizations/token_list.html", {"form": form, "tokens": tokens, "created_token": created_token}
    )


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = selectors.token_get(user=request.user, pk=pk, action=Action.CHANGE)
    services.token_revoke(actor=request.user, token=token)
    messages.success(request, _("The token “%(name)s” has been revoked.") % {"name": token.name})
    return redirect("organizations:token_list")


# --- Organizations ---------------------------------------------------------------------------------


@login_required
def organization_list(request):
    filterset = OrganizationFilter(
        request.GET or None, queryset=selectors.organizations_for(user=request.user), request=request
    )
    page = page_of(request, filterset.qs)
    can_create = has_any_role(request.user, {Role.SYSTEM_ADMIN})
    return render(
        request,
        "organizations/organization_list.html",
        {"filter": filterset, "page": page, "can_create": can_create},
    )


@login_required
def organization_detail(request, pk: int):
    org = selectors.organization_get(user=request.user, pk=pk)
    children = selectors.organization_children(user=request.user, organization=org)
    members = selectors.users_for(user=request.user).filter(organization=org)[:200]
    return render(
        request,
        "organizations/organization_detail.html",
        {
            "org": org,
            "children": children,
            "members": members,
            "can_edit": has_any_role(request.user, {Role.SYSTEM_ADMIN}),
        },
    )


def _organization_form(request, org=None):
    require_role(request.user, {Role.SYSTEM_ADMIN})
    parents = selectors.organizations_for(user=request.user)
    if org is not None:
        parents = parents.exclude(path__startswith=org.path)
    form = OrganizationForm(request.POST or None, instance=org, parents=parents)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in form.Meta.fields}
        try:
            if org is None:
                org = services.organization_create(actor=request.user, **data)
            else:
                org = services.organization_update(actor=request.user, organization=org, **data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Saved “%(name)s”.") % {"name": org.name})
            return redirect("organizations:organization_detail", pk=org.pk)
    return render(request, "organizations/organization_form.html", {"form": form, "org": org})


@login_required
def organization_create(request):
    return _organization_form(request)


@login_required
def organization_edit(request, pk: int):
    org = selectors.organization_get(user=request.user, pk=pk, action=Action.CHANGE)
    return _organization_form(request, org)


# --- Users -----------------------------------------------------------------------------------------


@login_required
def user_list(request):
    filterset = UserFilter(request.GET or None, queryset=selectors.users_for(user=request.user), request=request)
    page = page_of(request, filterset.qs)
    return render(
        request,
        "organizations/user_list.html",
        {"filter": filterset, "page": page, "can_create": has_any_role(request.user, {Role.SYSTEM_ADMIN})},
    )


@login_required
def user_detail(request, pk: int):
    account = selectors.user_get(user=request.user, pk=pk)
    roles_form = UserRolesForm(initial={"roles": sorted(account.roles)})
    return render(
        request,
        "organizations/user_detail.html",
        {
            "account": account,
            "roles_form": roles_form,
            "is_system_admin": has_any_role(request.user, {Role.SYSTEM_ADMIN}),
            "is_security_admin": has_any_role(request.user, {Role.SECURITY_ADMIN}) and account.pk != request.user.pk,
        },
    )


@login_required
def user_create(request):
    require_role(request.user, {Role.SYSTEM_ADMIN})
    form = UserCreateForm(request.POST or None, organizations=selectors.organizations_for(user=request.user))
    if request.method == "POST" and form.is_valid():
        try:
            user, password = services.user_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            return render(request, "organizations/user_password_issued.html", {"account": user, "password": password})
    return render(request, "organizations/user_form.html", {"form": form})


@login_required
def user_edit(request, pk: int):
    account = selectors.user_get(user=request.user, pk=pk, action=Action.CHANGE)
    form = UserEditForm(
        request.POST or None, instance=account, organizations=selectors.organizations_for(user=request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update(actor=request.user, user=account, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Saved."))
            return redirect("organizations:user_detail", pk=account.pk)
    return render(request, "organizations/user_form.html", {"form": form, "account": account})


@login_required
@require_POST
def user_roles(request, pk: int):
    require_role(request.user, {Role.SECURITY_ADMIN})
    account = selectors.user_get(user=request.user, pk=pk)
    form = UserRolesForm(request.POST)
    if form.is_valid():
        try:
            services.user_set_roles(actor=request.user, user=account, roles=set(form.cleaned_data["roles"]))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Roles saved."))
    return redirect("organizations:user_detail", pk=account.pk)


@login_required
@require_POST
def user_set_active(request, pk: int):
    account = selectors.user_get(user=request.user, pk=pk, action=Action.CHANGE)
    active = request.POST.get("active") == "1"
    try:
        services.user_set_active(actor=request.user, user=account, active=active)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Account enabled.") if active else _("Account disabled; its API tokens are revoked.")
        )
    return redirect("organizations:user_detail", pk=account.pk)


@login_required
@require_POST
def user_reset_password(request, pk: int):
    account = selectors.user_get(user=request.user, pk=pk, action=Action.CHANGE)
    password = services.user_reset_password(actor=request.user, user=account)
    return render(request, "organizations/user_password_issued.html", {"account": account, "password": password})


@login_required
@require_POST
def user_totp_reset(request, pk: int):
    require_role(request.user, {Role.SECURITY_ADMIN})
    account = selectors.user_get(user=request.user, pk=pk)
    services.totp_reset(actor=request.user, user=account)
    messages.success(request, _("Two-factor authentication removed; the user sets it up again at next login."))
    return redirect("organizations:user_detail", pk=account.pk)


# --- Account security (security admin) -------------------------------------------------------------


@login_required
def lockout_list(request):
    rows = selectors.lockouts_for(user=request.user)
    form = UnlockForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            count = services.lockout_clear(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Unlocked (%(count)d records cleared).") % {"count": count})
            return redirect("organizations:lockout_list")
    return render(request, "organizations/lockout_list.html", {"rows": rows, "form": form})
