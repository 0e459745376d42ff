"""The applications app's API routes; govcloud/api.py calls register()."""

from govcloud.applications.api.views import ApplicationAttachmentViewSet, ApplicationViewSet


def register(router) -> None:
    router.register("applications", ApplicationViewSet, basename="application")
    router.register("application-attachments", ApplicationAttachmentViewSet, basename="application-attachment")
