"""Badges and small helpers for the application pages."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from govcloud.applications.models import ApplicationState
from govcloud.delivery.templatetags.deadlines import time_left

register = template.Library()

S = ApplicationState
_COLORS = {
    S.DRAFT: "text-bg-secondary",
    S.AWAITING_SIGNOFF: "text-bg-info",
    S.SUBMITTED: "text-bg-warning",
    S.RETURNED: "text-bg-warning border border-danger",
    S.ACCEPTED: "text-bg-primary",
    S.REJECTED: "text-bg-danger",
    S.IN_DELIVERY: "text-bg-info",
    S.DELIVERED: "text-bg-primary",
    S.TEST_FAILED: "text-bg-danger",
    S.IN_SERVICE: "text-bg-success",
    S.COMPLETED: "text-bg-success",
    S.CANCELLED: "text-bg-light border",
}


@register.simple_tag
def app_state(application):
    state = application.state
    return format_html(
        '<span class="badge {}" data-testid="application-state" data-state="{}">{}</span>',
        _COLORS.get(state, "text-bg-light"),
        state,
        ApplicationState(state).label,
    )


@register.filter
def cny(value) -> str:
    """¥1,234.50"""
    if value in (None, ""):
        return "—"
    return f"¥{Decimal(value):,.2f}"


@register.filter
def cny_delta(value) -> str:
    """+¥340.00 / −¥120.00 / ±¥0.00: a monthly cost's change."""
    if value in (None, ""):
        return "—"
    amount = Decimal(value)
    sign = "+" if amount > 0 else ("−" if amount < 0 else "±")
    return f"{sign}¥{abs(amount):,.2f}"


_NO_DEADLINE = mark_safe('<span class="text-muted">—</span>\n')


@register.simple_tag
def deadline_cell(application):
    """The list rows' deadline cell: the same HTML as `{% include "applications/_deadline.html" %}`
    (the detail page still includes that template; a test holds the two equal), in one call
    instead of an include, a `with` and an `if` per row — the include was a third of a 50-row
    list's rendering (issue 19)."""
    d = application.current_deadline
    if not d:
        return _NO_DEADLINE
    return format_html(
        '<span class="text-nowrap" data-testid="deadline" data-kind="{}">{}</span>'
        '<div class="small text-muted">{}</div>\n',
        d.kind,
        time_left(d.due, d.provisional),
        d.kind.label,
    )
