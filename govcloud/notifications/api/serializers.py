from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from govcloud.notifications.models import ChannelDelivery, Notification, Robot, RobotFormat, RobotPlatform
from govcloud.notifications.robots import mask_webhook


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "severity", "title", "body", "link", "created_at", "read_at"]
        read_only_fields = fields


class NotificationPreferenceSerializer(serializers.Serializer):
    """One kind of notification and how it reaches you besides the platform. `email` / `sms`:
    true/false is your choice, null the default (`default`: e-mail on, off, or severity = warnings
    and alerts only; `sms_default`: SMS by default for your role). A channel the center made
    mandatory (`email_mandatory`, `sms_mandatory`) cannot be turned off. POST sets `email`, `sms`
    or both."""

    kind = serializers.CharField(max_length=60)
    label = serializers.CharField(read_only=True)
    group = serializers.CharField(read_only=True)
    default = serializers.ChoiceField(choices=["on", "off", "severity"], read_only=True)
    email = serializers.BooleanField(allow_null=True, source="choice", required=False)
    sms = serializers.BooleanField(allow_null=True, source="sms_choice", required=False)
    sms_default = serializers.BooleanField(read_only=True)
    email_mandatory = serializers.BooleanField(read_only=True)
    sms_mandatory = serializers.BooleanField(read_only=True)

    def validate(self, attrs):
        if "choice" not in attrs and "sms_choice" not in attrs:
            raise serializers.ValidationError({"email": [_("Give email, sms or both.")]})
        return attrs


def preference_data(row) -> dict:
    return {
        "kind": row.kind,
        "label": str(row.label),
        "group": row.group,
        "default": row.default,
        "email": row.choice,
        "sms": row.sms_choice,
        "sms_default": row.sms_default,
        "email_mandatory": row.email_mandatory,
        "sms_mandatory": row.sms_mandatory,
    }


class ChannelDeliverySerializer(serializers.ModelSerializer):
    """An SMS or group-robot message and its delivery status (the phone number masked)."""

    class Meta:
        model = ChannelDelivery
        fields = [
            "id",
            "channel",
            "kind",
            "title",
            "target",
            "robot",
            "status",
            "attempts",
            "next_attempt_at",
            "last_error",
            "created_at",
            "sent_at",
        ]
        read_only_fields = fields


class RobotSerializer(serializers.ModelSerializer):
    """A group robot. `webhook_url` and `secret` are write-only: they are never shown back
    (`webhook_hint` shows the address without its key, `signed` whether a secret is saved). On
    change, leave them out to keep the saved ones."""

    webhook_url = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=500)
    secret = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=200)
    webhook_hint = serializers.SerializerMethodField()
    signed = serializers.SerializerMethodField()
    platform = serializers.ChoiceField(choices=RobotPlatform.choices)
    message_format = serializers.ChoiceField(choices=RobotFormat.choices, required=False)
    kinds = serializers.ListField(child=serializers.CharField(max_length=60), allow_empty=False)

    class Meta:
        model = Robot
        fields = [
            "id",
            "name",
            "platform",
            "message_format",
            "organization",
            "duty_team",
            "webhook_url",
            "secret",
            "webhook_hint",
            "signed",
            "kinds",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {"organization": {"required": False}, "duty_team": {"required": False}}

    def validate(self, attrs):
        # Optional on change (left out keeps the saved address), required when a robot is added.
        if self.instance is None and not attrs.get("webhook_url"):
            raise serializers.ValidationError({"webhook_url": [self.fields["webhook_url"].error_messages["required"]]})
        return attrs

    def get_webhook_hint(self, robot) -> str:
        return mask_webhook(robot.webhook_url)

    def get_signed(self, robot) -> bool:
        return bool(robot.secret)
