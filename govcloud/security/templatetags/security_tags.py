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
}


@register.simple_tag
def status_badge(value, label):
    color = _COLORS.get(str(value), "light")
    text = "text-bg-warning" if color == "warning" else f"text-bg-{color}"
    return format_html('<span class="badge {}" data-status="{}">{}</span>', text, value, label)
