from django.conf import settings

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
    return {
        "nav_items": [{"item": item, "active": item is active} for item in items if item.group is None],
        "nav_groups": _groups(items, active),
        "account_pending": account_pending,
        "user_role_labels": sorted(str(r.label) for r in (user.roles if signed_in else ())),
        "site_name": settings.GOVCLOUD_SITE_NAME,
        "languages_available": settings.LANGUAGES,
        "session_idle_seconds": settings.SESSION_COOKIE_AGE,
        "session_warning_seconds": settings.SESSION_WARNING_MINUTES * 60,
    }
