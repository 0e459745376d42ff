"""Serializers of the security API. Input serializers only parse; the services decide."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from govcloud.core.api.params import IdField, plausible_year
from govcloud.core.api.serializers import ModelSerializer
from govcloud.core.roles import Role
from govcloud.core.scoping import Action
from govcloud.ledger.models import Resource, ResourceState
from govcloud.organizations.models import Organization, User
from govcloud.security.models import (
    TENANT_KINDS,
    AccessGrant,
    AccessSession,
    AddressFiling,
    Attachment,
    DrillFollowUp,
    EmergencyDrill,
    EmergencyPlan,
    EmergencyPlanVersion,
    FlagReason,
    GrantStatus,
    MajorEvent,
    NoticeRectification,
    OpenPort,
    PortChange,
    PortRequest,
    ProtectionPlan,
    Protocol,
    RectificationReport,
    SecurityBulletin,
    SecurityEvent,
    SecurityNotice,
)
from govcloud.security.models.notices import MAX_WORKING_DAYS
from govcloud.systems.models import InformationSystem


def _user(serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


class ScopedSystemField(serializers.PrimaryKeyRelatedField):
    """A system id, looked up only among the systems the caller may use for `action`: another
    department's system answers like a missing one."""

    def __init__(self, *, action: str = Action.CHANGE, provider_action: str | None = None, **kwargs):
        self.action = action
        self.provider_action = provider_action
        super().__init__(**kwargs)

    def get_queryset(self):
        user = _user(self.parent)
        action = self.action
        if self.provider_action and user is not None and Role.PROVIDER_OPERATOR in getattr(user, "roles", ()):
            action = self.provider_action
        return InformationSystem.objects.restrict(user, action)


class ScopedResourceField(serializers.PrimaryKeyRelatedField):
    """A ledger resource id among those the caller may use: for a grant, the department's own
    (another department's answers like a missing one); for a session, any the operator sees."""

    def __init__(self, *, action: str = Action.CHANGE, **kwargs):
        self.action = action
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        user = getattr(request, "user", None)
        qs = Resource.objects.restrict(user, self.action).exclude(state=ResourceState.TERMINATED)
        organization = getattr(user, "organization", None)
        if self.action == Action.CHANGE and organization is not None:
            qs = qs.filter(organization__path__startswith=organization.path)
        return qs


class AttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attachment
        fields = ["id", "original_name", "content_type", "size", "sm3", "uploaded_at"]
        read_only_fields = fields


# --- Exposure ------------------------------------------------------------------------------------


class PortEntrySerializer(serializers.Serializer):
    port = serializers.IntegerField(min_value=1, max_value=65535)
    protocol = serializers.ChoiceField(choices=Protocol.choices, default=Protocol.TCP)


class AddressFilingSerializer(serializers.ModelSerializer):
    system = ScopedSystemField()
    system_name = serializers.CharField(source="system.name", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    address = serializers.CharField(max_length=45)
    requested_ports = PortEntrySerializer(many=True, required=False)
    open_port_count = serializers.IntegerField(read_only=True, default=None, allow_null=True)
    pending_request_count = serializers.IntegerField(read_only=True, default=None, allow_null=True)

    class Meta:
        model = AddressFiling
        fields = [
            "id",
            "system",
            "system_name",
            "organization",
            "organization_name",
            "address",
            "domain",
            "requested_ports",
            "purpose",
            "status",
            "reference",
            "filed_on",
            "submitted_at",
            "decided_at",
            "decision_comment",
            "open_port_count",
            "pending_request_count",
            "created_at",
        ]
        read_only_fields = [
            "id",
            "organization",
            "status",
            "reference",
            "filed_on",
            "submitted_at",
            "decided_at",
            "decision_comment",
            "created_at",
        ]


class FilingCompleteSerializer(serializers.Serializer):
    reference = serializers.CharField(max_length=100)
    filed_on = serializers.DateField(required=False, allow_null=True)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class RequiredCommentSerializer(serializers.Serializer):
    comment = serializers.CharField()


class OpenPortSerializer(serializers.ModelSerializer):
    class Meta:
        model = OpenPort
        fields = ["port", "protocol", "opened_at", "request"]
        read_only_fields = fields


class PortChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = PortChange
        fields = ["id", "port", "protocol", "change", "request", "actor_name", "reason", "occurred_at"]
        read_only_fields = fields


class FilingPortsSerializer(serializers.Serializer):
    open_ports = OpenPortSerializer(many=True)
    history = PortChangeSerializer(many=True)


class PortCloseSerializer(PortEntrySerializer):
    reason = serializers.CharField()


class ClearanceSerializer(serializers.Serializer):
    cleared = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())


