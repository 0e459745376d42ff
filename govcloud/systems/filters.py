import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from govcloud.core.filters import BooleanFilter, IdFilter
from govcloud.organizations.models import Organization, OrganizationKind
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
    SystemAttachment,
)
from govcloud.systems.selectors import Compliance, compliance_q

YES_NO = [("", _("All")), ("true", _("Yes")), ("false", _("No"))]
LEVELS = [(n, _("Level %(n)d") % {"n": n}) for n in range(1, 6)]
COMPLIANCE_CHOICES = [
    (Compliance.CLEARED, _("Cleared to go live")),
    (Compliance.NOT_CLEARED, _("Not cleared")),
    (Compliance.NO_FILING, _("No valid grading filing")),
    (Compliance.ASSESSMENT, _("Assessment missing, failed or out of date")),
    (Compliance.RECTIFICATION_OVERDUE, _("Rectification overdue")),
]


def departments_for(user):
    """Departments and units the user may see (for choosing an owning unit or filtering)."""
    return Organization.objects.restrict(user).filter(kind=OrganizationKind.DEPARTMENT, depth__gt=0).order_by("path")


def departments_in_scope(request):
    if request is None or getattr(request, "user", None) is None:
        return Organization.objects.none()
    return departments_for(request.user)


def _in_organization(queryset, name, value):
    # The organization and its units (Art. 4 tree).
    return queryset.filter(**{f"{name}__path__startswith": value.path})


class SystemFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    organization = django_filters.ModelChoiceFilter(
        label=_("department"), queryset=departments_in_scope, method=_in_organization, empty_label=_("All departments")
    )
    hosting_status = django_filters.ChoiceFilter(
        label=_("hosting status"), choices=HostingStatus.choices, empty_label=_("All statuses")
    )
    protection_level = django_filters.ChoiceFilter(
        label=_("protection level"), choices=LEVELS, empty_label=_("All protection levels")
    )
    compliance = django_filters.ChoiceFilter(
        label=_("compliance"), choices=COMPLIANCE_CHOICES, method="with_compliance", empty_label=_("All")
    )
    classified = BooleanFilter(label=_("classified (涉密)"), widget=forms.Select(choices=YES_NO))
    internet_facing = BooleanFilter(label=_("internet-facing"), widget=forms.Select(choices=YES_NO))

    class Meta:
        model = InformationSystem
        fields = [
            "q",
            "organization",
            "hosting_status",
            "protection_level",
            "compliance",
            "classified",
            "internet_facing",
        ]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(organization__name__icontains=value))

    def with_compliance(self, queryset, name, value):
        # The queryset carries selectors.with_compliance annotations.
        return queryset.filter(compliance_q(value))


class _SystemChildFilter(django_filters.FilterSet):
    system = IdFilter(label=_("information system"), field_name="system_id")


class FilingFilter(_SystemChildFilter):
    class Meta:
        model = MlpsFiling
        fields = ["system"]


class AssessmentFilter(_SystemChildFilter):
    conclusion = django_filters.ChoiceFilter(label=_("conclusion"), choices=AssessmentConclusion.choices)

    class Meta:
        model = MlpsAssessment
        fields = ["system", "conclusion"]


class RectificationFilter(_SystemChildFilter):
    status = django_filters.ChoiceFilter(label=_("status"), choices=RectificationStatus.choices)
    overdue = BooleanFilter(label=_("overdue"), method="only_overdue")

    class Meta:
        model = Rectification
        fields = ["system", "status", "overdue"]

    def only_overdue(self, queryset, name, value):
        q = Q(status=RectificationStatus.OPEN, due_on__lt=timezone.localdate())
        return queryset.filter(q) if value else queryset.exclude(q)


class AttachmentFilter(_SystemChildFilter):
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=AttachmentKind.choices)
    exemption = IdFilter(label=_("exemption"), field_name="exemption_id")

    class Meta:
        model = SystemAttachment
        fields = ["system", "kind", "exemption"]


class ExemptionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    state = django_filters.ChoiceFilter(label=_("state"), choices=ExemptionState.choices, empty_label=_("All states"))
    organization = django_filters.ModelChoiceFilter(
        label=_("department"),
        queryset=departments_in_scope,
        field_name="system__organization",
        method=_in_organization,
        empty_label=_("All departments"),
    )
    system = IdFilter(label=_("information system"), field_name="system_id", widget=forms.HiddenInput)

    class Meta:
        model = MigrationExemption
        fields = ["q", "state", "organization", "system"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(system__name__icontains=value) | Q(system__organization__name__icontains=value))
