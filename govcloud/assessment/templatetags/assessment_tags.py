from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def figure(value, unit=""):
    """A measured figure, or a visible "no data yet" — never a zero standing in for nothing."""
    if value is None:
        return format_html('<span class="text-muted" data-testid="no-data">{}</span>', _("No data yet"))
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return format_html("{} {}", text, unit)


@register.filter
def lookup_label(record) -> str:
    return str(record)
