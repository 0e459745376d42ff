from datetime import datetime, time, timedelta

import django_filters
from django import forms
from django.db.models import Q
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from govcloud.catalog.models import NetworkKind, ResourceKind
from govcloud.catalog.selectors import os_image_choices
from govcloud.core.permissions import has_any_role
from govcloud.ledger.models import LEDGER_VIEWERS, Resource, ResourceState
from govcloud.systems.filters import departments_in_scope
from govcloud.systems.models import InformationSystem

DATE = {"type": "date"}


class FastSelect(forms.Select):
    """A select rendered in Python. With hundreds of departments, Django's template per option is
    most of the ledger page's time; this renders the same HTML in a fraction of it."""

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        chosen = {str(v) for v in self.format_value(value)}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((str(key), mark_safe(" selected") if str(key) in chosen else "", label) for key, label in self.choices),
        )
        return format_html("<select{}>{}</select>", flatatt(final), options)


def systems_in_scope(request):
    if request is None or getattr(request, "user", None) is None:
        return InformationSystem.objects.none()
    return InformationSystem.objects.restrict(request.user).order_by("name", "pk")


def _start_of(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class ResourceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    organization = django_filters.ModelChoiceFilter(
        label=_("department"),
        queryset=departments_in_scope,
        method="in_organization",
        empty_label=_("All departments"),
        widget=FastSelect,
    )
    system = django_filters.ModelChoiceFilter(
        label=_("information system"), queryset=systems_in_scope, empty_label=_("All systems"), widget=FastSelect
    )
    kind = django_filters.ChoiceFilter(
        label=_("type"), choices=ResourceKind.choices, empty_label=_("All types"), widget=FastSelect
    )
    state = django_filters.ChoiceFilter(
        label=_("state"), choices=ResourceState.choices, empty_label=_("All states"), widget=FastSelect
    )
    os_image = django_filters.ChoiceFilter(
        # A callable: read when a form is built, never at import or by the schema generator.
        label=_("operating system"),
        choices=os_image_choices,
        empty_label=_("All operating systems"),
        widget=FastSelect,
    )
    network = django_filters.ChoiceFilter(
        label=_("network"), choices=NetworkKind.choices, empty_label=_("All networks"), widget=FastSelect
    )
    in_service_from = django_filters.DateFilter(
        label=_("in service from"), method="in_service_between", widget=forms.DateInput(attrs=DATE)
    )
    in_service_to = django_filters.DateFilter(
        label=_("in service until"), method="in_service_between", widget=forms.DateInput(attrs=DATE)
    )

    class Meta:
        model = Resource
        fields = ["q", "organization", "system", "kind", "state", "os_image", "network"]

    def __init__(self, *args, os_choices: list[tuple[str, str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if os_choices is not None:
            # Given by the view (which also uses them for the labels) so the page reads them once.
            os_filter = self.filters["os_image"]
            os_filter.extra["choices"] = os_choices
            os_filter.__dict__.pop("_field", None)  # never a form field built for other choices
        self.filters["system"].queryset = self._systems

    def _systems(self, request):
        """The systems to choose from: those of the chosen department, or a department user's own —
        a city has thousands, too many for one list (the chosen one always stays valid)."""
        systems = systems_in_scope(request)
        data = self.data or {}
        chosen = Q(pk=data["system"]) if str(data.get("system", "")).isdigit() else Q(pk__in=[])
        organization = str(data.get("organization", ""))
        if organization.isdigit():
            department = departments_in_scope(request).filter(pk=organization).first()
            if department is not None:
                return systems.filter(Q(organization__path__startswith=department.path) | chosen)
        user = getattr(request, "user", None)
        if user is not None and not has_any_role(user, LEDGER_VIEWERS):
            return systems
        return systems.filter(chosen)

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(code__icontains=value)
            | Q(name__icontains=value)
            | Q(provider_ref__icontains=value)
            | Q(addresses_text__icontains=value)
        )

    def in_organization(self, queryset, name, value):
        # The department and its units (Art. 4 tree).
        return queryset.filter(organization__path__startswith=value.path)

    def in_service_between(self, queryset, name, value):
        """Resources in service at some moment of the chosen days: went into service before the
        end of the last day and were not terminated before the first."""
        if name == "in_service_from":
            return queryset.filter(in_service_at__isnull=False).filter(
                Q(terminated_at__isnull=True) | Q(terminated_at__gte=_start_of(value))
            )
        return queryset.filter(in_service_at__lt=_start_of(value + timedelta(days=1)))
