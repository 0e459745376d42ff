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
from govcloud.monitoring import alerts, selectors, services
from govcloud.monitoring.api import serializers as s
from govcloud.monitoring.filters import AlertFilter, RollupFilter
from govcloud.monitoring.models import RULE_EDITORS, SAMPLE_PUSHERS, Alert, AlertRule, Rollup, SampleSource


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


class AlertViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Utilization alerts (idle, overloaded, nearly full, anomaly — Art. 10, 12, 19), opened and closed
    by the hourly evaluation of the alert rules. A department sees its own resources' alerts."""

    queryset = Alert.objects.select_related("resource__organization").order_by("-opened_at", "-pk")
    serializer_class = s.AlertSerializer
    filterset_class = AlertFilter


class AlertRuleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """The alert rules with their thresholds and windows; the center edits them (PATCH)."""

    queryset = AlertRule.objects.order_by("pk")
    serializer_class = s.AlertRuleSerializer
    pagination_class = None
    http_method_names = ["get", "patch", "head", "options"]

    @extend_schema(request=s.AlertRuleSerializer, responses={200: s.AlertRuleSerializer})
    def partial_update(self, request, *args, **kwargs):
        """Change a rule's threshold, window, minimum change, whether it is enabled and whether its
        alerts open an incident. The center only (403 for anyone else)."""
        require_role(request.user, RULE_EDITORS)
        rule = self.get_object()
        serializer = s.AlertRuleSerializer(rule, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        values = {
            k: serializer.validated_data.get(k, getattr(rule, k))
            for k in ("threshold", "window_days", "change_percent", "enabled", "opens_incident")
        }
        try:
            rule = alerts.alert_rule_update(actor=request.user, rule=rule, **values)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        return Response(s.AlertRuleSerializer(rule).data)
