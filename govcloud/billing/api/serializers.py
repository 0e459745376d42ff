from rest_framework import serializers

from govcloud.billing.models import Statement, StatementLine
from govcloud.core.api.params import IdField


class StatementLineSerializer(serializers.ModelSerializer):
    resource_code = serializers.CharField(source="resource.code", default="", read_only=True)

    class Meta:
        model = StatementLine
        fields = [
            "id",
            "resource",
            "resource_code",
            "system",
            "resource_kind",
            "unit",
            "unit_detail",
            "quantity",
            "unit_price",
            "starts_at",
            "ends_at",
            "seconds",
            "amount",
            "adjusts",
            "reason",
            "is_adjustment",
        ]
        read_only_fields = fields


class StatementSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = Statement
        fields = [
            "id",
            "number",
            "organization",
            "organization_name",
            "period",
            "state",
            "total",
            "drafted_at",
            "issue_after",
            "issued_at",
            "verification_code",
        ]
        read_only_fields = fields


class AdjustmentSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text="The id of a line of this (issued) statement.")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    reason = serializers.CharField(max_length=2000)


class MonthToDateQuerySerializer(serializers.Serializer):
    organization = IdField(required=False, help_text="Default: your own organization.")


class MonthToDateSerializer(serializers.Serializer):
    period = serializers.DateField()
    cost = serializers.DecimalField(max_digits=14, decimal_places=2)
    forecast = serializers.DecimalField(max_digits=14, decimal_places=2)
