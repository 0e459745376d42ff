"""Badges for the security pages' statuses."""

from django import template
from django.utils.html import format_html

register = template.Library()

_COLORS = {
    "draft": "secondary",
    "submitted": "warning",
    "complete": "success",
    "approved": "success",
    "published": "success",
    "active": "success",
    "done": "success",
    "rejected": "danger",
    "revoked": "danger",
    "withdrawn": "secondary",
    "expired": "secondary",
    "cancelled": "secondary",
    "scheduled": "info",
    "open": "warning",
    "issued": "info",
    "read": "info",
    "accepted": "success",
    "returned": "danger",
}
_SEVERITY = {"low": "secondary", "medium": "warning", "high": "danger", "critical": "dark"}


@register.simple_tag
def status_badge(value, label):
    color = _COLORS.get(str(value), "light")
    text = "text-bg-warning" if color == "warning" else f"text-bg-{color}"
    return format_html('<span class="badge {}" data-status="{}">{}</span>', text, value, label)


@register.simple_tag
def severity_badge(value, label):
    """A security notice's severity."""
    color = _SEVERITY.get(str(value), "light")
    return format_html('<span class="badge text-bg-{}" data-severity="{}">{}</span>', color, value, label)
