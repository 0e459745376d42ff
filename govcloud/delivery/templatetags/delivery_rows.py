"""The work-order list's state cell in one call (issue 19): the same HTML as `delivery/_state.html`
(the detail pages still include it; a test holds the two equal), without an include per row."""

from __future__ import annotations

from django import template
from django.utils.encoding import force_str
from django.utils.html import format_html
from django.utils.safestring import SafeString

from govcloud.delivery.models import WorkOrderState

register = template.Library()

_BADGES = {
    "open": "text-bg-warning",
    "claimed": "text-bg-info",
    "completed": "text-bg-success",
    "failed": "text-bg-danger",
}


# get_state_display() builds the choices' dictionary anew on every call: most of this cell's time.
_LABELS = dict(WorkOrderState.choices)


@register.simple_tag
def work_order_state(order) -> SafeString:
    return format_html(
        '<span class="badge {}" data-testid="work-order-state" data-state="{}">{}</span>\n',
        _BADGES.get(order.state, "text-bg-secondary"),
        order.state,
        force_str(_LABELS.get(order.state, order.state), strings_only=True),
    )
