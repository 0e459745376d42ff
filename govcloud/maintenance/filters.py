"""Filters of the maintenance window lists (pages and API alike)."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from govcloud.maintenance.models import MaintenanceWindow, WindowKind, WindowState
from govcloud.maintenance.selectors import month_bounds


class MonthField(forms.DateField):
    """A month (<input type="month">, YYYY-MM), as its first day; anything else is an error."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m"]
    default_error_messages = {"invalid": _("Give the month as YYYY-MM.")}


class MonthFilter(django_filters.CharFilter):
    """A string in the schema (YYYY-MM), checked as a month."""

    field_class = MonthField


class MaintenanceWindowFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    state = django_filters.ChoiceFilter(label=_("state"), choices=WindowState.choices, empty_label=_("All"))
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=WindowKind.choices, empty_label=_("All"))
    month = MonthFilter(label=_("month"), method="in_month", help_text=_("Windows overlapping the month (YYYY-MM)"))

    class Meta:
        model = MaintenanceWindow
        fields = ["q", "state", "kind", "month"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(number__icontains=value))

    def in_month(self, queryset, name, value):
        start, end = month_bounds(value)
        return queryset.filter(start__lt=end, end__gt=start)
