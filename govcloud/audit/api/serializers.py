import json

from rest_framework import serializers

from govcloud.audit.models import AuditEvent


class AuditEventSerializer(serializers.ModelSerializer):
    changes = serializers.SerializerMethodField()

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "seq",
            "occurred_at",
            "actor_id",
            "actor_username",
            "actor_name",
            "actor_roles",
            "organization_id",
            "organization_name",
            "action",
            "outcome",
            "object_type",
            "object_id",
            "object_repr",
            "changes",
            "message",
            "request_id",
            "source_ip",
            "prev_hash",
            "hash",
        ]
        read_only_fields = fields

    def get_changes(self, event) -> dict:
        return json.loads(event.changes) if event.changes else {}


class ExportRequestSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=["xlsx", "csv"], default="xlsx")


class VerifyResultSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    checked = serializers.IntegerField()
    broken_seq = serializers.IntegerField(allow_null=True)
    summary = serializers.CharField()
    recorded = serializers.BooleanField(
        help_text="Whether the verdict was appended to the audit trail: only when the chain head's signature "
        "verifies with the server's key, so that a run with a wrong key never re-signs the chain."
    )
