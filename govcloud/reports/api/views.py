"""The reports API (Art. 12): utilization reports (a department reads its own), on-demand generation
as a background job, the monthly analysis, the resource pools and the provider's reports."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from govcloud.audit.services import audit_record
from govcloud.core.api.errors import as_drf_error
from govcloud.core.api.files import FILE_RESPONSE
from govcloud.core.api.serializers import JobSerializer
from govcloud.core.api.viewsets import ScopedViewSetMixin
from govcloud.core.permissions import require_role
from govcloud.organizations.models import Organization
from govcloud.reports import analysis, documents, selectors, services, utilization
from govcloud.reports.api import serializers as s
from govcloud.reports.filters import ProviderReportFilter, UtilizationLineFilter, UtilizationReportFilter
from govcloud.reports.models import (
    ANALYSTS,
    POOL_EDITORS,
    PROVIDER,
    AnalysisReport,
    ProviderReport,
    ProviderReportAction,
    ResourcePool,
    UsageFlag,
    UtilizationReport,
)


def call(service, **kwargs):
    """Run a service, turning its ValidationError into DRF's 400 (409 for a state conflict)."""
    try:
        return service(**kwargs)
    except DjangoValidationError as exc:
        raise as_drf_error(exc) from exc


class UtilizationReportViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Weekly and monthly 资源利用情况表 (Art. 12): per department and city-wide, with totals, the trend
    against the period before and the daily series. A department reads its own."""

    queryset = UtilizationReport.objects.select_related("organization").order_by("-starts_on", "period", "pk")
    serializer_class = s.UtilizationReportSerializer
    filterset_class = UtilizationReportFilter

    @extend_schema(
        responses=s.UtilizationLineSerializer(many=True),
        filters=False,
        parameters=[OpenApiParameter("flag", enum=UsageFlag.values, description="Only this assessment.")],
    )
    @action(detail=True, methods=["get"], filterset_class=None)
    def lines(self, request, pk=None):
        """Each resource's average and peak CPU, memory and storage, last period's averages and the
        assessment (normal, idle, overloaded, no data); `?flag=` narrows."""
        report = self.get_object()
        rows = UtilizationLineFilter(request.query_params, queryset=selectors.utilization_lines(report=report))
        if not rows.is_valid():
            return Response(rows.errors, status=status.HTTP_400_BAD_REQUEST)
        page = self.paginate_queryset(rows.qs)
        return self.get_paginated_response(s.UtilizationLineSerializer(page, many=True).data)

    @extend_schema(request=s.UtilizationRequestSerializer, responses={202: JobSerializer})
    @action(detail=False, methods=["post"])
    def generate(self, request):
        """Build a report on demand as a background job (poll the job for its progress; its result
        links to the report). The center and the provider for any scope, a department for its own."""
        body = s.UtilizationRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        organization = None
        if body.validated_data.get("organization"):
            organization = get_object_or_404(Organization, pk=body.validated_data["organization"])
        job = call(
            utilization.utilization_report_request,
            actor=request.user,
            period=body.validated_data["period"],
            day=body.validated_data["day"],
            organization=organization,
        )
        return Response(JobSerializer(job, context={"request": request}).data, status=status.HTTP_202_ACCEPTED)


class AnalysisReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """The center's monthly analysis reports: the figures of the snapshot, and the PDF."""

    queryset = AnalysisReport.objects.order_by("-month")
    serializer_class = s.AnalysisReportSerializer

    def get_queryset(self):
        return selectors.analysis_reports_for(user=self.request.user)

    @extend_schema(request=s.AnalysisRequestSerializer, responses={201: s.AnalysisReportSerializer})
    @action(detail=False, methods=["post"])
    def generate(self, request):
        """Take (or retake) a month's snapshot (the center, the provider)."""
        require_role(request.user, ANALYSTS)
        body = s.AnalysisRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        report = call(analysis.analysis_report_generate, actor=request.user, month=body.validated_data["month"])
        return Response(s.AnalysisReportSerializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        """The report as one PDF (Chinese, A4)."""
        report = self.get_object()
        audit_record(actor=request.user, action="analysis_report.export", target=report, message=str(report))
        response = HttpResponse(documents.analysis_pdf(report), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="analysis-{report.month:%Y-%m}.pdf"'
        return response


class ResourcePoolViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Resource pools and their capacity (vCPU, memory GB, storage GB): the center records them,
    the monthly analysis sets the allocated resources against them."""

    queryset = ResourcePool.objects.order_by("kind", "name")
    serializer_class = s.ResourcePoolSerializer
    pagination_class = None
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.resource_pools(user=self.request.user)

    def create(self, request):
        """Add a pool (the center's administrator)."""
        require_role(request.user, POOL_EDITORS)
        body = s.ResourcePoolSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        pool = call(
            services.resource_pool_create,
            actor=request.user,
            name=data["name"],
            kind=data["kind"],
            capacity=data["capacity"],
            note=data.get("note", ""),
        )
        return Response(s.ResourcePoolSerializer(pool).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        """Change a pool's name, kind, capacity or note (the center's administrator)."""
        require_role(request.user, POOL_EDITORS)
        pool = self.get_object()
        body = s.ResourcePoolSerializer(pool, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        values = {k: body.validated_data.get(k, getattr(pool, k)) for k in ("name", "kind", "capacity", "note")}
        pool = call(services.resource_pool_update, actor=request.user, pool=pool, **values)
        return Response(s.ResourcePoolSerializer(pool).data)


class ProviderReportViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """The provider's monthly 运行维护报告 and optimization/expansion advice: the provider writes and
    submits, the center acknowledges or returns with a reason. Departments see none."""

    queryset = (
        ProviderReport.objects.select_related("author").prefetch_related("attachments").order_by("-month", "kind", "pk")
    )
    serializer_class = s.ProviderReportSerializer
    filterset_class = ProviderReportFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    @extend_schema(request=s.ProviderReportCreateSerializer, responses={201: s.ProviderReportSerializer})
    def create(self, request):
        """Start a month's report as a draft (the provider)."""
        require_role(request.user, PROVIDER)
        body = s.ProviderReportCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        report = call(services.provider_report_create, actor=request.user, **body.validated_data)
        return Response(s.ProviderReportSerializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ProviderReportUpdateSerializer, responses=s.ProviderReportSerializer)
    def partial_update(self, request, pk=None):
        """Change the title and text while the report is a draft or returned (the provider)."""
        require_role(request.user, PROVIDER)
        report = self.get_object()
        body = s.ProviderReportUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        report = call(services.provider_report_update, actor=request.user, report=report, **body.validated_data)
        return Response(s.ProviderReportSerializer(report).data)

    def _move(self, request, move: str):
        report = self.get_object()
        body = s.ProviderReportDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        report = call(
            services.provider_report_move,
            actor=request.user,
            report=report,
            action=move,
            reason=body.validated_data["reason"],
        )
        return Response(s.ProviderReportSerializer(report).data)

    @extend_schema(request=None, responses=s.ProviderReportSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit the report to the center (the provider)."""
        return self._move(request, ProviderReportAction.SUBMIT)

    @extend_schema(request=s.ProviderReportDecisionSerializer, responses=s.ProviderReportSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """Acknowledge (确认) a submitted report, with an optional comment (the center)."""
        return self._move(request, ProviderReportAction.ACKNOWLEDGE)

    @extend_schema(request=s.ProviderReportDecisionSerializer, responses=s.ProviderReportSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        """Return (退回) a submitted report with the reason (the center)."""
        return self._move(request, ProviderReportAction.RETURN)

    @extend_schema(responses=s.ProviderReportEntrySerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def timeline(self, request, pk=None):
        """The report's timeline: who wrote, submitted, acknowledged or returned it, and when."""
        report = self.get_object()
        return Response(
            s.ProviderReportEntrySerializer(selectors.provider_report_timeline(report=report), many=True).data
        )

    @extend_schema(methods=["GET"], responses=s.ProviderReportAttachmentSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": s.ProviderReportAttachmentUploadSerializer},
        responses={201: s.ProviderReportAttachmentSerializer},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        pagination_class=None,
        parser_classes=[MultiPartParser, FormParser],
        url_path="attachments",
    )
    def attachments(self, request, pk=None):
        """GET: the files attached to the report. POST (multipart, field `file`): attach a file
        (PDF, Office document, image; checked like every upload) while the report is a draft or
        returned — the provider only (403 for anyone else, 409 once submitted)."""
        report = self.get_object()
        if request.method == "POST":
            require_role(request.user, PROVIDER)
            body = s.ProviderReportAttachmentUploadSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            attachment = call(
                services.provider_report_attach, actor=request.user, report=report, upload=body.validated_data["file"]
            )
            return Response(s.ProviderReportAttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)
        rows = selectors.provider_report_attachments(report=report)
        return Response(s.ProviderReportAttachmentSerializer(rows, many=True).data)

    @extend_schema(responses=FILE_RESPONSE)
    @action(
        detail=True,
        methods=["get"],
        url_path="attachments/<id:attachment_id>",
        url_name="attachment-download",
    )
    def attachment_download(self, request, pk=None, attachment_id=None):
        """Download one attached file (the download is audited); 404 for a file of another report."""
        report = self.get_object()
        attachment = selectors.attachment_get(report=report, attachment_id=attachment_id)
        path = services.provider_report_attachment_open(actor=request.user, attachment=attachment)
        return FileResponse(
            path.open("rb"), as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
        )
