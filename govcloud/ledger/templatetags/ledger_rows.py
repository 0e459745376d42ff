"""The ledger list's per-row cells in one call each (issue 19): the same HTML as the templates
`ledger/_spec_summary.html` and `ledger/_state_badge.html` (the detail page still includes them; a
test holds each pair equal), without an include — a context push, a template lookup and a dozen
variable resolutions — per row and cell."""

from __future__ import annotations

from django import template
from django.template.defaultfilters import floatformat
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

register = template.Library()

_BADGES = {
    "in_service": "text-bg-success",
    "testing": "text-bg-info",
    "changing": "text-bg-warning",
    "terminated": "text-bg-secondary",
}


def _text(value) -> str:
    """A value as `{{ value }}` prints it: localized, then escaped."""
    return conditional_escape(str(localize(value)))


@register.simple_tag
def resource_state_badge(state, label) -> SafeString:
    css = _BADGES.get(state)
    if css is None:
        return mark_safe(_text(label) + "\n")
    return format_html('<span class="badge {}">{}</span>\n', css, label)


@register.simple_tag
def spec_summary(r) -> SafeString:
    parts = []
    if r.vcpu:
        parts.append(f"{_text(r.vcpu)} vCPU · {_text(r.memory_gb)} GB")
    if r.disk_gb:
        parts.append(f"{' · ' if r.vcpu else ''}{_text(r.disk_gb)} GB {conditional_escape(gettext('disk'))}")
    if r.storage_tb:
        parts.append(f"{conditional_escape(floatformat(r.storage_tb, '-2'))} TB")
    if r.bandwidth_mbps:
        parts.append(f"{_text(r.bandwidth_mbps)} Mbps")
    if r.public_addresses:
        n = r.public_addresses
        parts.append(" · " + ngettext("%(n)s public address", "%(n)s public addresses", n) % {"n": _text(n)})
    if r.kind == "load_balancer":
        spec = r.spec if isinstance(r.spec, dict) else {}
        parts.append(conditional_escape(str(spec.get("lb_layer", "")).upper()))
    if r.os_image:
        label = getattr(r, "os_label", "") or r.os_image
        parts.append(f'<div class="text-muted">{_text(label)}</div>')
    parts.append("\n")
    return mark_safe("".join(parts))
