"""Filters of the utilization pages and API, strict about junk (400 naming the parameter)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from govcloud.catalog.models import ResourceKind
from govcloud.core.filters import BooleanFilter, IdFilter, MomentFilter
from govcloud.ledger.filters import FastSelect
from govcloud.ledger.models import Resource
from govcloud.monitoring.models import (
    Alert,
    AlertKind,
    AlertState,
    CollectionRun,
    CollectionStatus,
    Metric,
    Period,
    Rollup,
    SampleSource,
)
from govcloud.systems.filters import departments_in_scope


@extend_schema_field(OpenApiTypes.INT)
class DepartmentFilter(django_filters.ModelChoiceFilter):
    """A department by id (the alert has none of its own: it is its resource's)."""


class RollupFilter(django_filters.FilterSet):
    resource = IdFilter(field_name="resource_id", label=_("resource"))
    resource_code = django_filters.CharFilter(field_name="resource__code", label=_("resource number"), max_length=40)
    metric = django_filters.ChoiceFilter(choices=Metric.choices, label=_("metric"))
    period = django_filters.ChoiceFilter(choices=Period.choices, label=_("period"))
    since = MomentFilter(field_name="start", lookup_expr="gte", label=_("from"))
    until = MomentFilter(field_name="start", lookup_expr="lt", label=_("until"))

    class Meta:
        model = Rollup
        fields = ["resource", "resource_code", "metric", "period", "since", "until"]


class CollectionRunFilter(django_filters.FilterSet):
    """The collector runs: by status (the failed ones first of all), by source and by start time."""

    status = django_filters.ChoiceFilter(choices=CollectionStatus.choices, label=_("status"))
    source = django_filters.ChoiceFilter(choices=SampleSource.choices, label=_("source"))
    since = MomentFilter(field_name="started_at", lookup_expr="gte", label=_("from"))
    until = MomentFilter(field_name="started_at", lookup_expr="lt", label=_("until"))

    class Meta:
        model = CollectionRun
        fields = ["status", "source", "since", "until"]


class UtilizationFilter(django_filters.FilterSet):
    """The utilization page's resources: by department (the center's view of every department) and
    by type."""

    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=100)
    organization = django_filters.ModelChoiceFilter(
        label=_("department"),
        queryset=departments_in_scope,
        method="in_organization",
        empty_label=_("All departments"),
        widget=FastSelect,
    )
    kind = django_filters.ChoiceFilter(
        label=_("type"), choices=ResourceKind.choices, empty_label=_("All types"), widget=FastSelect
    )

    class Meta:
        model = Resource
        fields = ["q", "organization", "kind"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value)) if value else queryset

    def in_organization(self, queryset, name, value):
        # The department and its units (Art. 4 tree).
        return queryset.filter(organization__path__startswith=value.path)


class AlertFilter(django_filters.FilterSet):
    """Alerts by state (open by default on the page), kind, department and resource."""

    state = django_filters.ChoiceFilter(
        label=_("state"), choices=AlertState.choices, empty_label=_("All states"), widget=FastSelect
    )
    kind = django_filters.ChoiceFilter(
        label=_("kind"), choices=AlertKind.choices, empty_label=_("All kinds"), widget=FastSelect
    )
    organization = DepartmentFilter(
        label=_("department"),
        queryset=departments_in_scope,
        method="in_organization",
        empty_label=_("All departments"),
        widget=FastSelect,
    )
    resource = IdFilter(field_name="resource_id", label=_("resource"))
    planned = BooleanFilter(label=_("planned (maintenance)"))

    class Meta:
        model = Alert
        fields = ["state", "kind", "organization", "resource", "planned"]

    def in_organization(self, queryset, name, value):
        return queryset.filter(resource__organization__path__startswith=value.path)
