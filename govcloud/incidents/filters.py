"""Filters of the incident lists (pages and API alike)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from govcloud.core.filters import BooleanFilter, IdFilter
from govcloud.incidents.models import OPEN_STATES, Channel, Incident, IncidentSeverity, IncidentState


def by_id(field: str):
    """A related object's id (for the API and links): a number, never a list of other departments' names."""
    return IdFilter(field_name=f"{field}_id", widget=forms.HiddenInput)


class IncidentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    state = django_filters.ChoiceFilter(label=_("state"), choices=IncidentState.choices, empty_label=_("All"))
    severity = django_filters.ModelChoiceFilter(
        label=_("severity"), queryset=IncidentSeverity.objects.order_by("rank"), empty_label=_("All")
    )
    channel = django_filters.ChoiceFilter(label=_("channel"), choices=Channel.choices, empty_label=_("All"))
    open = BooleanFilter(label=_("open"), method="only_open")
    system = by_id("system")
    resource = IdFilter(field_name="resources", widget=forms.HiddenInput)

    class Meta:
        model = Incident
        fields = ["q", "state", "severity", "channel", "open", "system", "resource"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(number__icontains=value) | Q(title__icontains=value) | Q(symptom__icontains=value))

    def only_open(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(state__in=OPEN_STATES) if value else queryset.exclude(state__in=OPEN_STATES)
