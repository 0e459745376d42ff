"""Badges for maintenance windows."""

from django import template
from django.utils.html import format_html

from govcloud.maintenance.models import WindowKind, WindowState

register = template.Library()

_STATE_COLORS = {
    WindowState.DRAFT: "secondary",
    WindowState.SUBMITTED: "warning",
    WindowState.APPROVED: "success",
    WindowState.RETURNED: "danger",
    WindowState.IN_PROGRESS: "primary",
    WindowState.COMPLETED: "light",
    WindowState.CANCELLED: "secondary",
}


@register.simple_tag
def window_state(window):
    color = _STATE_COLORS.get(window.state, "light")
    return format_html(
        '<span class="badge text-bg-{}" data-state="{}">{}</span>', color, window.state, window.get_state_display()
    )


@register.simple_tag
def window_kind(window):
    if window.kind == WindowKind.EMERGENCY:
        return format_html(
            '<span class="badge text-bg-danger" data-kind="emergency">{}</span>', window.get_kind_display()
        )
    return format_html('<span class="badge text-bg-info" data-kind="planned">{}</span>', window.get_kind_display())
