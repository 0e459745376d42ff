import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from govcloud.audit.models import AuditEvent, Outcome


class AuditEventFilter(django_filters.FilterSet):
    actor = django_filters.CharFilter(label=_("actor"), field_name="actor_username", lookup_expr="icontains")
    organization = django_filters.CharFilter(
        label=_("organization"), field_name="organization_name", lookup_expr="icontains"
    )
    action = django_filters.CharFilter(label=_("action"), field_name="action", lookup_expr="startswith")
    object_type = django_filters.CharFilter(label=_("object type"), field_name="object_type")
    object_id = django_filters.CharFilter(label=_("object id"), field_name="object_id")
    outcome = django_filters.ChoiceFilter(label=_("outcome"), choices=Outcome.choices, empty_label=_("All"))
    since = django_filters.DateTimeFilter(
        label=_("From"),
        field_name="occurred_at",
        lookup_expr="gte",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    until = django_filters.DateTimeFilter(
        label=_("To"),
        field_name="occurred_at",
        lookup_expr="lt",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    class Meta:
        model = AuditEvent
        fields = ["actor", "organization", "action", "object_type", "object_id", "outcome", "since", "until"]
