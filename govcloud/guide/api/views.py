from rest_framework import viewsets
from rest_framework.permissions import AllowAny

from govcloud.core.api.routers import ID
from govcloud.guide import selectors
from govcloud.guide.api.serializers import AnnouncementSerializer


class AnnouncementViewSet(viewsets.ReadOnlyModelViewSet):
    """The service guide's published announcements, pinned first, newest first. Public: no token
    needed (Art. 9: the platform's website)."""

    serializer_class = AnnouncementSerializer
    lookup_value_converter = ID
    permission_classes = [AllowAny]

    def get_queryset(self):
        return selectors.published_announcements()
