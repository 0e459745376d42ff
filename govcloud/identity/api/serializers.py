from rest_framework import serializers

from govcloud.identity.models import IdentityLinkRequest


class IdentityLinkRequestSerializer(serializers.ModelSerializer):
    class Meta:
        model = IdentityLinkRequest
        fields = [
            "id",
            "protocol",
            "issuer",
            "subject",
            "display_name",
            "email",
            "match_value",
            "attempts",
            "status",
            "user",
            "decided_by",
            "decided_at",
            "note",
            "created_at",
        ]
        read_only_fields = fields


class LinkSerializer(serializers.Serializer):
    user = serializers.IntegerField(help_text="The existing account to link the identity to.")


class RefuseSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500)
