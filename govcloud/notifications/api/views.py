from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from govcloud.core.api.errors import as_drf_error
from govcloud.core.api.viewsets import ScopedReadOnlyViewSet, ScopedViewSetMixin
from govcloud.notifications import selectors, services
from govcloud.notifications.api.serializers import (
    ChannelDeliverySerializer,
    NotificationPreferenceSerializer,
    NotificationSerializer,
    RobotSerializer,
    preference_data,
)
from govcloud.notifications.models import ChannelDelivery, Notification, Robot


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
    """Your e-mail and SMS settings per kind of notification. GET lists the kinds you receive or may
    receive; POST `{"kind": "...", "email": true|false|null, "sms": true|false|null}` sets one (null:
    back to the default; either key may be left out)."""

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
        data = serializer.validated_data
        try:
            services.notification_preferences_set(
                actor=request.user,
                choices={kind: data["choice"]} if "choice" in data else None,
                sms={kind: data["sms_choice"]} if "sms_choice" in data else None,
            )
        except DjangoValidationError as exc:
            raise as_drf_error(exc)
        row = next(r for r in selectors.preference_rows(user=request.user) if r.kind == kind)
        return Response(preference_data(row))


class ChannelDeliveryViewSet(ScopedReadOnlyViewSet):
    """SMS and group-robot messages and their delivery status: your own SMS; a department head's
    department's; the center's all. Filter with `?status=` and `?channel=`."""

    queryset = ChannelDelivery.objects.select_related("robot").order_by("-created_at", "-pk")
    serializer_class = ChannelDeliverySerializer

    def get_queryset(self):
        queryset = super().get_queryset()
        for name in ("status", "channel"):
            value = self.request.query_params.get(name)
            if value:
                field = ChannelDelivery._meta.get_field(name)
                if value not in dict(field.choices):
                    raise ValidationError({name: [_("“%(value)s” is not a valid choice.") % {"value": value[:40]}]})
                queryset = queryset.filter(**{name: value})
        return queryset


def _service_call(function, **kwargs):
    try:
        return function(**kwargs)
    except DjangoValidationError as exc:
        raise as_drf_error(exc)
    except DjangoPermissionDenied as exc:
        raise PermissionDenied(str(exc))


class RobotViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Group robots (WeCom / DingTalk webhooks) of departments' and duty teams' groups: the center
    manages all, a department head its department's, the provider's operators the duty teams'.
    The webhook address and the secret are write-only."""

    queryset = Robot.objects.select_related("organization", "duty_team")
    serializer_class = RobotSerializer

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = _service_call(services.robot_create, actor=self.request.user, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("organization", None)
        data.pop("duty_team", None)
        serializer.instance = _service_call(
            services.robot_update, actor=self.request.user, robot=serializer.instance, **data
        )

    def destroy(self, request, *args, **kwargs):
        robot = self.get_object()
        _service_call(services.robot_delete, actor=request.user, robot=robot)
        return Response(status=status.HTTP_204_NO_CONTENT)
