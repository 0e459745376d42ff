from rest_framework import serializers

from govcloud.catalog.models import Quota
from govcloud.core.api.serializers import ModelSerializer
from govcloud.ledger.models import Resource, ResourceHistory
from govcloud.organizations.models import Organization


class ResourceSerializer(ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    system_name = serializers.CharField(source="system.name", read_only=True, default="")
    catalog_item_code = serializers.CharField(source="catalog_item.code", read_only=True)
    catalog_item_name = serializers.CharField(source="catalog_item.name", read_only=True)

    class Meta:
        model = Resource
        fields = [
            "id",
            "code",
            "name",
            "organization",
            "organization_name",
            "system",
            "system_name",
            "catalog_item",
            "catalog_item_code",
            "catalog_item_name",
            "kind",
            "state",
            "spec",
            "addresses",
            "provider_ref",
            "origin_application",
            "vcpu",
            "memory_gb",
            "disk_gb",
            "storage_tb",
            "bandwidth_mbps",
            "public_addresses",
            "os_image",
            "network",
            "delivered_at",
            "in_service_at",
            "terminated_at",
        ]
        read_only_fields = fields


class ResourceHistorySerializer(ModelSerializer):
    application_number = serializers.CharField(source="application.number", read_only=True, default="")

    class Meta:
        model = ResourceHistory
        fields = [
            "id",
            "at",
            "kind",
            "state_before",
            "state_after",
            "spec_before",
            "spec_after",
            "application",
            "application_number",
            "actor_name",
            "note",
        ]
        read_only_fields = fields


class TotalsSerializer(serializers.Serializer):
    organization = serializers.IntegerField(source="organization_id")
    organization_name = serializers.CharField(source="organization__name")
    resources = serializers.IntegerField()
    vcpu = serializers.IntegerField()
    memory_gb = serializers.IntegerField()
    disk_gb = serializers.IntegerField()
    storage_tb = serializers.DecimalField(max_digits=14, decimal_places=2)
    bandwidth_mbps = serializers.IntegerField()
    public_addresses = serializers.IntegerField()


class ResourceExportRequestSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=["xlsx", "csv"], default="xlsx")


class QuotaUsageSerializer(serializers.Serializer):
    vcpu = serializers.IntegerField(source="used_vcpu")
    memory_gb = serializers.IntegerField(source="used_memory_gb")
    disk_gb = serializers.IntegerField(source="used_disk_gb")
    storage_tb = serializers.DecimalField(max_digits=14, decimal_places=2, source="used_storage_tb")
    public_addresses = serializers.IntegerField(source="used_public_addresses")


class QuotaSerializer(serializers.ModelSerializer):
    """A department's limits (empty: no limit) and what it and its units have in use."""

    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all())
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    usage = QuotaUsageSerializer(source="*", read_only=True)

    class Meta:
        model = Quota
        fields = [
            "id",
            "organization",
            "organization_name",
            "vcpu",
            "memory_gb",
            "disk_gb",
            "storage_tb",
            "public_addresses",
            "note",
            "usage",
        ]
        read_only_fields = ["id", "organization_name", "usage"]
        # One quota per department: quota_set creates or replaces it.
        extra_kwargs = {"organization": {"validators": []}}