class ClearanceQuerySerializer(serializers.Serializer):
    system = IdField(help_text="information system id")


class PortRequestSerializer(serializers.ModelSerializer):
    address = serializers.CharField(source="filing.address", read_only=True)
    system_name = serializers.CharField(source="filing.system.name", read_only=True)

    class Meta:
        model = PortRequest
        fields = [
            "id",
            "filing",
            "address",
            "system_name",
            "organization",
            "port",
            "protocol",
            "reason",
            "status",
            "decided_at",
            "decision_comment",
            "created_at",
        ]
        read_only_fields = ["id", "organization", "status", "decided_at", "decision_comment", "created_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _user(self)
        if "filing" in self.fields and user is not None:
            # Another department's filing answers like a missing one.
            self.fields["filing"].queryset = AddressFiling.objects.restrict(user, Action.CHANGE)


# --- Access ----------------------------------------------------------------------------------------


class AccessGrantSerializer(serializers.ModelSerializer):
    system = ScopedSystemField(required=False, allow_null=True)
    system_name = serializers.CharField(source="system.name", read_only=True, default=None, allow_null=True)
    grantee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True, role_assignments__role=Role.PROVIDER_OPERATOR).distinct()
    )
    grantee_name = serializers.CharField(source="grantee.full_name", read_only=True)
    granted_by_name = serializers.CharField(source="granted_by.full_name", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    resources = ScopedResourceField(many=True, required=False, help_text="ledger resource ids of the department")
    resource_codes = serializers.SerializerMethodField()
    resource_note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    starts_at = serializers.DateTimeField(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=GrantStatus.choices, read_only=True)
    session_count = serializers.IntegerField(read_only=True, default=None, allow_null=True)
    flagged_count = serializers.IntegerField(read_only=True, default=None, allow_null=True)

    class Meta:
        model = AccessGrant
        fields = [
            "id",
            "organization",
            "organization_name",
            "system",
            "system_name",
            "resources",
            "resource_codes",
            "resource_note",
            "grantee",
            "grantee_name",
            "purpose",
            "starts_at",
            "ends_at",
            "status",
            "granted_by",
            "granted_by_name",
            "revoked_at",
            "revoke_reason",
            "session_count",
            "flagged_count",
            "created_at",
        ]
        read_only_fields = ["id", "organization", "granted_by", "revoked_at", "revoke_reason", "created_at"]

    def get_resource_codes(self, grant) -> list[str]:
        return [r.code for r in grant.resources.all()]


class RevokeSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class AccessSessionSerializer(serializers.ModelSerializer):
    # The grant is looked up unscoped on purpose: naming someone else's grant is recorded and flagged.
    grant = serializers.IntegerField(source="grant_id", required=False, allow_null=True)
    system = ScopedSystemField(action=Action.VIEW, required=False, allow_null=True)
    system_name = serializers.CharField(source="system.name", read_only=True, default=None, allow_null=True)
    resource = ScopedResourceField(action=Action.VIEW, required=False, allow_null=True)
    resource_code = serializers.CharField(source="resource.code", read_only=True, default=None, allow_null=True)
    operator_name = serializers.CharField(source="operator.full_name", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    flag_reasons = serializers.ListField(child=serializers.ChoiceField(choices=FlagReason.choices), read_only=True)

    class Meta:
        model = AccessSession
        fields = [
            "id",
            "organization",
            "organization_name",
            "grant",
            "operator",
            "operator_name",
            "system",
            "system_name",
            "resource",
            "resource_code",
            "resource_note",
            "started_at",
            "ended_at",
            "work_done",
            "flagged",
            "flag_reasons",
            "recorded_at",
            "reviewed_at",
            "review_comment",
        ]
        read_only_fields = [
            "id",
            "organization",
            "operator",
            "resource_note",
            "flagged",
            "flag_reasons",
            "recorded_at",
            "reviewed_at",
            "review_comment",
        ]


# --- Bulletins -----------------------------------------------------------------------------------


class SecurityBulletinSerializer(serializers.ModelSerializer):
    attachment = AttachmentSerializer(read_only=True, allow_null=True)
    upload = serializers.FileField(write_only=True, required=False, help_text="PDF, PNG or JPEG")
    publish = serializers.BooleanField(write_only=True, required=False, default=False)
    read_by_me = serializers.BooleanField(read_only=True, default=None, allow_null=True)
    reader_count = serializers.IntegerField(read_only=True, default=None, allow_null=True)

    class Meta:
        model = SecurityBulletin
        fields = [
            "id",
            "period",
            "title",
            "content",
            "attachment",
            "upload",
            "publish",
            "status",
            "published_at",
            "read_by_me",
            "reader_count",
            "created_at",
        ]
        read_only_fields = ["id", "status", "published_at", "created_at"]
        extra_kwargs = {"period": {"validators": []}}


class ReceiptSerializer(serializers.Serializer):
    read_at = serializers.DateTimeField(allow_null=True)


class DepartmentReadSerializer(serializers.Serializer):
    organization = serializers.IntegerField(source="organization.pk")
    organization_name = serializers.CharField(source="organization.name")
    readers = serializers.IntegerField()
    first_read_at = serializers.DateTimeField(allow_null=True)


# --- Emergency -----------------------------------------------------------------------------------


class PlanVersionSerializer(serializers.ModelSerializer):
    attachment = AttachmentSerializer(read_only=True, allow_null=True)

    class Meta:
        model = EmergencyPlanVersion
        fields = ["number", "content", "change_summary", "effective_from", "attachment", "created_at", "superseded_at"]
        read_only_fields = fields


class EmergencyPlanSerializer(serializers.ModelSerializer):
    system = ScopedSystemField(provider_action=Action.VIEW, required=False, allow_null=True)
    system_name = serializers.CharField(source="system.name", read_only=True, default=None, allow_null=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    current_version = PlanVersionSerializer(read_only=True, allow_null=True)
    last_drill_on = serializers.DateField(read_only=True, default=None, allow_null=True)
    content = serializers.CharField(write_only=True)
    change_summary = serializers.CharField(write_only=True, required=False, allow_blank=True, default="")
    effective_from = serializers.DateField(write_only=True, required=False, allow_null=True)
    upload = serializers.FileField(write_only=True, required=False, help_text="PDF, PNG or JPEG")

    class Meta:
        model = EmergencyPlan
        fields = [
            "id",
            "scope",
            "system",
            "system_name",
            "organization",
            "organization_name",
            "title",
            "current_version",
            "last_drill_on",
            "content",
            "change_summary",
            "effective_from",
            "upload",
            "created_at",
        ]
        read_only_fields = ["id", "organization", "created_at"]


class PlanAttachmentQuerySerializer(serializers.Serializer):
    version = IdField(required=False, help_text="version number (default: current)")


class OccasionsQuerySerializer(serializers.Serializer):
    days = serializers.IntegerField(
        min_value=0, max_value=366, default=90, help_text="how many days ahead (default 90, at most 366)"
    )


class PlanVersionCreateSerializer(serializers.Serializer):
    content = serializers.CharField()
    change_summary = serializers.CharField(max_length=300)
    effective_from = serializers.DateField(required=False, allow_null=True)
    upload = serializers.FileField(required=False, help_text="PDF, PNG or JPEG")


class FollowUpInputSerializer(serializers.Serializer):
    description = serializers.CharField()
    owner = serializers.CharField(max_length=150)
    due_on = serializers.DateField()


class DrillFollowUpSerializer(serializers.ModelSerializer):
    """Creating takes the drill, item, owner and due date; a PATCH changes the status and note."""

    class Meta:
        model = DrillFollowUp
        fields = ["id", "drill", "description", "owner", "due_on", "status", "note", "closed_at"]
        read_only_fields = ["id", "closed_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _user(self)
        if "drill" in self.fields and user is not None:
            self.fields["drill"].queryset = EmergencyDrill.objects.restrict(user, Action.CHANGE)


class EmergencyDrillSerializer(serializers.ModelSerializer):
    plan = serializers.IntegerField(source="plan_version.plan_id", read_only=True)
    plan_title = serializers.CharField(source="plan_version.plan.title", read_only=True)
    plan_version_number = serializers.IntegerField(source="plan_version.number", read_only=True)
    report = AttachmentSerializer(read_only=True, allow_null=True)
    upload = serializers.FileField(write_only=True, required=False, help_text="PDF, PNG or JPEG")
    follow_ups = FollowUpInputSerializer(many=True, required=False, write_only=True)
    open_follow_ups = serializers.IntegerField(read_only=True, default=None, allow_null=True)

    class Meta:
        model = EmergencyDrill
        fields = [
            "id",
            "plan_version",
            "plan",
            "plan_title",
            "plan_version_number",
            "organization",
            "held_on",
            "scenario",
            "participants",
            "findings",
            "report",
            "upload",
            "follow_ups",
            "open_follow_ups",
            "created_at",
        ]
        read_only_fields = ["id", "organization", "created_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _user(self)
        if "plan_version" in self.fields and user is not None:
            self.fields["plan_version"].queryset = EmergencyPlanVersion.objects.restrict(user)


class MajorEventSerializer(serializers.ModelSerializer):
    plan_count = serializers.IntegerField(read_only=True, default=None, allow_null=True)

    class Meta:
        model = MajorEvent
        fields = ["id", "name", "starts_on", "ends_on", "description", "plan_count", "created_at"]
        read_only_fields = ["id", "created_at"]


class ProtectionPlanSerializer(serializers.ModelSerializer):
    occasion = serializers.CharField(source="occasion_key", help_text='"holiday:2025-10-01" or "event:<id>"')
    attachment = AttachmentSerializer(read_only=True, allow_null=True)
    upload = serializers.FileField(write_only=True, required=False, help_text="PDF, PNG or JPEG")

    class Meta:
        model = ProtectionPlan
        fields = [
            "id",
            "occasion",
            "occasion_kind",
            "occasion_name",
            "occasion_starts_on",
            "occasion_ends_on",
            "major_event",
            "title",
            "content",
            "attachment",
            "upload",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "occasion_kind",
            "occasion_name",
            "occasion_starts_on",
            "occasion_ends_on",
            "major_event",
            "updated_at",
        ]


class OccasionSerializer(serializers.Serializer):
    kind = serializers.CharField()
    key = serializers.CharField()
    name = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    remind_from = serializers.DateField()
    plan = serializers.IntegerField(source="plan.pk", default=None, allow_null=True)
    is_due = serializers.BooleanField()
    is_missing = serializers.BooleanField()


# --- Security notices and rectification -------------------------------------------------------------


class SystemRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class SecurityNoticeSerializer(ModelSerializer):
    """Reading: the notice with the figures of the caller's records (the center: every department's;
    a department: its own). Creating: the notice with the departments and systems it concerns."""

    organizations = serializers.PrimaryKeyRelatedField(
        many=True,
        write_only=True,
        required=False,
        queryset=Organization.objects.filter(kind__in=TENANT_KINDS, is_active=True),
        help_text="department ids (the owners of `systems` are added)",
    )
    systems = serializers.PrimaryKeyRelatedField(
        many=True,
        write_only=True,
        required=False,
        queryset=InformationSystem.objects.filter(is_active=True, classified=False),
        help_text="affected information system ids",
    )
    working_days = serializers.IntegerField(
        min_value=1,
        max_value=MAX_WORKING_DAYS,
        required=False,
        allow_null=True,
        help_text="working days to rectify (default: the policy's)",
    )
    attachment = AttachmentSerializer(read_only=True, allow_null=True)
    upload = serializers.FileField(write_only=True, required=False, help_text="PDF, PNG or JPEG")
    record_count = serializers.IntegerField(read_only=True, default=None, allow_null=True)
    accepted_count = serializers.IntegerField(read_only=True, default=None, allow_null=True)
    review_count = serializers.IntegerField(read_only=True, default=None, allow_null=True)
    overdue_count = serializers.IntegerField(read_only=True, default=None, allow_null=True)

    class Meta:
        model = SecurityNotice
        fields = [
            "id",
            "number",
            "kind",
            "severity",
            "title",
            "description",
            "required_measures",
            "organizations",
            "systems",
            "working_days",
            "issued_at",
            "due_at",
            "due_provisional",
            "attachment",
            "upload",
            "record_count",
            "accepted_count",
            "review_count",
            "overdue_count",
        ]
        read_only_fields = ["id", "number", "issued_at", "due_at", "due_provisional"]


class EvidenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attachment
        fields = ["id", "original_name", "content_type", "size", "sm3"]
        read_only_fields = fields


class RectificationReportSerializer(ModelSerializer):
    evidence = EvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = RectificationReport
        fields = [
            "number",
            "measures",
            "result",
            "evidence",
            "submitted_at",
            "on_time",
            "decision",
            "decided_at",
            "decision_comment",
        ]
        read_only_fields = fields


class NoticeRectificationSerializer(ModelSerializer):
    notice_number = serializers.CharField(source="notice.number", read_only=True, allow_null=True)
    notice_title = serializers.CharField(source="notice.title", read_only=True)
    severity = serializers.CharField(source="notice.severity", read_only=True)
    due_at = serializers.DateTimeField(source="notice.due_at", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    systems = SystemRefSerializer(many=True, read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)
    reports = RectificationReportSerializer(many=True, read_only=True)

    class Meta:
        model = NoticeRectification
        fields = [
            "id",
            "notice",
            "notice_number",
            "notice_title",
            "severity",
            "due_at",
            "organization",
            "organization_name",
            "systems",
            "status",
            "is_overdue",
            "read_at",
            "submitted_at",
            "decided_at",
            "decision_comment",
            "reports",
        ]
        read_only_fields = fields


class RectificationSubmitSerializer(serializers.Serializer):
    measures = serializers.CharField()
    result = serializers.CharField()
    evidence = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, help_text="PDF, PNG or JPEG files"
    )


# --- Security events -----------------------------------------------------------------------------


class SecurityEventSerializer(ModelSerializer):
    organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.filter(kind__in=TENANT_KINDS, is_active=True),
        required=False,
        allow_null=True,
        help_text="the department concerned (empty: the owner of `systems`, else the platform as a whole)",
    )
    organization_name = serializers.CharField(source="organization.name", read_only=True, default=None, allow_null=True)
    systems = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=InformationSystem.objects.filter(is_active=True, classified=False)
    )

    class Meta:
        model = SecurityEvent
        fields = [
            "id",
            "kind",
            "occurred_at",
            "count",
            "organization",
            "organization_name",
            "systems",
            "source",
            "summary",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {"occurred_at": {"validators": [plausible_year]}}


class KindFigureSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    events = serializers.IntegerField()
    total = serializers.IntegerField()


class DepartmentFigureSerializer(serializers.Serializer):
    organization = serializers.IntegerField(source="organization_id", allow_null=True)
    name = serializers.CharField()
    events = serializers.IntegerField()
    total = serializers.IntegerField()


class EventStatisticsSerializer(serializers.Serializer):
    month = serializers.DateField()
    events = serializers.IntegerField()
    total = serializers.IntegerField()
    by_kind = KindFigureSerializer(many=True)
    by_department = DepartmentFigureSerializer(many=True)


class MonthQuerySerializer(serializers.Serializer):
    """?month=YYYY-MM (default: the current month)."""

    month = serializers.RegexField(
        r"^\d{4}-(0[1-9]|1[0-2])$",
        required=False,
        help_text="YYYY-MM (default: the current month)",
        error_messages={"invalid": _("Give the month as YYYY-MM.")},
    )

    def validate_month(self, value: str) -> date:
        return date.fromisoformat(f"{value}-01")
