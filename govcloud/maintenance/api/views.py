"""The maintenance API (/api/v1/maintenance-windows/): the same selectors and services as the pages.

Reads go through the scope (a department: the approved windows that concern it). Every write is a
service call, which checks the role after the window's scope (404 for a window the caller does not
see, as for a missing one; 403 for a role that may not act) and the state.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from govcloud.core.api.errors import as_drf_error
from govcloud.core.api.viewsets import ScopedViewSetMixin
from govcloud.core.permissions import require_role
from govcloud.maintenance import selectors, services
from govcloud.maintenance.api import serializers as s
from govcloud.maintenance.filters import MaintenanceWindowFilter
from govcloud.maintenance.models import PLANNERS, WindowAction


def call(service, **kwargs):
    """Run a service, turning its ValidationError into DRF's 400 with the same messages."""
    try:
        return service(**kwargs)
    except DjangoValidationError as exc:
        raise as_drf_error(exc) from exc


class MaintenanceWindowViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, GenericViewSet
):
    """Maintenance windows (Art. 12): the provider drafts and submits them, the center approves or
    returns them; the affected departments are notified on approval and see the windows that
    concern them (or the whole platform)."""

    queryset = selectors.window_base()
    serializer_class = s.MaintenanceWindowSerializer
    filterset_class = MaintenanceWindowFilter
    http_method_names = ["get", "post", "patch", "head", "options"]
    # The services check the role after the window's view scope.
    view_scoped_actions = frozenset({"partial_update", "submit", "approve", "return_", "cancel", "start", "complete"})

    def get_queryset(self):
        return selectors.with_scope_figures(super().get_queryset(), user=self.request.user)

    def fresh(self, window):
        return s.MaintenanceWindowSerializer(self.get_queryset().get(pk=window.pk)).data

    @extend_schema(responses=s.MaintenanceWindowDetailSerializer)
    def retrieve(self, request, *args, **kwargs):
        window = self.get_object()
        user = request.user
        context = {
            "departments": selectors.window_departments(user=user, window=window),
            "resources": selectors.window_resources(user=user, window=window),
            "timeline": selectors.window_timeline(window=window),
        }
        return Response(s.MaintenanceWindowDetailSerializer(window, context=context).data)

    @extend_schema(request=s.MaintenanceWindowSerializer, responses={201: s.MaintenanceWindowSerializer})
    def create(self, request):
        """Draft a window (the provider)."""
        require_role(request.user, PLANNERS)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        window = call(services.window_create, actor=request.user, **serializer.validated_data)
        return Response(self.fresh(window), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        """Change a draft or returned window (the provider); what is not sent stays."""
        window = self.get_object()
        require_role(request.user, PLANNERS)
        serializer = self.get_serializer(window, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        window = call(services.window_update, actor=request.user, window=window, **serializer.validated_data)
        return Response(self.fresh(window))

    def _move(self, request, move: WindowAction, body=None):
        window = self.get_object()
        comment = ""
        if body is not None:
            serializer = body(data=request.data)
            serializer.is_valid(raise_exception=True)
            comment = serializer.validated_data.get("comment", "")
        window = call(services.window_transition, actor=request.user, window=window, action=move, comment=comment)
        return Response(self.fresh(window))

    @extend_schema(request=None, responses=s.MaintenanceWindowSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit the window to the center (the provider); a planned window needs the notice period."""
        return self._move(request, WindowAction.SUBMIT)

    @extend_schema(request=s.WindowCommentSerializer, responses=s.MaintenanceWindowSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve the window (the center): the affected departments are notified."""
        return self._move(request, WindowAction.APPROVE, s.WindowCommentSerializer)

    @extend_schema(request=s.WindowRequiredCommentSerializer, responses=s.MaintenanceWindowSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        """Return the window to the provider with what to change (the center)."""
        return self._move(request, WindowAction.RETURN, s.WindowRequiredCommentSerializer)

    @extend_schema(request=s.WindowRequiredCommentSerializer, responses=s.MaintenanceWindowSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel the window before it starts, with the reason (the provider or the center)."""
        return self._move(request, WindowAction.CANCEL, s.WindowRequiredCommentSerializer)

    @extend_schema(request=None, responses=s.MaintenanceWindowSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        """Record that the maintenance started (the provider; the sweep does it at the start)."""
        return self._move(request, WindowAction.START)

    @extend_schema(request=s.WindowCommentSerializer, responses=s.MaintenanceWindowSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Report the maintenance completed (the provider; the sweep does it at the end)."""
        return self._move(request, WindowAction.COMPLETE, s.WindowCommentSerializer)
