from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from govcloud.budgets.models import Budget
from govcloud.catalog.models import ResourceKind
from govcloud.organizations.models import Organization


class BudgetSerializer(serializers.ModelSerializer):
    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all())
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = Budget
        fields = [
            "id",
            "organization",
            "organization_name",
            "year",
            "amount",
            "note",
            "set_by_name",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "set_by_name", "created_at", "updated_at"]
        # budget_set replaces a department's budget for the year: no unique-together check here.
        validators = []


class OverviewQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)
    granularity = serializers.ChoiceField(choices=["month", "quarter", "year"], required=False, default="month")
    resource_kind = serializers.ChoiceField(choices=ResourceKind.choices, required=False, allow_blank=True)


class CostRowSerializer(serializers.Serializer):
    organization_id = serializers.IntegerField()
    name = serializers.CharField()
    amounts = serializers.DictField(child=serializers.DecimalField(max_digits=16, decimal_places=2))
    total = serializers.DecimalField(max_digits=16, decimal_places=2)
    last_year = serializers.DecimalField(max_digits=16, decimal_places=2)
    change = serializers.DecimalField(max_digits=16, decimal_places=2)
    change_percent = serializers.DecimalField(max_digits=10, decimal_places=1, allow_null=True)


# One overview, not a list: the viewset's `list` is the only way a router gives a plain URL.
@extend_schema_serializer(many=False)
class FinanceOverviewSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    granularity = serializers.CharField()
    periods = serializers.SerializerMethodField()
    rows = CostRowSerializer(many=True)
    total = serializers.DecimalField(max_digits=16, decimal_places=2)
    last_year = serializers.DecimalField(max_digits=16, decimal_places=2)
    ranking = serializers.SerializerMethodField()
    increases = serializers.SerializerMethodField()

    def get_periods(self, obj) -> list[str]:
        return [key for key, _label in obj["periods"]]

    def get_ranking(self, obj) -> list[int]:
        return [r.organization_id for r in obj["ranking"]]

    def get_increases(self, obj) -> list[int]:
        return [r.organization_id for r in obj["increases"]]
