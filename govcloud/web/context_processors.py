from functools import lru_cache

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from govcloud.organizations.middleware import owes_account_step
from govcloud.web.navigation import GROUPS, items_for


def _matches(section: str, path: str) -> bool:
    return path == "/" if section == "/" else path.startswith(section)


def _groups(items, active) -> list[dict]:
    """The drop-down menus, after the plain items, in the order GROUPS declares them."""
    entries: dict[str, list[dict]] = {}
    for item in items:
        if item.group is not None:
            entries.setdefault(item.group, []).append({"item": item, "active": item is active})
    return [
        {
            "key": key,
            "label": label,
            "icon": icon,
            "entries": entries[key],
            "active": any(e["active"] for e in entries[key]),
        }
        for key, (label, icon) in GROUPS.items()
        if key in entries
    ]


@lru_cache(maxsize=1024)
def _navigation(roles: frozenset, section: str | None, language: str, prefix: str, urlconf) -> SafeString:
    """The menu bar of a set of roles with one item active, in one language: the same for everyone
    with those roles, so rendered once per process (about a tenth of every page's rendering, with
    twenty-odd URLs reversed) rather than per request. The key holds everything the HTML depends on."""
    items = items_for(roles)
    active = next((item for item in items if item.section == section), None)
    return render_to_string(
        "web/_navigation.html",
        {
            "nav_items": [{"item": item, "active": item is active} for item in items if item.group is None],
            "nav_groups": _groups(items, active),
        },
    )


def shell(request):
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    # Before the second factor (or a required password change) nothing in the navigation would open.
    account_pending = signed_in and owes_account_step(request)
    roles = user.roles if signed_in and not account_pending else frozenset()
    path = request.path
    items = items_for(roles)
    # The most specific section wins (/security/lockouts/ over /security/).
    active = max((item for item in items if _matches(item.section, path)), key=lambda i: len(i.section), default=None)
    navigation = ""
    if signed_in:
        key = (roles, active.section if active else None, get_language(), get_script_prefix(), get_urlconf())
        # DEBUG: a changed template shows at once, as with Django's template loaders.
        navigation = _navigation.__wrapped__(*key) if settings.DEBUG else _navigation(*key)
    return {
        "navigation": navigation,
        "account_pending": account_pending,
        "user_role_labels": sorted(str(r.label) for r in (user.roles if signed_in else ())),
        "site_name": settings.GOVCLOUD_SITE_NAME,
        "languages_available": settings.LANGUAGES,
        "session_idle_seconds": settings.SESSION_COOKIE_AGE,
        "session_warning_seconds": settings.SESSION_WARNING_MINUTES * 60,
    }
