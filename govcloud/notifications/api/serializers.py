from rest_framework import serializers

from govcloud.notifications.models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "severity", "title", "body", "link", "created_at", "read_at"]
        read_only_fields = fields


class NotificationPreferenceSerializer(serializers.Serializer):
    """One kind of notification and whether it is e-mailed to you. `email`: true/false is your
    choice, null the kind's default (`default`: on, off, or severity = warnings and alerts only)."""

    kind = serializers.CharField(max_length=60)
    label = serializers.CharField(read_only=True)
    group = serializers.CharField(read_only=True)
    default = serializers.ChoiceField(choices=["on", "off", "severity"], read_only=True)
    email = serializers.BooleanField(allow_null=True, source="choice")


def preference_data(row) -> dict:
    return {
        "kind": row.kind,
        "label": str(row.label),
        "group": row.group,
        "default": row.default,
        "email": row.choice,
    }
