from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from govcloud.core.api.errors import as_drf_error
from govcloud.core.api.viewsets import ScopedReadOnlyViewSet
from govcloud.notifications import selectors, services
from govcloud.notifications.api.serializers import (
    NotificationPreferenceSerializer,
    NotificationSerializer,
    preference_data,
)
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


class NotificationPreferenceViewSet(viewsets.ViewSet):
    """Your e-mail settings per kind of notification. GET lists the kinds you receive or may
    receive; POST `{"kind": "...", "email": true|false|null}` sets one (null: back to the default)."""

    serializer_class = NotificationPreferenceSerializer

    @extend_schema(responses=NotificationPreferenceSerializer(many=True))
    def list(self, request):
        rows = selectors.preference_rows(user=request.user)
        return Response([preference_data(row) for row in rows])

    @extend_schema(request=NotificationPreferenceSerializer, responses={200: NotificationPreferenceSerializer})
    def create(self, request):
        serializer = NotificationPreferenceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        kind = serializer.validated_data["kind"]
        rows = {row.kind: row for row in selectors.preference_rows(user=request.user)}
        if kind not in rows:
            raise ValidationError({"kind": [_("You receive no notifications of this kind.")]})
        try:
            services.notification_preferences_set(
                actor=request.user, choices={kind: serializer.validated_data["choice"]}
            )
        except DjangoValidationError as exc:
            raise as_drf_error(exc)
        row = next(r for r in selectors.preference_rows(user=request.user) if r.kind == kind)
        return Response(preference_data(row))
