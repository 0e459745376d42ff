"""Filters of the waste-control pages and API, strict about junk (400 naming the parameter)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from govcloud.core.filters import IdFilter
from govcloud.ledger.filters import FastSelect
from govcloud.systems.filters import departments_in_scope
from govcloud.waste.models import AdviceState, Expiry, ExpiryState, RightsizingAdvice


@extend_schema_field(OpenApiTypes.INT)
class DepartmentFilter(django_filters.ModelChoiceFilter):
    """A department by id (advice and terms have none of their own: they are their resource's)."""


class _ByDepartment(django_filters.FilterSet):
    organization = DepartmentFilter(
        label=_("department"),
        queryset=departments_in_scope,
        method="in_organization",
        empty_label=_("All departments"),
        widget=FastSelect,
    )
    resource = IdFilter(field_name="resource_id", label=_("resource"))

    def in_organization(self, queryset, name, value):
        # The department and its units (Art. 4 tree).
        return queryset.filter(resource__organization__path__startswith=value.path)


class AdviceFilter(_ByDepartment):
    state = django_filters.ChoiceFilter(
        label=_("state"), choices=AdviceState.choices, empty_label=_("All states"), widget=FastSelect
    )

    class Meta:
        model = RightsizingAdvice
        fields = ["state", "organization", "resource"]


class ExpiryFilter(_ByDepartment):
    state = django_filters.ChoiceFilter(
        label=_("state"), choices=ExpiryState.choices, empty_label=_("All states"), widget=FastSelect
    )

    class Meta:
        model = Expiry
        fields = ["state", "organization", "resource"]
