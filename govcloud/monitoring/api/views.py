"""The monitoring API: the provider's monitoring pushes samples; everyone reads the rollups of the
resources in their scope (a department its own)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet, ViewSet

from govcloud.core.api.errors import as_drf_error
from govcloud.core.api.viewsets import ScopedViewSetMixin
from govcloud.core.permissions import require_role
from govcloud.monitoring import selectors, services
from govcloud.monitoring.api import serializers as s
from govcloud.monitoring.filters import RollupFilter
from govcloud.monitoring.models import SAMPLE_PUSHERS, Rollup, SampleSource


class SampleViewSet(ViewSet):
    """Utilization samples (监测样本, Art. 7, 12) pushed by the provider's monitoring."""

    @extend_schema(request=s.SampleBatchSerializer, responses={200: s.IngestResultSerializer})
    def create(self, request):
        """Push a batch of samples (CPU %, memory %, disk used GB, disk IOPS, network in/out Mbps,
        storage used GB) of the resources the provider serves. Each sample is checked on its own:
        the answer gives how many were accepted and, for each refused one, its position and the
        reason (unknown resource, not in service at that time, value out of range, time in the
        future or before the raw window…). Sending the same batch again changes nothing. Only the
        provider may push (403 for anyone else)."""
        require_role(request.user, SAMPLE_PUSHERS)
        envelope = s.SampleBatchEnvelopeSerializer(data=request.data)
        envelope.is_valid(raise_exception=True)
        try:
            result = services.samples_ingest(
                actor=request.user, source=SampleSource.PUSH, samples=envelope.validated_data["samples"]
            )
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        body = {
            "received": result.received,
            "accepted": result.accepted,
            "rejected": [r.as_dict() for r in result.rejections],
        }
        return Response(s.IngestResultSerializer(body).data, status=status.HTTP_200_OK)


class RollupViewSet(ScopedViewSetMixin, mixins.ListModelMixin, GenericViewSet):
    """Hourly and daily rollups (汇总) of utilization: average, peak, 95th percentile and the number of
    samples per resource, metric and hour or day. A department sees its own resources'."""

    queryset = Rollup.objects.select_related("resource").order_by("resource_id", "metric", "period", "start")
    serializer_class = s.RollupSerializer
    filterset_class = RollupFilter

    def get_queryset(self):
        return selectors.rollups_for(user=self.request.user)
