from rest_framework import serializers

from govcloud.guide.models import Announcement


class AnnouncementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Announcement
        fields = ["id", "title", "body", "pinned", "published_at"]
        read_only_fields = fields
