"""Serializers of the waste-control API."""

from __future__ import annotations

from rest_framework import serializers

from govcloud.core.api.serializers import ModelSerializer
from govcloud.waste.models import Expiry, RightsizingAdvice


class _ResourceFields(ModelSerializer):
    resource_code = serializers.CharField(source="resource.code", read_only=True)
    resource_name = serializers.CharField(source="resource.name", read_only=True)
    organization = serializers.IntegerField(source="resource.organization_id", read_only=True)
    organization_name = serializers.CharField(source="resource.organization.name", read_only=True)


class RightsizingAdviceSerializer(_ResourceFields):
    class Meta:
        model = RightsizingAdvice
        fields = [
            "id",
            "state",
            "resource",
            "resource_code",
            "resource_name",
            "organization",
            "organization_name",
            "computed_at",
            "window_days",
            "days",
            "cpu_peak",
            "memory_peak",
            "headroom_percent",
            "current_vcpu",
            "current_memory_gb",
            "recommended_vcpu",
            "recommended_memory_gb",
            "current_monthly",
            "recommended_monthly",
            "monthly_saving",
            "price_list",
            "decided_at",
            "decided_by_name",
            "dismiss_reason",
            "application",
        ]
        read_only_fields = fields


class AdviceDetailSerializer(RightsizingAdviceSerializer):
    class Meta(RightsizingAdviceSerializer.Meta):
        fields = [*RightsizingAdviceSerializer.Meta.fields, "series"]
        read_only_fields = fields


class DismissSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class AcceptResultSerializer(serializers.Serializer):
    advice = RightsizingAdviceSerializer()
    application = serializers.IntegerField(help_text="The drafted change application's id.")
    application_number = serializers.CharField()


class ExpirySerializer(_ResourceFields):
    class Meta:
        model = Expiry
        fields = [
            "id",
            "state",
            "resource",
            "resource_code",
            "resource_name",
            "organization",
            "organization_name",
            "needed_until",
            "test_environment",
            "warned_days",
            "drafted_at",
            "grace_until",
            "escalated_at",
            "closed_at",
            "termination_application",
            "extension_application",
        ]
        read_only_fields = fields


class ExtendSerializer(serializers.Serializer):
    needed_until = serializers.DateField()
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ApplicationRefSerializer(serializers.Serializer):
    application = serializers.IntegerField()
    application_number = serializers.CharField()
