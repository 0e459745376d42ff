"""Serializers of the service desk API. Ids of systems, resources and severities are plain numbers
the services check against the caller's scope (a PrimaryKeyRelatedField would tell another
department's ids apart from missing ones)."""

from __future__ import annotations

from rest_framework import serializers

from govcloud.core.api.params import IdField
from govcloud.core.api.serializers import ModelSerializer
from govcloud.incidents.models import DutyShift, Incident, IncidentEntry, IncidentSeverity


class IncidentSeveritySerializer(ModelSerializer):
    response_minutes_effective = serializers.SerializerMethodField()

    class Meta:
        model = IncidentSeverity
        fields = [
            "id",
            "code",
            "name",
            "rank",
            "definition",
            "is_major",
            "response_minutes",
            "response_minutes_effective",
            "recovery_hours",
        ]
        read_only_fields = fields

    def get_response_minutes_effective(self, obj) -> int:
        return int(obj.response_limit.total_seconds() // 60)


class IncidentResourceRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class IncidentAttachmentSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    original_name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()


class IncidentSerializer(ModelSerializer):
    """Reading: the incident with its clocks. Creating (a department, channel "api"): title,
    symptom, severity id, optional system id and resource ids from the department's own ledger."""

    severity = IdField(write_only=True, help_text="severity id (see /api/v1/incident-severities/)")
    severity_detail = IncidentSeveritySerializer(source="severity", read_only=True)
    system = IdField(write_only=True, required=False, allow_null=True, help_text="information system id")
    system_id = serializers.IntegerField(read_only=True, allow_null=True)
    system_name = serializers.CharField(source="system.name", read_only=True, default=None, allow_null=True)
    resources = serializers.ListField(
        child=IdField(), write_only=True, required=False, help_text="resource ids from the department's ledger"
    )
    resource_list = IncidentResourceRefSerializer(source="resources", many=True, read_only=True)
    organization_id = serializers.IntegerField(read_only=True, allow_null=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True, default=None, allow_null=True)
    responder_name = serializers.CharField(source="responder.full_name", read_only=True, default=None, allow_null=True)
    response_seconds = serializers.IntegerField(read_only=True, allow_null=True)
    response_breached = serializers.BooleanField(read_only=True)
    recovery_breached = serializers.BooleanField(read_only=True)
    merged_into_id = serializers.IntegerField(read_only=True, allow_null=True)
    attachments = IncidentAttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Incident
        fields = [
            "id",
            "number",
            "title",
            "symptom",
            "severity",
            "severity_detail",
            "system",
            "system_id",
            "system_name",
            "resources",
            "resource_list",
            "organization_id",
            "organization_name",
            "contact_name",
            "contact_phone",
            "channel",
            "caller",
            "state",
            "reported_at",
            "response_due_at",
            "recovery_due_at",
            "responded_at",
            "responder_name",
            "response_seconds",
            "responded_in_time",
            "response_breached",
            "recovered_at",
            "recovered_in_time",
            "recovery_breached",
            "closed_at",
            "workaround",
            "root_cause",
            "resolution",
            "rating",
            "rating_comment",
            "merged_into_id",
            "attachments",
        ]
        read_only_fields = [
            "id",
            "number",
            "channel",
            "caller",
            "state",
            "reported_at",
            "response_due_at",
            "recovery_due_at",
            "responded_at",
            "responded_in_time",
            "recovered_at",
            "recovered_in_time",
            "closed_at",
            "workaround",
            "root_cause",
            "resolution",
            "rating",
            "rating_comment",
        ]
        extra_kwargs = {"contact_name": {"required": False}, "contact_phone": {"required": False}}


class IncidentPhoneCallSerializer(serializers.Serializer):
    organization = IdField(help_text="the calling department's id")
    caller = serializers.CharField(max_length=100)
    called_at = serializers.DateTimeField(help_text="when the department called: the clock starts here")
    title = serializers.CharField(max_length=200)
    symptom = serializers.CharField()
    severity = IdField()
    system = IdField(required=False, allow_null=True)
    resources = serializers.ListField(child=IdField(), required=False)
    contact_phone = serializers.CharField(max_length=40, required=False, allow_blank=True)


class IncidentEntrySerializer(ModelSerializer):
    class Meta:
        model = IncidentEntry
        fields = ["id", "kind", "actor_name", "text", "created_at"]
        read_only_fields = fields


class IncidentClaimSerializer(serializers.Serializer):
    message = serializers.CharField(help_text="the first answer to the reporter")


class IncidentMessageSerializer(serializers.Serializer):
    body = serializers.CharField()


class IncidentNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class IncidentRecoverSerializer(serializers.Serializer):
    resolution = serializers.CharField()
    workaround = serializers.CharField(required=False, allow_blank=True, default="")
    root_cause = serializers.CharField(required=False, allow_blank=True, default="")


class IncidentCommentSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class IncidentReopenSerializer(serializers.Serializer):
    reason = serializers.CharField()


class IncidentRateSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class IncidentMergeSerializer(serializers.Serializer):
    into = IdField(help_text="the incident id to merge into")
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class IncidentShiftSerializer(ModelSerializer):
    team_name = serializers.CharField(source="team.name", read_only=True)
    primary_name = serializers.CharField(source="primary.full_name", read_only=True)
    backup_name = serializers.CharField(source="backup.full_name", read_only=True, default=None, allow_null=True)

    class Meta:
        model = DutyShift
        fields = ["id", "team_name", "starts_at", "ends_at", "primary_name", "backup_name"]
        read_only_fields = fields
