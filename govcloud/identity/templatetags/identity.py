"""The sign-on buttons of the login page (organizations/login.html), for the platforms configured."""

from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from govcloud.identity.config import cas_config, oidc_config

register = template.Library()


@register.simple_tag
def sign_on_options(next_url: str = "") -> dict:
    query = f"?{urlencode({'next': next_url})}" if next_url else ""
    buttons = []
    oidc = oidc_config()
    if oidc is not None:
        buttons.append(
            {
                "protocol": "oidc",
                "label": oidc.label or _("Unified identity platform (OIDC)"),
                "url": reverse("identity:oidc_login") + query,
            }
        )
    cas = cas_config()
    if cas is not None:
        buttons.append(
            {
                "protocol": "cas",
                "label": cas.label or _("Unified identity platform (CAS)"),
                "url": reverse("identity:cas_login") + query,
            }
        )
    return {
        "buttons": buttons,
        "local_admins_only": bool(buttons) and getattr(settings, "GOVCLOUD_LOCAL_LOGIN_ADMINS_ONLY", False),
    }
