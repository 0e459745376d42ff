"""The monitoring API: the provider's monitoring pushes samples; everyone reads the rollups of the
resources in their scope (a department its own)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet, ViewSet

from govcloud.core.api.errors import as_drf_error
from govcloud.core.api.viewsets import ScopedViewSetMixin
from govcloud.core.permissions import require_role
from govcloud.monitoring import alerts, imports, selectors, services, xlsx_import
from govcloud.monitoring.api import serializers as s
from govcloud.monitoring.filters import AlertFilter, CollectionRunFilter, RollupFilter
from govcloud.monitoring.models import (
    IMPORT_UPLOADERS,
    RULE_EDITORS,
    SAMPLE_PUSHERS,
    Alert,
    AlertRule,
    CollectionRun,
    ImportBatch,
    Rollup,
    SampleSource,
)


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


class CollectionRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """The collector's runs against the provider's Prometheus (Art. 12: utilization watched without
    gaps): newest first, each with its window, counts and error. The center and the provider see
    them; departments get an empty list and 404 (they are nobody's department's data)."""

    queryset = CollectionRun.objects.none()
    serializer_class = s.CollectionRunSerializer
    filterset_class = CollectionRunFilter

    def get_queryset(self):
        return selectors.collection_runs(user=self.request.user)


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


XLSX_RESPONSE = {(200, xlsx_import.XLSX_CONTENT_TYPE): OpenApiTypes.BINARY}


class ImportBatchViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """The provider's utilization tables (资源利用情况表, Art. 12) uploaded as XLSX and imported in the
    background: each batch's state, progress and row counts, its error report. The provider sees
    its organization's batches, the center every batch; departments none."""

    queryset = ImportBatch.objects.select_related("job", "organization").order_by("-created_at", "-pk")
    serializer_class = s.ImportBatchSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.import_batches_for(user=self.request.user)

    @extend_schema(request={"multipart/form-data": s.ImportUploadSerializer}, responses={202: s.ImportBatchSerializer})
    def create(self, request):
        """Upload a filled table (multipart, field `file`) and start its import; follow the batch
        (or its job) for the progress. Rows are checked like pushed samples; rejected rows come
        back in the error report. The provider only (403 for anyone else)."""
        require_role(request.user, IMPORT_UPLOADERS)
        body = s.ImportUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            batch = imports.import_batch_create(actor=request.user, upload=body.validated_data["file"])
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        batch = selectors.import_batch_get(user=request.user, pk=batch.pk)
        return Response(s.ImportBatchSerializer(batch).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses=XLSX_RESPONSE)
    @action(detail=True, methods=["get"], url_path="error-report")
    def error_report(self, request, pk=None):
        """The rejected rows as written in the file, with 错误原因 (the reasons) beside each (XLSX)."""
        batch = self.get_object()
        path = imports.import_error_report_open(actor=request.user, batch=batch)
        return FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename=imports.error_report_filename(batch),
            content_type=xlsx_import.XLSX_CONTENT_TYPE,
        )

    @extend_schema(responses=XLSX_RESPONSE)
    @action(detail=False, methods=["get"])
    def template(self, request):
        """The empty utilization table to fill (XLSX, with an instructions sheet)."""
        response = HttpResponse(xlsx_import.template_workbook(), content_type=xlsx_import.XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition_header(True, "资源利用情况表-模板.xlsx")
        return response
