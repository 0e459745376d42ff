from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from govcloud.core.permissions import password_expired, sso_session
from govcloud.core.roles import TOTP_REQUIRED_ROLES


class IsAuthenticatedAndVerified(BasePermission):
    """Signed in; for browser sessions also verified with TOTP where the role requires it, and with
    a password that is not temporary or expired — the same rules as the pages.

    Token requests are already strong: a token can only be created from such a session, and every
    security-relevant change of the account revokes its tokens.
    """

    message = _("Authentication with a verified second factor is required.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if getattr(request, "auth", None) is not None:  # personal access token
            # Tokens are created only from a second-factor-verified session. A token whose account
            # has since come to need a second factor it never enrolled (a role granted later, a
            # token older than that rule) waits until the user enrolls, as a session would.
            return not (user.roles & TOTP_REQUIRED_ROLES and not user.has_totp_device)
        sso = sso_session(request._request)
        if password_expired(user) and not sso:
            return False
        if user.roles & TOTP_REQUIRED_ROLES or user.has_totp_device:
            verified = getattr(request._request.user, "is_verified", lambda: False)()
            return bool(verified or sso.get("mfa"))
        return True
