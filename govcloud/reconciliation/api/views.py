"""REST endpoints of reconciliation. Reads follow the scope (the center and the provider see every
discrepancy, a department those of its own resources); the actions call the services, which check
the role (403) and the state (400); a discrepancy you may not see answers 404."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from govcloud.core.api.errors import as_drf_error
from govcloud.core.api.viewsets import ScopedReadOnlyViewSet, ScopedViewSetMixin
from govcloud.core.permissions import require_role
from govcloud.reconciliation import selectors, services
from govcloud.reconciliation.api.serializers import (
    DiscrepancyAdoptSerializer,
    DiscrepancyDetailSerializer,
    DiscrepancyDismissSerializer,
    DiscrepancyNoteSerializer,
    DiscrepancySerializer,
    ReconciliationRunRequestSerializer,
    ReconciliationRunSerializer,
)
from govcloud.reconciliation.filters import DiscrepancyFilter
from govcloud.reconciliation.models import Discrepancy, ReconciliationRun


def _run(call, **kwargs):
    try:
        return call(**kwargs)
    except DjangoValidationError as exc:
        raise as_drf_error(exc) from exc


class DiscrepancyViewSet(ScopedReadOnlyViewSet):
    """Differences between the ledger and the clouds (shadow, missing, drift), live ones first.
    Filter by `kind`, `state`, `driver`."""

    queryset = Discrepancy.objects.select_related("organization", "resource")
    serializer_class = DiscrepancySerializer
    filterset_class = DiscrepancyFilter
    # The services check the role; the object only needs to be visible.
    view_scoped_actions = frozenset({"adopt", "open_incident", "request_deletion", "confirm_deletion", "dismiss"})

    def get_queryset(self):
        if self.action == "list":
            return selectors.discrepancies_for(user=self.request.user)
        return super().get_queryset().prefetch_related("events")

    def get_serializer_class(self):
        return DiscrepancySerializer if self.action == "list" else DiscrepancyDetailSerializer

    def _fresh(self, d):
        fresh = Discrepancy.objects.select_related("organization", "resource").prefetch_related("events").get(pk=d.pk)
        return Response(DiscrepancyDetailSerializer(fresh, context=self.get_serializer_context()).data)

    @extend_schema(request=DiscrepancyAdoptSerializer, responses=DiscrepancyDetailSerializer)
    @action(detail=True, methods=["post"])
    def adopt(self, request, pk=None):
        """Adopt a shadow resource into the ledger for a department (the center's administrator)."""
        d = self.get_object()
        body = DiscrepancyAdoptSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        _run(services.discrepancy_adopt, actor=request.user, discrepancy=d, **body.validated_data)
        return self._fresh(d)

    @extend_schema(request=DiscrepancyNoteSerializer, responses=DiscrepancyDetailSerializer)
    @action(detail=True, methods=["post"], url_path="open-incident")
    def open_incident(self, request, pk=None):
        """Hand the discrepancy to the provider's operators to investigate."""
        d = self.get_object()
        body = DiscrepancyNoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        _run(services.discrepancy_open_incident, actor=request.user, discrepancy=d, note=body.validated_data["note"])
        return self._fresh(d)

    @extend_schema(request=DiscrepancyNoteSerializer, responses=DiscrepancyDetailSerializer)
    @action(detail=True, methods=["post"], url_path="request-deletion")
    def request_deletion(self, request, pk=None):
        """Ask the owning department (or, for an unowned resource, the center) to confirm deletion."""
        d = self.get_object()
        body = DiscrepancyNoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        _run(services.discrepancy_request_deletion, actor=request.user, discrepancy=d, note=body.validated_data["note"])
        return self._fresh(d)

    @extend_schema(request=None, responses=DiscrepancyDetailSerializer)
    @action(detail=True, methods=["post"], url_path="confirm-deletion")
    def confirm_deletion(self, request, pk=None):
        """The owner confirms: the resource is deleted from the cloud by a background task."""
        d = self.get_object()
        _run(services.discrepancy_confirm_deletion, actor=request.user, discrepancy=d)
        return self._fresh(d)

    @extend_schema(request=DiscrepancyDismissSerializer, responses=DiscrepancyDetailSerializer)
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        """Accept the difference (or withdraw a deletion request)."""
        d = self.get_object()
        body = DiscrepancyDismissSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        _run(services.discrepancy_dismiss, actor=request.user, discrepancy=d, reason=body.validated_data["reason"])
        return self._fresh(d)


class ReconciliationRunViewSet(ScopedViewSetMixin, mixins.ListModelMixin, GenericViewSet):
    """The reconciliation runs, newest first. POST starts one (the center's administrator): every
    automatic driver, or the one named; it runs in the background."""

    queryset = ReconciliationRun.objects.all().order_by("-started_at", "-id")
    serializer_class = ReconciliationRunSerializer
    view_scoped_actions = frozenset({"create"})

    @extend_schema(request=ReconciliationRunRequestSerializer, responses={202: None})
    def create(self, request, *args, **kwargs):
        require_role(request.user, services.RUNNERS)
        body = ReconciliationRunRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        from govcloud.reconciliation.tasks import reconciliation_run_task

        driver = body.validated_data["driver"]
        transaction.on_commit(lambda: reconciliation_run_task.enqueue(driver))
        return Response(status=status.HTTP_202_ACCEPTED)
