import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from govcloud.core.filters import BooleanFilter
from govcloud.core.roles import Role
from govcloud.organizations.models import Organization, OrganizationKind, OrganizationLevel, User

ACTIVE_CHOICES = [("", _("All")), ("true", _("Active")), ("false", _("Disabled"))]


def _organizations_in_scope(request):
    if request is None:
        return Organization.objects.none()
    return Organization.objects.restrict(request.user).order_by("path")


class OrganizationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=OrganizationKind.choices, empty_label=_("All kinds"))
    level = django_filters.ChoiceFilter(
        label=_("level"), choices=OrganizationLevel.choices, empty_label=_("All levels")
    )
    is_active = BooleanFilter(label=_("active"), widget=forms.Select(choices=ACTIVE_CHOICES))

    class Meta:
        model = Organization
        fields = ["q", "kind", "level", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(short_name__icontains=value) | Q(credit_code__iexact=value))


class UserFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    organization = django_filters.ModelChoiceFilter(
        label=_("organization"),
        queryset=_organizations_in_scope,
        method="in_organization",
        empty_label=_("All organizations"),
    )
    role = django_filters.ChoiceFilter(
        label=_("Role"), choices=Role.choices, method="with_role", empty_label=_("All roles")
    )
    is_active = BooleanFilter(label=_("active"), widget=forms.Select(choices=ACTIVE_CHOICES))

    class Meta:
        model = User
        fields = ["q", "organization", "role", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(username__icontains=value) | Q(full_name__icontains=value))

    def in_organization(self, queryset, name, value):
        # The organization and its units (Art. 4 tree).
        return queryset.filter(organization__path__startswith=value.path)

    def with_role(self, queryset, name, value):
        return queryset.filter(role_assignments__role=value).distinct()
