from rest_framework import serializers

from govcloud.core.roles import Role
from govcloud.organizations.models import ApiToken, Organization, User


class OrganizationSerializer(serializers.ModelSerializer):
    # Required (null for the city at the root): organization_create needs it, and an omitted parent
    # must be a 400 naming it, not a TypeError in the service.
    parent = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all(), allow_null=True)
    contact_phone = serializers.CharField(max_length=30)

    class Meta:
        model = Organization
        fields = [
            "id",
            "name",
            "short_name",
            "kind",
            "level",
            "parent",
            "path",
            "depth",
            "credit_code",
            "contact_name",
            "contact_phone",
            "is_active",
        ]
        read_only_fields = ["id", "path", "depth", "is_active"]
        # Uniqueness is checked by the service (in its transaction), not twice.
        extra_kwargs = {"credit_code": {"validators": []}}


class UserSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "full_name",
            "organization",
            "organization_name",
            "title",
            "email",
            "phone",
            "is_active",
            "roles",
            "last_login",
        ]
        read_only_fields = ["id", "is_active", "roles", "last_login", "organization_name"]
        extra_kwargs = {"username": {"validators": []}}

    def get_roles(self, user) -> list[str]:
        return sorted(a.role for a in user.role_assignments.all())


class UserCreateResponseSerializer(UserSerializer):
    temporary_password = serializers.CharField(read_only=True)

    class Meta(UserSerializer.Meta):
        fields = UserSerializer.Meta.fields + ["temporary_password"]


class RolesSerializer(serializers.Serializer):
    roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices), allow_empty=True)


class ApiTokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "expires_at", "revoked_at", "last_used_at", "last_used_ip"]
        read_only_fields = fields


class ApiTokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    expires_in_days = serializers.IntegerField(min_value=1, max_value=365)


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    token = serializers.CharField(read_only=True, help_text="Shown once; store it safely.")

    class Meta(ApiTokenSerializer.Meta):
        fields = ApiTokenSerializer.Meta.fields + ["token"]
        read_only_fields = fields
