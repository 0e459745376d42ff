from rest_framework import serializers

from govcloud.applications.models import (
    Application,
    ApplicationAttachment,
    ApplicationEvent,
    ApplicationItem,
    ApplicationKind,
    AttachmentKind,
    DeadlineKind,
    Environment,
    TerminationMode,
)
from govcloud.applications.selectors import InboxTab
from govcloud.core.api.params import IdField
from govcloud.core.api.serializers import ModelSerializer


class ApplicationItemSerializer(serializers.ModelSerializer):
    catalog_item = serializers.SlugRelatedField(slug_field="code", read_only=True)
    catalog_item_name = serializers.CharField(source="catalog_item.name", read_only=True)
    target_resource = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = ApplicationItem
        fields = [
            "id",
            "catalog_item",
            "catalog_item_name",
            "quantity",
            "spec",
            "target_resource",
            "current_spec",
            "needed_until",
            "monthly_estimate",
            "approved_quantity",
            "approved_spec",
            "approval_note",
            "approved_monthly_estimate",
        ]
        read_only_fields = fields


class ApplicationEventSerializer(ModelSerializer):
    class Meta:
        model = ApplicationEvent
        fields = ["id", "at", "actor_name", "action", "from_state", "to_state", "comment"]
        read_only_fields = fields


class ApplicationAttachmentSerializer(serializers.ModelSerializer):
    application_number = serializers.CharField(source="application.number", read_only=True)

    class Meta:
        model = ApplicationAttachment
        fields = [
            "id",
            "application",
            "application_number",
            "kind",
            "original_name",
            "content_type",
            "size",
            "sm3",
            "uploaded_by_name",
            "created_at",
        ]
        read_only_fields = fields


class ApplicationDeadlineSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DeadlineKind.choices)
    due = serializers.DateTimeField()
    provisional = serializers.BooleanField()
    overdue = serializers.BooleanField()


class ApplicationSerializer(ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    system_name = serializers.CharField(source="system.name", read_only=True)
    current_deadline = ApplicationDeadlineSerializer(read_only=True, allow_null=True)
    items = ApplicationItemSerializer(many=True, read_only=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "number",
            "kind",
            "organization",
            "organization_name",
            "system",
            "system_name",
            "purpose",
            "environment",
            "state",
            "monthly_estimate",
            "approved_monthly_estimate",
            "exceeds_quota",
            "current_deadline",
            "submitted_at",
            "acceptance_due_at",
            "decision_due_at",
            "decision_due_provisional",
            "delivery_due_at",
            "delivery_due_provisional",
            "test_due_at",
            "created_at",
            "items",
        ]
        read_only_fields = fields


class WorkOrderBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    kind = serializers.CharField()
    state = serializers.CharField()
    due_at = serializers.DateTimeField()
    due_provisional = serializers.BooleanField()


class ApplicationDetailSerializer(ApplicationSerializer):
    events = ApplicationEventSerializer(many=True, read_only=True)
    attachments = ApplicationAttachmentSerializer(many=True, read_only=True)
    work_orders = WorkOrderBriefSerializer(many=True, read_only=True)
    allowed_actions = serializers.SerializerMethodField()

    class Meta(ApplicationSerializer.Meta):
        fields = [
            *ApplicationSerializer.Meta.fields,
            "requested_date",
            "contact_name",
            "contact_phone",
            "quota_messages",
            "quota_justification",
            "termination_mode",
            "termination_date",
            "signed_off_at",
            "accepted_at",
            "decided_at",
            "decided_by_name",
            "decision_note",
            "return_reasons",
            "delivered_at",
            "in_service_at",
            "closed_at",
            "events",
            "attachments",
            "work_orders",
            "allowed_actions",
        ]
        read_only_fields = fields

    def get_allowed_actions(self, obj) -> list[str]:
        from govcloud.applications.services import allowed_actions

        request = self.context.get("request")
        return allowed_actions(obj, request.user) if request else []


class ItemWriteSerializer(serializers.Serializer):
    """New resources: catalog_item (its code), quantity, spec. A change: target_resource (the
    resource's id) and the new spec values (and/or needed_until). A termination: target_resource."""

    catalog_item = serializers.CharField(required=False, allow_blank=True, default="")
    target_resource = IdField(required=False, allow_null=True, default=None)  # an id the database can hold
    quantity = serializers.IntegerField(required=False, default=1)
    spec = serializers.DictField(required=False, default=dict)
    needed_until = serializers.DateField(required=False, allow_null=True, default=None)


class ApplicationWriteSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ApplicationKind.choices, default=ApplicationKind.NEW)
    system = serializers.IntegerField()
    purpose = serializers.CharField(max_length=4000)
    environment = serializers.ChoiceField(choices=Environment.choices)
    requested_date = serializers.DateField(required=False, allow_null=True, default=None)
    contact_name = serializers.CharField(max_length=60)
    contact_phone = serializers.CharField(max_length=30)
    quota_justification = serializers.CharField(required=False, allow_blank=True, default="")
    termination_mode = serializers.ChoiceField(choices=TerminationMode.choices, required=False, allow_blank=True)
    termination_date = serializers.DateField(required=False, allow_null=True)
    items = ItemWriteSerializer(many=True)


class ApplicationPatchSerializer(ApplicationWriteSerializer):
    def __init__(self, *args, **kwargs):
        kwargs["partial"] = True
        super().__init__(*args, **kwargs)


class StepSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class ReasonSerializer(serializers.Serializer):
    reasons = serializers.CharField(max_length=4000)


class ItemDecisionSerializer(serializers.Serializer):
    item = serializers.IntegerField()
    approved_quantity = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0)
    approved_spec = serializers.DictField(required=False, allow_null=True, default=None)
    approval_note = serializers.CharField(required=False, allow_blank=True, default="")


class ApproveSerializer(serializers.Serializer):
    """Items left out are approved as asked."""

    comment = serializers.CharField(required=False, allow_blank=True, default="")
    decisions = ItemDecisionSerializer(many=True, required=False, default=list)


class GateCheckSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    cleared = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())


class GateSerializer(serializers.Serializer):
    cleared = serializers.BooleanField()
    checks = GateCheckSerializer(many=True)


class EstimateLineSerializer(serializers.Serializer):
    catalog_item = serializers.CharField()
    quantity = serializers.IntegerField()
    monthly_estimate = serializers.DecimalField(max_digits=14, decimal_places=2)


class ApplicationEstimateSerializer(serializers.Serializer):
    lines = EstimateLineSerializer(many=True)
    total = serializers.DecimalField(max_digits=14, decimal_places=2)
    quota_messages = serializers.ListField(child=serializers.CharField())


class EstimateQuerySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ApplicationKind.choices, default=ApplicationKind.NEW)


class InboxQuerySerializer(serializers.Serializer):
    tab = serializers.ChoiceField(choices=[InboxTab.ALL, InboxTab.ACCEPT, InboxTab.DECIDE], default=InboxTab.ALL)


class UploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=AttachmentKind.choices, default=AttachmentKind.STAMPED_FORM)
    file = serializers.FileField()
