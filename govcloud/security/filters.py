"""Filters of the security lists (pages and API alike)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from govcloud.core.filters import BooleanFilter, IdFilter
from govcloud.security.models import (
    AccessGrant,
    AccessSession,
    AddressFiling,
    FilingStatus,
    GrantStatus,
    PortRequest,
    PortRequestStatus,
)
from govcloud.security.selectors.access import grant_status_q

YES_NO = [("", _("All")), ("true", _("Yes")), ("false", _("No"))]


def by_id(field: str):
    """Filter by a related object's id (for the API and links). A plain number, never a list of
    choices: a select of every system would show other departments' names."""
    return IdFilter(field_name=f"{field}_id", widget=forms.HiddenInput)


class AddressFilingFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    status = django_filters.ChoiceFilter(label=_("status"), choices=FilingStatus.choices, empty_label=_("All"))
    system = by_id("system")

    class Meta:
        model = AddressFiling
        fields = ["q", "status", "system"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(address__icontains=value) | Q(domain__icontains=value) | Q(system__name__icontains=value)
        )


class PortRequestFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("status"), choices=PortRequestStatus.choices, empty_label=_("All"))
    filing = by_id("filing")

    class Meta:
        model = PortRequest
        fields = ["status", "filing"]


class AccessGrantFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    status = django_filters.ChoiceFilter(
        label=_("status"), choices=GrantStatus.choices, method="with_status", empty_label=_("All")
    )
    system = by_id("system")
    grantee = by_id("grantee")

    class Meta:
        model = AccessGrant
        fields = ["q", "status", "system", "grantee"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(purpose__icontains=value) | Q(system__name__icontains=value) | Q(grantee__full_name__icontains=value)
        )

    def with_status(self, queryset, name, value):
        return queryset.filter(grant_status_q(value))


class AccessSessionFilter(django_filters.FilterSet):
    flagged = BooleanFilter(label=_("flagged"), widget=forms.Select(choices=YES_NO))
    reviewed = BooleanFilter(label=_("reviewed"), method="with_review", widget=forms.Select(choices=YES_NO))
    grant = by_id("grant")
    system = by_id("system")

    class Meta:
        model = AccessSession
        fields = ["flagged", "reviewed", "grant", "system"]

    def with_review(self, queryset, name, value):
        return queryset.filter(reviewed_at__isnull=not value)
