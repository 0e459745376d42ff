"""Serializers of the monitoring API."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from govcloud.core.api.serializers import ModelSerializer
from govcloud.monitoring.models import Alert, AlertRule, CollectionRun, ImportBatch, Metric, RejectReason, Rollup
from govcloud.monitoring.services import MAX_BATCH


class SampleSerializer(serializers.Serializer):
    """One sample as the provider's monitoring sends it (documentation of the request body: each
    sample is checked by the service and refused on its own, with a reason, never the whole batch)."""

    resource = serializers.CharField(max_length=40, help_text="The resource's ledger number, e.g. TZ-VM-000123.")
    metric = serializers.ChoiceField(choices=Metric.choices)
    time = serializers.DateTimeField(help_text="ISO 8601; without an offset, Asia/Shanghai.")
    value = serializers.FloatField()


class SampleBatchSerializer(serializers.Serializer):
    samples = SampleSerializer(many=True, min_length=1, max_length=MAX_BATCH)


class SampleListField(serializers.Field):
    """A list of 1 to MAX_BATCH items, taken as it is: the service checks each item and refuses a
    bad one on its own (validating each item here too would cost more than storing it)."""

    default_error_messages = {
        "not_a_list": _("Give a list of samples."),
        "empty": _("Give at least one sample."),
        "too_many": _("A batch holds at most {max} samples."),
    }

    def to_internal_value(self, data):
        if not isinstance(data, list):
            self.fail("not_a_list")
        if not data:
            self.fail("empty")
        if len(data) > MAX_BATCH:
            self.fail("too_many", max=MAX_BATCH)
        return data

    def to_representation(self, value):
        return value


class SampleBatchEnvelopeSerializer(serializers.Serializer):
    """The batch as read (see SampleListField)."""

    samples = SampleListField()


class RejectionSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="The sample's position in the batch, from 0.")
    resource = serializers.CharField(allow_blank=True)
    metric = serializers.CharField(allow_blank=True)
    reason = serializers.ChoiceField(choices=RejectReason.choices)
    message = serializers.CharField()


class IngestResultSerializer(serializers.Serializer):
    received = serializers.IntegerField()
    accepted = serializers.IntegerField(help_text="Samples kept (or kept before: a re-sent batch changes nothing).")
    rejected = RejectionSerializer(many=True)


class RollupSerializer(ModelSerializer):
    resource_code = serializers.CharField(source="resource.code", read_only=True)
    resource_name = serializers.CharField(source="resource.name", read_only=True)

    class Meta:
        model = Rollup
        fields = [
            "resource",
            "resource_code",
            "resource_name",
            "metric",
            "period",
            "start",
            "avg",
            "max",
            "p95",
            "count",
        ]
        read_only_fields = fields


class AlertRuleSerializer(ModelSerializer):
    class Meta:
        model = AlertRule
        fields = [
            "id",
            "kind",
            "threshold",
            "window_days",
            "change_percent",
            "enabled",
            "opens_incident",
            "updated_at",
            "updated_by",
        ]
        read_only_fields = ["id", "kind", "updated_at", "updated_by"]


class AlertSerializer(ModelSerializer):
    resource_code = serializers.CharField(source="resource.code", read_only=True)
    resource_name = serializers.CharField(source="resource.name", read_only=True)
    organization = serializers.IntegerField(source="resource.organization_id", read_only=True)
    organization_name = serializers.CharField(source="resource.organization.name", read_only=True)

    class Meta:
        model = Alert
        fields = [
            "id",
            "rule",
            "kind",
            "state",
            "resource",
            "resource_code",
            "resource_name",
            "organization",
            "organization_name",
            "metric",
            "value",
            "threshold",
            "planned",
            "opened_at",
            "last_seen_at",
            "closed_at",
            "incident",
        ]
        read_only_fields = fields


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The filled utilization table (资源利用情况表), XLSX.")


class ImportRejectionSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="The row's number in the sheet, from 1.")
    code = serializers.CharField(allow_blank=True)
    reasons = serializers.ListField(child=serializers.CharField())


class ImportBatchSerializer(ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    percent = serializers.IntegerField(read_only=True)
    rejections = ImportRejectionSerializer(many=True, read_only=True)
    has_error_report = serializers.SerializerMethodField()

    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "organization",
            "organization_name",
            "uploaded_by_name",
            "created_at",
            "state",
            "percent",
            "job",
            "file_name",
            "file_size",
            "sm3",
            "duplicate_of",
            "sheet_name",
            "header_row",
            "rows_total",
            "rows_accepted",
            "rows_rejected",
            "rows_skipped",
            "samples_accepted",
            "failure",
            "rejections",
            "has_error_report",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_has_error_report(self, batch) -> bool:
        return bool(batch.error_report_path)


class CollectionRunSerializer(ModelSerializer):
    """One run of a collector (Prometheus): the window it asked for, how far it is complete, what it
    received, kept and refused (by reason, with the first refusals to read), and its error."""

    class Meta:
        model = CollectionRun
        fields = [
            "id",
            "source",
            "status",
            "started_at",
            "finished_at",
            "window_start",
            "window_end",
            "collected_until",
            "series",
            "received",
            "accepted",
            "rejected",
            "reasons",
            "rejections",
            "error",
        ]
        read_only_fields = fields
