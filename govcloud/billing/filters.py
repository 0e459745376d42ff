"""The statements list for the center and finance: by month and department, in an order chosen by
the reader (period, department, total)."""

from __future__ import annotations

import re

import django_filters
from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from govcloud.billing.models import Statement, StatementState
from govcloud.organizations.models import Organization, OrganizationKind

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def _departments(request):
    user = getattr(request, "user", None)
    if user is None:
        return Organization.objects.none()
    return Organization.objects.restrict(user).filter(kind=OrganizationKind.DEPARTMENT, depth__gt=0).order_by("path")


class StatementFilter(django_filters.FilterSet):
    month = django_filters.CharFilter(
        label=_("month"),
        method="in_month",
        validators=[RegexValidator(MONTH, _("Give a month as YYYY-MM."))],
        widget=forms.TextInput(attrs={"type": "month"}),
    )
    organization = django_filters.ModelChoiceFilter(
        label=_("department"), queryset=_departments, method="in_organization"
    )
    state = django_filters.ChoiceFilter(label=_("state"), choices=StatementState.choices)
    order = django_filters.OrderingFilter(
        label=_("sort by"),
        fields=(("period", "period"), ("organization__path", "organization"), ("total", "total")),
        choices=[
            ("-period", _("Month, newest first")),
            ("period", _("Month, oldest first")),
            ("organization", _("Department")),
            ("-total", _("Total, highest first")),
            ("total", _("Total, lowest first")),
        ],
        empty_label=None,
    )

    class Meta:
        model = Statement
        fields = ["month", "organization", "state"]

    def in_month(self, queryset, name, value):
        match = MONTH.match(value or "")
        if not match:
            return queryset
        return queryset.filter(period__year=int(match.group(1)), period__month=int(match.group(2)))

    def in_organization(self, queryset, name, value):
        # A department and its units (Art. 4).
        return queryset.filter(organization__path__startswith=value.path)
