from rest_framework import viewsets
from rest_framework.permissions import AllowAny

from govcloud.guide import selectors
from govcloud.guide.api.serializers import AnnouncementSerializer


class AnnouncementViewSet(viewsets.ReadOnlyModelViewSet):
    """The service guide's published announcements, pinned first, newest first. Public: no token
    needed (Art. 9: the platform's website)."""

    serializer_class = AnnouncementSerializer
    permission_classes = [AllowAny]

    def get_queryset(self):
        return selectors.published_announcements()
