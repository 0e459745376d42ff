import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from govcloud.core.roles import Role
from govcloud.organizations.models import Organization, OrganizationKind, OrganizationLevel, User


class OrganizationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=OrganizationKind.choices)
    level = django_filters.ChoiceFilter(label=_("level"), choices=OrganizationLevel.choices)
    is_active = django_filters.BooleanFilter(label=_("active"))

    class Meta:
        model = Organization
        fields = ["q", "kind", "level", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(short_name__icontains=value) | Q(credit_code__iexact=value))


class UserFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    organization = django_filters.NumberFilter(label=_("organization"), method="in_organization")
    role = django_filters.ChoiceFilter(label=_("Role"), choices=Role.choices, method="with_role")
    is_active = django_filters.BooleanFilter(label=_("active"))

    class Meta:
        model = User
        fields = ["q", "organization", "role", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(username__icontains=value) | Q(full_name__icontains=value))

    def in_organization(self, queryset, name, value):
        # The organization and its units (Art. 4 tree).
        org = Organization.objects.filter(pk=value).values_list("path", flat=True).first()
        return queryset.filter(organization__path__startswith=org) if org else queryset.none()

    def with_role(self, queryset, name, value):
        return queryset.filter(role_assignments__role=value).distinct()
