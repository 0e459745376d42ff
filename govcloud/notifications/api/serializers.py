from rest_framework import serializers

from govcloud.notifications.models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "severity", "title", "body", "link", "created_at", "read_at"]
        read_only_fields = fields
