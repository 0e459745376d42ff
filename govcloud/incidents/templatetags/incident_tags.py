"""Badges and clocks of the service desk pages."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()

_STATE = {
    "reported": "danger",
    "responded": "warning",
    "in_progress": "primary",
    "recovered": "info",
    "closed": "success",
    "merged": "secondary",
}
_RANK = {1: "secondary", 2: "warning", 3: "danger", 4: "dark"}


@register.simple_tag
def incident_state(incident):
    color = _STATE.get(incident.state, "light")
    return format_html(
        '<span class="badge text-bg-{}" data-state="{}">{}</span>', color, incident.state, incident.get_state_display()
    )


@register.simple_tag
def incident_severity(severity):
    color = _RANK.get(severity.rank, "light")
    return format_html(
        '<span class="badge text-bg-{}" data-severity="{}">{}</span>', color, severity.code, severity.name
    )


@register.filter
def duration(seconds):
    """Seconds as “1 h 02 min”, “4 min 59 s” (how far past, for a negative number: the page says
    it is overdue)."""
    if seconds is None:
        return "—"
    seconds = abs(int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return _("%(h)d h %(m)02d min") % {"h": hours, "m": minutes}
    return _("%(m)d min %(s)02d s") % {"m": minutes, "s": secs}
