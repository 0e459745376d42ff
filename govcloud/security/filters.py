"""Filters of the security lists (pages and API alike)."""

from datetime import date

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from govcloud.core.filters import BooleanFilter, IdFilter
from govcloud.security.models import (
    AWAITING_DEPARTMENT,
    AccessGrant,
    AccessSession,
    AddressFiling,
    FilingStatus,
    GrantStatus,
    NoticeKind,
    NoticeRectification,
    NoticeSeverity,
    PortRequest,
    PortRequestStatus,
    RectificationStatus,
    SecurityEvent,
    SecurityEventKind,
    SecurityNotice,
)
from govcloud.security.selectors.access import grant_status_q
from govcloud.security.selectors.events import month_bounds

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


class SecurityNoticeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    severity = django_filters.ChoiceFilter(label=_("severity"), choices=NoticeSeverity.choices, empty_label=_("All"))
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=NoticeKind.choices, empty_label=_("All"))

    class Meta:
        model = SecurityNotice
        fields = ["q", "severity", "kind"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(number__icontains=value))


class NoticeRectificationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("status"), choices=RectificationStatus.choices, empty_label=_("All"))
    overdue = BooleanFilter(label=_("overdue"), method="with_overdue", widget=forms.Select(choices=YES_NO))
    awaiting = BooleanFilter(
        label=_("awaiting the department"), method="with_awaiting", widget=forms.Select(choices=YES_NO)
    )
    notice = by_id("notice")
    organization = by_id("organization")

    class Meta:
        model = NoticeRectification
        fields = ["status", "overdue", "awaiting", "notice", "organization"]

    def with_awaiting(self, queryset, name, value):
        awaiting = Q(status__in=AWAITING_DEPARTMENT)
        return queryset.filter(awaiting if value else ~awaiting)

    def with_overdue(self, queryset, name, value):
        overdue = Q(status__in=AWAITING_DEPARTMENT, notice__due_at__lte=timezone.now())
        return queryset.filter(overdue if value else ~overdue)


class SecurityEventFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=SecurityEventKind.choices, empty_label=_("All"))
    month = django_filters.CharFilter(
        label=_("month"), method="in_month", widget=forms.DateInput(attrs={"type": "month"})
    )
    organization = by_id("organization")

    class Meta:
        model = SecurityEvent
        fields = ["q", "kind", "month", "organization"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(summary__icontains=value) | Q(source__icontains=value))

    def in_month(self, queryset, name, value):
        try:
            month = date.fromisoformat(f"{value[:7]}-01")
        except ValueError:
            return queryset.none()
        start, end = month_bounds(month)
        return queryset.filter(occurred_at__gte=start, occurred_at__lt=end)
