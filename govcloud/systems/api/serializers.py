from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from govcloud.core.api.params import IdField
from govcloud.organizations.models import Organization
from govcloud.systems import selectors
from govcloud.systems.filters import departments_for
from govcloud.systems.gate import clearance_of
from govcloud.systems.models import (
    AssessmentConclusion,
    AttachmentKind,
    ExemptionState,
    HostingStatus,
    InformationSystem,
    MigrationExemption,
    MlpsAssessment,
    MlpsFiling,
    Rectification,
    RectificationStatus,
    ResponsibleDuty,
    SystemAttachment,
    Vote,
)
from govcloud.systems.services.exemptions import allowed_actions


def _user(serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


class GoLiveClearanceSerializer(serializers.Serializer):
    cleared = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())
    checked_on = serializers.DateField()


class ResponsiblePersonSerializer(serializers.Serializer):
    duty = serializers.ChoiceField(choices=ResponsibleDuty.choices)
    name = serializers.CharField(max_length=60)
    phone = serializers.CharField(max_length=30, help_text="Shown as ****** to roles that see names only.")


class ScopedOrganizationField(serializers.PrimaryKeyRelatedField):
    """An owning unit the caller may see: another department's answers like a missing one."""

    def get_queryset(self):
        return departments_for(self.context["request"].user)


@extend_schema_field({"type": "boolean", "enum": [True]})
class _ClassifiedFlag(serializers.BooleanField):
    """Always true here: it tells the two shapes of a system apart in the schema's oneOf."""


