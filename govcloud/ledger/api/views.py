"""REST endpoints of the resource ledger and the quotas. Reads follow the scope (a department sees
its own resources and its units'; the center, the provider and finance see all); quotas are set
by the center's administrator (the service checks the role)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from govcloud.catalog.models import Quota
from govcloud.catalog.services import QUOTA_FIELDS, quota_set
from govcloud.core.api.errors import as_drf_error
from govcloud.core.api.serializers import JobSerializer
from govcloud.core.api.viewsets import ScopedReadOnlyViewSet, ScopedViewSetMixin
from govcloud.core.scoping import get_scoped_or_404
from govcloud.ledger import selectors
from govcloud.ledger.api.serializers import (
    QuotaSerializer,
    ResourceExportRequestSerializer,
    ResourceHistorySerializer,
    ResourceSerializer,
    TotalsSerializer,
)
from govcloud.ledger.exports import resources_export_start
from govcloud.ledger.filters import ResourceFilter
from govcloud.ledger.models import Resource


def _run(call, *args, **kwargs):
    try:
        return call(*args, **kwargs)
    except DjangoValidationError as exc:
        raise as_drf_error(exc) from exc


class ResourceViewSet(ScopedReadOnlyViewSet):
    """The resource ledger (资源台账, Art. 7): every resource delivered, its owner, system,
    application of origin, catalog item and spec, addresses and state. Filters as on the page."""

    queryset = Resource.objects.select_related("organization", "system", "catalog_item").order_by("-created_at", "-id")
    serializer_class = ResourceSerializer
    filterset_class = ResourceFilter
    view_scoped_actions = frozenset({"export"})

    @extend_schema(responses=ResourceHistorySerializer(many=True), filters=False)
    @action(detail=True, methods=["get"], pagination_class=None)
    def history(self, request, pk=None):
        """The resource's full history, oldest first, with the application behind each change."""
        resource = self.get_object()
        return Response(ResourceHistorySerializer(selectors.history_of(resource), many=True).data)

    @extend_schema(responses=TotalsSerializer(many=True))
    @action(detail=False, methods=["get"], pagination_class=None)
    def totals(self, request):
        """vCPU, memory, disk, storage, bandwidth and public addresses per owning organization of the
        resources matching the filters (in use only, unless a `state` is given): one grouped query."""
        queryset = self.filter_queryset(self.get_queryset())
        if not request.query_params.get("state"):
            queryset = queryset.filter(state__in=selectors.IN_USE)
        return Response(TotalsSerializer(selectors.totals_by_department(queryset), many=True).data)

    @extend_schema(request=ResourceExportRequestSerializer, responses={202: JobSerializer}, filters=True)
    @action(detail=False, methods=["post"])
    def export(self, request):
        """Start an XLSX (or CSV) export of the resources matching the query string, within your
        scope; follow the job for its progress and download."""
        body = ResourceExportRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        job = _run(
            resources_export_start,
            actor=request.user,
            filters=self.checked_filters(),
            fmt=body.validated_data["format"],
        )
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class QuotaViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    GenericViewSet,
):
    """Department quotas with their usage. POST sets (creates or replaces) a department's quota;
    PATCH changes some limits. Only the center's administrator sets them."""

    queryset = Quota.objects.all()
    serializer_class = QuotaSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    # The service checks the role; creating names an organization, not a visible quota.
    view_scoped_actions = frozenset({"create"})

    def _with_usage(self, queryset):
        return selectors.quotas_with_usage(queryset)

    def get_queryset(self):
        return self._with_usage(super().get_queryset())

    def get_object(self):
        obj = get_scoped_or_404(
            self._with_usage(Quota.objects.all()), self.request.user, self.scope_action(), pk=self.kwargs["pk"]
        )
        self.check_object_permissions(self.request, obj)
        return obj

    def _fresh(self, quota, code=status.HTTP_200_OK):
        fresh = self._with_usage(Quota.objects.filter(pk=quota.pk)).get()
        return Response(QuotaSerializer(fresh).data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        quota = _run(quota_set, actor=request.user, **serializer.validated_data)
        return self._fresh(quota, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        quota = self.get_object()
        serializer = self.get_serializer(quota, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        values = {name: getattr(quota, name) for name in QUOTA_FIELDS}
        values.update({k: v for k, v in serializer.validated_data.items() if k != "organization"})
        quota = _run(quota_set, actor=request.user, organization=quota.organization, **values)
        return self._fresh(quota)
