"""Serializers of the maintenance API."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from govcloud.core.api.params import IdField
from govcloud.core.api.serializers import ModelSerializer
from govcloud.ledger.models import Resource
from govcloud.maintenance.models import MAX_RESOURCES, AffectedDepartment, MaintenanceWindow, WindowEvent

READ_ONLY = [
    "id",
    "number",
    "state",
    "submitted_at",
    "approved_at",
    "decision_comment",
    "started_at",
    "completed_at",
    "cancelled_at",
]


class MaintenanceWindowSerializer(ModelSerializer):
    """Reading: the window with how many departments and resources it concerns (of those the
    caller sees). Writing (the provider): the window with the resources and whole departments
    it concerns; the resources' owners are added to the departments."""

    resources = serializers.ListField(
        child=IdField(),
        write_only=True,
        required=False,
        max_length=MAX_RESOURCES,
        help_text="ledger resource ids",
    )
    departments = serializers.ListField(
        child=IdField(),
        write_only=True,
        required=False,
        help_text="ids of departments concerned as a whole (all of their resources)",
    )
    department_count = serializers.IntegerField(read_only=True, default=None, allow_null=True)
    resource_count = serializers.IntegerField(read_only=True, default=None, allow_null=True)

    class Meta:
        model = MaintenanceWindow
        fields = [
            "id",
            "number",
            "title",
            "kind",
            "state",
            "start",
            "end",
            "impact",
            "platform_wide",
            "resources",
            "departments",
            "department_count",
            "resource_count",
            "submitted_at",
            "approved_at",
            "decision_comment",
            "started_at",
            "completed_at",
            "cancelled_at",
        ]
        read_only_fields = READ_ONLY


class AffectedDepartmentSerializer(ModelSerializer):
    name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = AffectedDepartment
        fields = ["organization", "name", "whole"]
        read_only_fields = fields


class ResourceRefSerializer(ModelSerializer):
    class Meta:
        model = Resource
        fields = ["id", "code", "name", "organization"]
        read_only_fields = fields


class WindowEventSerializer(ModelSerializer):
    class Meta:
        model = WindowEvent
        fields = ["kind", "actor_name", "comment", "created_at"]
        read_only_fields = fields


class MaintenanceWindowDetailSerializer(MaintenanceWindowSerializer):
    """One window: its departments and resources (a department: its own) and its timeline."""

    affected_departments = serializers.SerializerMethodField()
    affected_resources = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()

    class Meta(MaintenanceWindowSerializer.Meta):
        fields = [*MaintenanceWindowSerializer.Meta.fields, "affected_departments", "affected_resources", "timeline"]

    @extend_schema_field(AffectedDepartmentSerializer(many=True))
    def get_affected_departments(self, window) -> list:
        return AffectedDepartmentSerializer(self.context["departments"], many=True).data

    @extend_schema_field(ResourceRefSerializer(many=True))
    def get_affected_resources(self, window) -> list:
        return ResourceRefSerializer(self.context["resources"], many=True).data

    @extend_schema_field(WindowEventSerializer(many=True))
    def get_timeline(self, window) -> list:
        return WindowEventSerializer(self.context["timeline"], many=True).data


class WindowCommentSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class WindowRequiredCommentSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=2000)
