from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from govcloud.core.permissions import password_expired
from govcloud.core.roles import TOTP_REQUIRED_ROLES


class IsAuthenticatedAndVerified(BasePermission):
    """Signed in; for browser sessions also verified with TOTP where the role requires it, and with
    a password that is not temporary or expired — the same rules as the pages.

    Token requests are already strong: a token can only be created from such a session.
    """

    message = _("Authentication with a verified second factor is required.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if getattr(request, "auth", None) is not None:  # personal access token
            return True
        if password_expired(user):
            return False
        if user.roles & TOTP_REQUIRED_ROLES or user.has_totp_device:
            return bool(getattr(request._request.user, "is_verified", lambda: False)())
        return True
