"""Serializers of the reports API."""

from __future__ import annotations

from rest_framework import serializers

from govcloud.core.api.params import plausible_year
from govcloud.core.api.serializers import ModelSerializer
from govcloud.reports.models import (
    AnalysisReport,
    PoolKind,
    ProviderReport,
    ProviderReportAttachment,
    ProviderReportEntry,
    ProviderReportKind,
    ReportPeriod,
    ResourcePool,
    UtilizationLine,
    UtilizationReport,
)


class UtilizationReportSerializer(ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True, default=None, allow_null=True)

    class Meta:
        model = UtilizationReport
        fields = [
            "id",
            "period",
            "starts_on",
            "ends_on",
            "organization",
            "organization_name",
            "generated_at",
            "generated_by",
            "resources",
            "idle",
            "overloaded",
            "summary",
        ]
        read_only_fields = fields


class UtilizationLineSerializer(ModelSerializer):
    class Meta:
        model = UtilizationLine
        fields = [
            "id",
            "resource",
            "code",
            "name",
            "kind",
            "department",
            "cpu_avg",
            "cpu_peak",
            "memory_avg",
            "memory_peak",
            "storage_avg",
            "storage_peak",
            "previous_cpu_avg",
            "previous_memory_avg",
            "flag",
        ]
        read_only_fields = fields


class UtilizationRequestSerializer(serializers.Serializer):
    period = serializers.ChoiceField(choices=ReportPeriod.choices)
    day = serializers.DateField(help_text="Any day of the week (Monday to Sunday) or month to report on.")
    organization = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="A department's id; empty for the whole city (the center, the provider).",
    )


class AnalysisReportSerializer(ModelSerializer):
    class Meta:
        model = AnalysisReport
        fields = ["id", "month", "generated_at", "generated_by", "figures"]
        read_only_fields = fields


class AnalysisRequestSerializer(serializers.Serializer):
    month = serializers.DateField(
        help_text="Any day of the month; the report covers the whole month.", validators=[plausible_year]
    )


class ResourcePoolSerializer(ModelSerializer):
    kind = serializers.ChoiceField(choices=PoolKind.choices)

    class Meta:
        model = ResourcePool
        fields = ["id", "name", "kind", "capacity", "note", "updated_at", "updated_by"]
        read_only_fields = ["id", "updated_at", "updated_by"]


class ProviderReportAttachmentSerializer(ModelSerializer):
    class Meta:
        model = ProviderReportAttachment
        fields = ["id", "original_name", "content_type", "size", "sm3", "uploaded_at", "uploaded_by"]
        read_only_fields = fields


class ProviderReportAttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The file to attach: PDF, Word/Excel/PowerPoint, or an image.")


# The report's text is HTML (issue 13): what the web editor writes, cleaned by the service.
BODY_HELP = (
    "The report's text as HTML: p, br, h1-h6, strong/b, em/i, u, s, sub, sup, ul, ol, li, blockquote, pre, code, "
    "hr, a (href http/https/mailto, title), table, thead, tbody, tr, th, td (colspan, rowspan). Anything else "
    "(scripts, styles, event handlers, images, javascript: links) is removed before it is stored; plain text "
    "without tags becomes paragraphs. Refused when nothing readable is left."
)
BODY_HELP_STORED = "The report's text as sanitized HTML (the allow-list of the create and update bodies)."


class ProviderReportSerializer(ModelSerializer):
    is_overdue = serializers.BooleanField(read_only=True)
    was_late = serializers.BooleanField(read_only=True)
    attachments = ProviderReportAttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = ProviderReport
        fields = [
            "id",
            "kind",
            "month",
            "title",
            "body",
            "state",
            "due_at",
            "submitted_at",
            "decided_at",
            "return_reason",
            "is_overdue",
            "was_late",
            "created_at",
            "attachments",
        ]
        read_only_fields = fields
        extra_kwargs = {"body": {"help_text": BODY_HELP_STORED}}


class ProviderReportCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ProviderReportKind.choices)
    month = serializers.DateField(help_text="Any day of the month reported on.")
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(help_text=BODY_HELP)


class ProviderReportUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(help_text=BODY_HELP)


class ProviderReportDecisionSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ProviderReportEntrySerializer(ModelSerializer):
    class Meta:
        model = ProviderReportEntry
        fields = ["id", "kind", "actor_name", "text", "created_at"]
        read_only_fields = fields
