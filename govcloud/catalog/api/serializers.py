from django.utils import timezone
from rest_framework import serializers

from govcloud.catalog.models import (
    CODE_VALIDATOR,
    CatalogItem,
    NetworkKind,
    Price,
    PriceList,
    PriceUnit,
    ResourceKind,
    SpecOption,
    SpecRange,
)
from govcloud.catalog.selectors import price_list_on, price_list_status


class SpecOptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = SpecOption
        fields = ["id", "dimension", "value", "label", "sort", "retired_at"]
        read_only_fields = fields


class SpecRangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = SpecRange
        fields = ["dimension", "minimum", "maximum", "step", "required"]
        read_only_fields = fields


class CatalogItemSerializer(serializers.ModelSerializer):
    """A catalog item with its allowed values (retired ones marked) and ranges."""

    options = SpecOptionSerializer(many=True, read_only=True)
    ranges = SpecRangeSerializer(many=True, read_only=True)
    is_retired = serializers.BooleanField(read_only=True)

    class Meta:
        model = CatalogItem
        fields = [
            "id",
            "kind",
            "code",
            "name",
            "description",
            "engine",
            "network",
            "sort",
            "retired_at",
            "is_retired",
            "options",
            "ranges",
        ]
        read_only_fields = ["id", "retired_at", "is_retired", "options", "ranges"]
        # Uniqueness is the service's (in its transaction); the code's form is checked here too.
        extra_kwargs = {"code": {"validators": [CODE_VALIDATOR]}}


class CatalogQuerySerializer(serializers.Serializer):
    available = serializers.BooleanField(
        required=False, default=False, help_text="Only what a new application may choose (no retired items or values)."
    )


class CatalogItemUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    engine = serializers.CharField(max_length=60, required=False, allow_blank=True)
    network = serializers.ChoiceField(choices=[("", "—"), *NetworkKind.choices], required=False, allow_blank=True)
    sort = serializers.IntegerField(min_value=0, max_value=32000, required=False)


class RetireSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class OptionAddSerializer(serializers.Serializer):
    dimension = serializers.CharField(max_length=30)
    value = serializers.CharField(max_length=60)
    label = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")


class RangeSetSerializer(serializers.Serializer):
    dimension = serializers.CharField(max_length=30)
    minimum = serializers.DecimalField(max_digits=12, decimal_places=2)
    maximum = serializers.DecimalField(max_digits=12, decimal_places=2)
    step = serializers.DecimalField(max_digits=12, decimal_places=2, default=1)
    required = serializers.BooleanField(default=True)


class EstimateRequestSerializer(serializers.Serializer):
    spec = serializers.DictField(help_text='The fields of the item, e.g. {"vcpu": 4, "memory_gb": 8, ...}.')
    quantity = serializers.IntegerField(min_value=1, max_value=1000, default=1)
    on = serializers.DateField(required=False, help_text="Prices in effect on this day (default: today).")


class EstimateSerializer(serializers.Serializer):
    spec = serializers.DictField(help_text="The cleaned spec.")
    quantity = serializers.IntegerField()
    monthly_estimate = serializers.DecimalField(max_digits=14, decimal_places=2)
    price_list = serializers.IntegerField(allow_null=True)


class PriceSerializer(serializers.ModelSerializer):
    item_name = serializers.CharField(source="item.name", read_only=True, default="")

    class Meta:
        model = Price
        fields = ["unit", "item", "item_name", "amount"]
        read_only_fields = fields


class PriceListSerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()
    prices = PriceSerializer(many=True, read_only=True)

    class Meta:
        model = PriceList
        fields = ["id", "name", "effective_from", "note", "status", "published_at", "published_by_name", "prices"]
        read_only_fields = ["id", "status", "published_at", "published_by_name", "prices"]
        extra_kwargs = {"effective_from": {"validators": []}}

    def get_status(self, price_list) -> str:
        if "current_pk" not in self.context:
            current = price_list_on()
            self.context["current_pk"] = current.pk if current else None
        return price_list_status(price_list, timezone.localdate(), self.context["current_pk"])


class PriceListCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    effective_from = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class PriceListUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120, required=False)
    effective_from = serializers.DateField(required=False)
    note = serializers.CharField(required=False, allow_blank=True)


class PriceSetSerializer(serializers.Serializer):
    unit = serializers.ChoiceField(choices=PriceUnit.choices)
    amount = serializers.DecimalField(max_digits=12, decimal_places=4, min_value=0)
    item = serializers.PrimaryKeyRelatedField(
        queryset=CatalogItem.objects.filter(kind=ResourceKind.DATABASE), required=False, allow_null=True, default=None
    )


class PriceComparisonSerializer(serializers.Serializer):
    unit = serializers.CharField()
    item = serializers.IntegerField(allow_null=True)
    label = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True)
    previous = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True)
    change = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True)
    change_percent = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)
