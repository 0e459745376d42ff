from django.conf import settings

from govcloud.web.navigation import items_for


def _is_active(section: str, path: str) -> bool:
    return path == "/" if section == "/" else path.startswith(section)


def shell(request):
    user = getattr(request, "user", None)
    roles = user.roles if user is not None and user.is_authenticated else frozenset()
    path = request.path
    return {
        "nav_items": [{"item": item, "active": _is_active(item.section, path)} for item in items_for(roles)],
        "user_role_labels": sorted(str(r.label) for r in roles),
        "site_name": settings.GOVCLOUD_SITE_NAME,
        "languages_available": settings.LANGUAGES,
    }