class ClassifiedInformationSystemSerializer(serializers.Serializer):
    """All anyone may read of a classified (涉密) system: its name and flag (Art. 3)."""

    id = serializers.IntegerField(read_only=True)
    organization = serializers.IntegerField(source="organization_id", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    name = serializers.CharField(read_only=True)
    classified = _ClassifiedFlag(read_only=True)
    is_active = serializers.BooleanField(read_only=True)
    compliance = GoLiveClearanceSerializer(read_only=True)


CLASSIFIED_FIELDS = frozenset(ClassifiedInformationSystemSerializer._declared_fields)


class InformationSystemSerializer(serializers.ModelSerializer):
    organization = ScopedOrganizationField(queryset=Organization.objects.none())
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    hosting_status = serializers.ChoiceField(choices=HostingStatus.choices, required=False, allow_blank=True)
    protection_level = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    responsible_people = ResponsiblePersonSerializer(many=True, required=False)
    compliance = serializers.SerializerMethodField()
    migration_overdue = serializers.SerializerMethodField()

    class Meta:
        model = InformationSystem
        fields = [
            "id",
            "organization",
            "organization_name",
            "name",
            "classified",
            "purpose",
            "hosting_status",
            "planned_migration_date",
            "users_served",
            "internet_facing",
            "holds_personal_information",
            "holds_important_data",
            "protection_level",
            "is_active",
            "responsible_people",
            "migration_overdue",
            "compliance",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "is_active", "created_at", "updated_at"]
        # The services check uniqueness and the classified rule in their transaction.
        validators = []

    @extend_schema_field(GoLiveClearanceSerializer)
    def get_compliance(self, system) -> dict:
        verdict = clearance_of(system, timezone.localdate())
        return {"cleared": verdict.cleared, "reasons": verdict.reasons, "checked_on": verdict.checked_on}

    def get_migration_overdue(self, system) -> bool:
        return bool(
            system.planned_migration_date
            and system.planned_migration_date < timezone.localdate()
            and system.hosting_status in (HostingStatus.OWN_ROOM, HostingStatus.MIGRATING)
        )

    def to_representation(self, system):
        data = super().to_representation(system)
        if system.classified:
            # Pages and the API offer nothing beyond the name and the flag of a classified system.
            return {k: v for k, v in data.items() if k in CLASSIFIED_FIELDS}
        user = _user(self)
        if user is not None and not selectors.may_see_contacts(user):
            for person in data.get("responsible_people") or []:
                person["phone"] = "******"
        return data

    def service_kwargs(self) -> dict:
        data = dict(self.validated_data)
        people = data.pop("responsible_people", None)
        if people is not None:
            data["responsible_people"] = {p["duty"]: {"name": p["name"], "phone": p["phone"]} for p in people}
        return data


@extend_schema_field(OpenApiTypes.STR)
class AttachmentKindField(serializers.ChoiceField):
    """filing_certificate / assessment_report / exemption_evidence (a plain string in the schema: the
    name "kind" is taken by other enums)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "filing_certificate / assessment_report / exemption_evidence")
        super().__init__(choices=AttachmentKind.choices, **kwargs)


class AttachmentBriefSerializer(serializers.ModelSerializer):
    kind = AttachmentKindField(read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = SystemAttachment
        fields = ["id", "kind", "original_name", "content_type", "size", "sm3", "uploaded_at", "download_url"]
        read_only_fields = fields

    def get_download_url(self, attachment) -> str:
        return reverse("system-attachment-download", kwargs={"pk": attachment.pk})


class MlpsFilingSerializer(serializers.ModelSerializer):
    system = serializers.IntegerField(source="system_id")
    system_name = serializers.CharField(source="system.name", read_only=True)
    protection_level = serializers.IntegerField(
        min_value=1, max_value=5, required=False, help_text="Defaults to the system's current level."
    )
    certificate = serializers.FileField(write_only=True, required=False, help_text="PDF, PNG or JPEG.")
    attachments = AttachmentBriefSerializer(many=True, read_only=True)
    recorded_by_name = serializers.CharField(source="recorded_by.full_name", read_only=True, default="")

    class Meta:
        model = MlpsFiling
        fields = [
            "id",
            "system",
            "system_name",
            "protection_level",
            "filing_number",
            "filed_on",
            "filing_authority",
            "certificate",
            "attachments",
            "recorded_by_name",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]
        validators = []


class MlpsAssessmentSerializer(serializers.ModelSerializer):
    system = serializers.IntegerField(source="system_id")
    system_name = serializers.CharField(source="system.name", read_only=True)
    conclusion = serializers.ChoiceField(choices=AssessmentConclusion.choices)
    report = serializers.FileField(write_only=True, required=False, help_text="PDF, PNG or JPEG.")
    attachments = AttachmentBriefSerializer(many=True, read_only=True)
    recorded_by_name = serializers.CharField(source="recorded_by.full_name", read_only=True, default="")

    class Meta:
        model = MlpsAssessment
        fields = [
            "id",
            "system",
            "system_name",
            "protection_level",
            "assessing_body",
            "assessed_on",
            "report_number",
            "score",
            "conclusion",
            "next_due_on",
            "report",
            "attachments",
            "recorded_by_name",
            "created_at",
        ]
        read_only_fields = ["id", "protection_level", "next_due_on", "created_at"]


class RectificationSerializer(serializers.ModelSerializer):
    system = serializers.IntegerField(source="system_id")
    system_name = serializers.CharField(source="system.name", read_only=True)
    assessment = serializers.IntegerField(source="assessment_id", required=False, allow_null=True)
    # Read-only text (open / done): a plain string keeps the schema's enum names unambiguous.
    status = serializers.CharField(read_only=True, help_text="open / done")
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Rectification
        fields = [
            "id",
            "system",
            "system_name",
            "assessment",
            "description",
            "owner",
            "due_on",
            "status",
            "overdue",
            "closed_on",
            "closing_note",
            "created_at",
        ]
        read_only_fields = ["id", "status", "closed_on", "closing_note", "created_at"]

    def get_overdue(self, item) -> bool:
        return item.status == RectificationStatus.OPEN and item.due_on < timezone.localdate()


class RectificationCloseSerializer(serializers.Serializer):
    closing_note = serializers.CharField()
    closed_on = serializers.DateField(required=False)


class SystemAttachmentSerializer(AttachmentBriefSerializer):
    system = serializers.IntegerField(source="system_id")
    kind = AttachmentKindField()
    filing = serializers.IntegerField(source="filing_id", required=False, allow_null=True)
    assessment = serializers.IntegerField(source="assessment_id", required=False, allow_null=True)
    exemption = serializers.IntegerField(source="exemption_id", required=False, allow_null=True)
    file = serializers.FileField(write_only=True, help_text="PDF, PNG or JPEG, within the size limit.")

    class Meta(AttachmentBriefSerializer.Meta):
        fields = ["id", "system", "kind", "filing", "assessment", "exemption", "file"] + [
            f for f in AttachmentBriefSerializer.Meta.fields if f not in ("id", "kind")
        ]
        read_only_fields = ["id", "original_name", "content_type", "size", "sm3", "uploaded_at", "download_url"]


class ExpertAssignmentSerializer(serializers.Serializer):
    expert = serializers.IntegerField(source="expert_id")
    expert_name = serializers.CharField(source="expert.full_name")
    vote = serializers.CharField(help_text="approve / reject; empty until voted (or while hidden from you)")
    opinion = serializers.CharField()
    voted_at = serializers.DateTimeField(allow_null=True)


class ExemptionEventSerializer(serializers.Serializer):
    action = serializers.CharField()
    action_label = serializers.CharField(source="get_action_display")
    actor_name = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    comment = serializers.CharField()
    created_at = serializers.DateTimeField()


class ExemptionSerializer(serializers.ModelSerializer):
    system = serializers.IntegerField(source="system_id")
    system_name = serializers.CharField(source="system.name", read_only=True)
    organization_name = serializers.CharField(source="system.organization.name", read_only=True)
    state = serializers.ChoiceField(choices=ExemptionState.choices, read_only=True)
    renewal_of = serializers.IntegerField(source="renewal_of_id", required=False, allow_null=True)
    requested_by_name = serializers.CharField(source="requested_by.full_name", read_only=True, default="")
    decided_by_name = serializers.CharField(source="decided_by.full_name", read_only=True, default="")
    expert_count = serializers.IntegerField(read_only=True)
    voted_count = serializers.IntegerField(read_only=True)
    approve_count = serializers.IntegerField(read_only=True)
    assignments = serializers.SerializerMethodField()
    events = ExemptionEventSerializer(many=True, read_only=True)
    attachments = AttachmentBriefSerializer(many=True, read_only=True)
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = MigrationExemption
        fields = [
            "id",
            "system",
            "system_name",
            "organization_name",
            "state",
            "reasons",
            "renewal_of",
            "requested_by_name",
            "submitted_at",
            "review_due_at",
            "review_due_provisional",
            "forwarded_at",
            "decision_due_at",
            "decision_due_provisional",
            "decided_at",
            "decided_by_name",
            "decision_comment",
            "valid_from",
            "valid_until",
            "expert_count",
            "voted_count",
            "approve_count",
            "assignments",
            "events",
            "attachments",
            "allowed_actions",
            "created_at",
        ]
        read_only_fields = [f for f in fields if f not in ("system", "reasons", "renewal_of")]

    @extend_schema_field(ExpertAssignmentSerializer(many=True))
    def get_assignments(self, exemption) -> list:
        user = _user(self)
        visible = selectors.votes_visible(user=user, exemption=exemption)
        rows = []
        for a in exemption.assignments.all():
            shown = visible or a.expert_id == getattr(user, "pk", None)
            rows.append(
                {
                    "expert": a.expert_id,
                    "expert_name": a.expert.full_name,
                    "vote": a.vote if shown else "",
                    "opinion": a.opinion if shown else "",
                    "voted_at": a.voted_at,
                }
            )
        return rows

    def get_allowed_actions(self, exemption) -> list[str]:
        user = _user(self)
        return sorted(a.value for a in allowed_actions(exemption, getattr(user, "roles", frozenset())))


class ExemptionCommentSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class AssignExpertsSerializer(ExemptionCommentSerializer):
    experts = serializers.ListField(child=IdField(), allow_empty=False)  # ids the database can hold


class VoteSerializer(serializers.Serializer):
    vote = serializers.ChoiceField(choices=Vote.choices)
    opinion = serializers.CharField()


DECISIONS = [(Vote.APPROVE.value, _("Approve the exemption")), (Vote.REJECT.value, _("Reject the exemption"))]


class DecisionSerializer(ExemptionCommentSerializer):
    decision = serializers.ChoiceField(choices=DECISIONS, help_text="approve or reject")


class SystemExportRequestSerializer(serializers.Serializer):
    """Filters are the list's query parameters."""

    format = serializers.ChoiceField(choices=[("xlsx", "XLSX"), ("csv", "CSV")], default="xlsx")


class MigrationRowSerializer(serializers.Serializer):
    organization_id = serializers.IntegerField()
    name = serializers.CharField(help_text="Short name of the department (or district)")
    full_name = serializers.CharField()
    on_platform = serializers.IntegerField()
    migrating = serializers.IntegerField()
    own_room = serializers.IntegerField()
    exempted = serializers.IntegerField()
    overdue = serializers.IntegerField()
    no_plan = serializers.IntegerField()
    total = serializers.IntegerField()
    percent_on_platform = serializers.IntegerField()


class OverdueSystemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    organization_name = serializers.CharField(source="organization.name")
    hosting_status = serializers.CharField()
    planned_migration_date = serializers.DateField()


class MigrationStatsSerializer(serializers.Serializer):
    rows = MigrationRowSerializer(many=True)
    total = MigrationRowSerializer()
    overdue_systems = OverdueSystemSerializer(many=True)
    classified_count = serializers.IntegerField()
