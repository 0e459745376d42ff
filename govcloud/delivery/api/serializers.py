from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from govcloud.delivery.models import TerminationEvidence, WorkOrder, WorkOrderNote
from govcloud.delivery.selectors import Queue


class WorkOrderNoteSerializer(serializers.ModelSerializer):
    class Meta:
        model = WorkOrderNote
        fields = ["id", "at", "actor_name", "kind", "text"]


class WorkOrderSerializer(serializers.ModelSerializer):
    application_number = serializers.CharField(source="application.number", read_only=True)
    organization = serializers.CharField(source="application.organization.name", read_only=True)
    catalog_item = serializers.CharField(source="item.catalog_item.code", read_only=True)
    approved_quantity = serializers.IntegerField(source="item.approved_quantity", read_only=True, allow_null=True)
    approved_spec = serializers.JSONField(source="item.approved_spec", read_only=True, allow_null=True)
    target_resource = serializers.CharField(
        source="item.target_resource.code", read_only=True, default=None, allow_null=True
    )
    claimed_by_name = serializers.CharField(source="claimed_by.full_name", read_only=True, default="")
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)

    class Meta:
        model = WorkOrder
        fields = [
            "id",
            "number",
            "application",
            "application_number",
            "organization",
            "item",
            "catalog_item",
            "approved_quantity",
            "approved_spec",
            "target_resource",
            "kind",
            "state",
            "driver",
            "due_at",
            "due_provisional",
            "overdue",
            "claimed_by",
            "claimed_by_name",
            "claimed_at",
            "completed_at",
            "completed_by_name",
            "delivered",
            "attempts",
            "failure_reason",
            "reopened_at",
        ]
        read_only_fields = fields


class TerminationEvidenceSerializer(serializers.ModelSerializer):
    """A termination's destruction certificate or handover record and the department's decision
    (Art. 18); the file itself is downloaded from .../evidence/file/."""

    has_file = serializers.BooleanField(read_only=True)

    class Meta:
        model = TerminationEvidence
        fields = [
            "kind",
            "state",
            "statement",
            "has_file",
            "original_name",
            "content_type",
            "size",
            "sm3",
            "submitted_by_name",
            "submitted_at",
            "decided_by_name",
            "decided_at",
            "decision_comment",
        ]
        read_only_fields = fields


class WorkOrderDetailSerializer(WorkOrderSerializer):
    notes = WorkOrderNoteSerializer(many=True, read_only=True)
    evidence = serializers.SerializerMethodField()

    class Meta(WorkOrderSerializer.Meta):
        fields = [*WorkOrderSerializer.Meta.fields, "notes", "evidence"]
        read_only_fields = fields

    @extend_schema_field(TerminationEvidenceSerializer(allow_null=True))
    def get_evidence(self, order) -> dict | None:
        evidence = getattr(order, "evidence", None) if order.kind == "terminate" else None
        return TerminationEvidenceSerializer(evidence).data if evidence is not None else None


class EvidenceRequestSerializer(serializers.Serializer):
    statement = serializers.CharField(max_length=4000)
    document = serializers.FileField(required=False, help_text="PDF, PNG or JPEG; required for a destruction")


class EvidenceDecisionSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class QueueQuerySerializer(serializers.Serializer):
    queue = serializers.ChoiceField(
        choices=[Queue.OPEN, Queue.MINE, Queue.DONE, Queue.ALL], default=Queue.ALL, help_text="default all"
    )


class NoteRequestSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=4000)


class AddressSerializer(serializers.Serializer):
    network = serializers.CharField(default="extranet")
    address = serializers.CharField()
    domain = serializers.CharField(required=False, allow_blank=True, default="")


class DeliveredResourceSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, default="")
    spec = serializers.DictField(required=False, default=dict)
    addresses = AddressSerializer(many=True, required=False, default=list)
    provider_ref = serializers.CharField(required=False, allow_blank=True, default="")


class CompleteRequestSerializer(serializers.Serializer):
    """Provision: one entry per resource (name, spec, addresses, provider_ref). Change: one entry with
    the spec. Terminate: no entries, a note recording the data handover or destruction."""

    delivered = DeliveredResourceSerializer(many=True, required=False, default=list)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
