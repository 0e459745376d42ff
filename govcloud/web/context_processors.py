from django.conf import settings

from govcloud.web.navigation import items_for


def _matches(section: str, path: str) -> bool:
    return path == "/" if section == "/" else path.startswith(section)


def _groups(items, active) -> list[dict]:
    """The drop-down menus, after the plain items, each in the order of its first member."""
    groups: dict = {}
    for item in items:
        if item.group is not None:
            groups.setdefault(item.group, []).append({"item": item, "active": item is active})
    return [
        {"label": label, "entries": entries, "active": any(e["active"] for e in entries)}
        for label, entries in groups.items()
    ]


def shell(request):
    user = getattr(request, "user", None)
    roles = user.roles if user is not None and user.is_authenticated else frozenset()
    path = request.path
    items = items_for(roles)
    # The most specific section wins (/security/lockouts/ over /security/).
    active = max((item for item in items if _matches(item.section, path)), key=lambda i: len(i.section), default=None)
    return {
        "nav_items": [{"item": item, "active": item is active} for item in items if item.group is None],
        "nav_groups": _groups(items, active),
        "user_role_labels": sorted(str(r.label) for r in roles),
        "site_name": settings.GOVCLOUD_SITE_NAME,
        "languages_available": settings.LANGUAGES,
    }
