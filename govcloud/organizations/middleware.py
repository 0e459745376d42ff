"""Account security for page requests: the second factor first, then an expired password.

Until a user who needs TOTP has verified it (or, for an administrator, enrolled it), and until a
user with a temporary or too old password has changed it, every page except those needed to do so
redirects there. The REST API applies the same rule through its permission class.
"""

from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from govcloud.core.permissions import password_expired, sso_session
from govcloud.core.roles import TOTP_REQUIRED_ROLES

SESSION_2FA = "govcloud_2fa"
# Where logging out sends the browser next, to end the platform's session too (set by identity).
SESSION_SSO_LOGOUT_URL = "govcloud_sso_logout_url"
TWO_FACTOR_VERIFY = "verify"
TWO_FACTOR_ENROLL = "enroll"

_ALWAYS_ALLOWED_PREFIXES = ("/static/", "/i18n/", "/api/", "/healthz", "/readyz")


def two_factor_state(user) -> str:
    """What the user still owes at login: verify an enrolled device, enroll one, or nothing."""
    if user.has_totp_device:
        return TWO_FACTOR_VERIFY
    if user.roles & TOTP_REQUIRED_ROLES:
        return TWO_FACTOR_ENROLL
    return ""


def owes_second_factor(user) -> bool:
    """Whether this signed-in page session still owes the account's second factor, as the account
    is now (not as it was at login): an enrolled device not verified in this session, or a role that
    needs one and none enrolled. `user` is a page request's user (django-otp's is_verified)."""
    return bool(two_factor_state(user)) and not user.is_verified()


def token_creation_refusal(request) -> str:
    """Why this request may not create an API token, or "" if it may.

    A token is as strong as what created it: only a signed-in page session that has given the
    account's second factor creates one (the page and the API alike). A token never creates another
    — the child would outlive its parent's revocation and expiry.
    """
    if getattr(request, "auth", None) is not None:  # DRF: authenticated by a personal access token
        return _("API tokens are created from a signed-in browser session, not with another API token.")
    if owes_second_factor(request.user) and not sso_session(request).get("mfa"):
        return _("Verify your second factor (or set one up) before creating an API token.")
    return ""


def owes_account_step(request) -> bool:
    """Whether this page session must still give or set up its second factor, or change its password:
    every page but that step redirects there, so the page shell offers no navigation until then."""
    state = request.session.get(SESSION_2FA, "")
    return bool(state and not request.user.is_verified()) or _password_step_owed(request)


def _password_step_owed(request) -> bool:
    return password_expired(request.user) and not sso_session(request)


class AccountSecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.path.startswith(_ALWAYS_ALLOWED_PREFIXES):
            return self.get_response(request)
        logout_url = reverse("organizations:logout")
        if request.path == logout_url:
            return self.get_response(request)

        state = request.session.get(SESSION_2FA, "")
        if state and not user.is_verified():
            target = reverse("organizations:otp_verify" if state == TWO_FACTOR_VERIFY else "organizations:otp_setup")
            if request.path != target:
                return self._blocked(request, target)
            return self.get_response(request)

        if _password_step_owed(request):
            target = reverse("organizations:password_change")
            if request.path != target:
                return self._blocked(request, target)
        return self.get_response(request)

    @staticmethod
    def _blocked(request, target: str):
        # A page fragment the browser fetches by itself (the notification bell) gets nothing, rather
        # than the whole set-up page swapped into the navigation bar.
        if request.headers.get("HX-Request") == "true":
            return HttpResponse(status=204)
        return redirect(target)
