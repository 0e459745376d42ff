from rest_framework import serializers

from govcloud.catalog.models import CatalogItem
from govcloud.core.api.serializers import ModelSerializer
from govcloud.organizations.models import Organization, OrganizationKind
from govcloud.reconciliation.models import Discrepancy, DiscrepancyEvent, ReconciliationRun
from govcloud.systems.models import InformationSystem


class ReconciliationRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReconciliationRun
        fields = [
            "id",
            "driver",
            "started_at",
            "finished_at",
            "started_by_name",
            "status",
            "error",
            "cloud_count",
            "ledger_count",
            "shadow_count",
            "missing_count",
            "drift_count",
            "resolved_count",
        ]
        read_only_fields = fields


class ReconciliationRunRequestSerializer(serializers.Serializer):
    driver = serializers.CharField(required=False, allow_blank=True, default="")


class DiscrepancySerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True, default="")
    resource_code = serializers.CharField(source="resource.code", read_only=True, default="")

    class Meta:
        model = Discrepancy
        fields = [
            "id",
            "kind",
            "state",
            "driver",
            "ref",
            "provider_id",
            "resource",
            "resource_code",
            "organization",
            "organization_name",
            "fields",
            "first_seen_at",
            "last_seen_at",
            "decided_at",
            "decided_by_name",
            "note",
            "closed_at",
        ]
        read_only_fields = fields


class DiscrepancyEventSerializer(ModelSerializer):
    class Meta:
        model = DiscrepancyEvent
        fields = ["at", "state_before", "state_after", "actor_name", "note"]
        read_only_fields = fields


class DiscrepancyDetailSerializer(DiscrepancySerializer):
    events = DiscrepancyEventSerializer(many=True, read_only=True)
    actions = serializers.SerializerMethodField()

    class Meta(DiscrepancySerializer.Meta):
        fields = [
            *DiscrepancySerializer.Meta.fields,
            "observed",
            "expected",
            "deletion_requested_by_name",
            "deletion_confirmed_by_name",
            "events",
            "actions",
        ]
        read_only_fields = fields

    def get_actions(self, obj) -> list[str]:
        from govcloud.reconciliation.services import available_actions

        return list(available_actions(self.context["request"].user, obj))


class DiscrepancyAdoptSerializer(serializers.Serializer):
    organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.filter(kind=OrganizationKind.DEPARTMENT)
    )
    system = serializers.PrimaryKeyRelatedField(
        queryset=InformationSystem.objects.all(), required=False, allow_null=True
    )
    catalog_item = serializers.PrimaryKeyRelatedField(queryset=CatalogItem.objects.filter(retired_at__isnull=True))
    name = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class DiscrepancyNoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000)


class DiscrepancyDismissSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)
