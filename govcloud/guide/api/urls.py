"""The guide's API routes; govcloud/api.py calls register()."""

from govcloud.guide.api.views import AnnouncementViewSet


def register(router) -> None:
    router.register("announcements", AnnouncementViewSet, basename="announcement")
