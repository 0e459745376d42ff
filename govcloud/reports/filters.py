"""Filters of the reports pages and API, strict about junk (400 naming the parameter)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from govcloud.core.filters import BooleanFilter
from govcloud.reports.models import (
    ProviderReport,
    ProviderReportKind,
    ProviderReportState,
    ReportPeriod,
    UsageFlag,
    UtilizationLine,
    UtilizationReport,
)
from govcloud.systems.filters import departments_in_scope


class UtilizationReportFilter(django_filters.FilterSet):
    period = django_filters.ChoiceFilter(choices=ReportPeriod.choices, label=_("period"), empty_label=_("All periods"))
    organization = django_filters.ModelChoiceFilter(
        label=_("department"), queryset=departments_in_scope, empty_label=_("All departments")
    )
    city = BooleanFilter(field_name="organization", lookup_expr="isnull", label=_("City-wide only"))
    since = django_filters.DateFilter(field_name="starts_on", lookup_expr="gte", label=_("from"))

    class Meta:
        model = UtilizationReport
        fields = ["period", "organization", "city", "since"]


class UtilizationLineFilter(django_filters.FilterSet):
    flag = django_filters.ChoiceFilter(choices=UsageFlag.choices, label=_("usage verdict"), empty_label=_("All"))

    class Meta:
        model = UtilizationLine
        fields = ["flag"]


class ProviderReportFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ProviderReportKind.choices, label=_("kind"), empty_label=_("All kinds"))
    state = django_filters.ChoiceFilter(
        choices=ProviderReportState.choices, label=_("state"), empty_label=_("All states")
    )

    class Meta:
        model = ProviderReport
        fields = ["kind", "state"]
