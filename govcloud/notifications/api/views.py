from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from govcloud.core.api.viewsets import ScopedReadOnlyViewSet
from govcloud.notifications import services
from govcloud.notifications.api.serializers import NotificationSerializer
from govcloud.notifications.models import Notification


class NotificationViewSet(ScopedReadOnlyViewSet):
    """Your notifications, newest first."""

    queryset = Notification.objects.all()
    serializer_class = NotificationSerializer
    view_scoped_actions = frozenset({"read"})

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        services.notification_mark_read(actor=request.user, notification=notification)
        notification.refresh_from_db()
        return Response(NotificationSerializer(notification).data)
