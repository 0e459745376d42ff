"""Time left before an Art. 10 deadline, or how long it is overdue, as a badge for every list:
`{% load deadlines %}{% time_left due provisional %}`. A provisional deadline (a year whose holiday
notice is not out yet) is marked."""

from __future__ import annotations

from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from govcloud.core.policy import Policy, policy_value

register = template.Library()


def duration_text(delta: timedelta) -> str:
    minutes = int(abs(delta.total_seconds()) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)d min") % {"minutes": minutes}


@register.simple_tag
def time_left(due: datetime | None, provisional: bool = False, now: datetime | None = None):
    if due is None:
        return "—"
    now = now or timezone.now()
    delta = due - now
    overdue = delta.total_seconds() < 0
    soon = not overdue and delta <= timedelta(hours=int(policy_value(Policy.DEADLINE_WARNING_HOURS)))
    if overdue:
        css, text = "text-bg-danger", _("overdue %(time)s") % {"time": duration_text(delta)}
    elif soon:
        css, text = "text-bg-warning", _("%(time)s left") % {"time": duration_text(delta)}
    else:
        css, text = "text-bg-light border", _("%(time)s left") % {"time": duration_text(delta)}
    title = _("due %(when)s") % {"when": timezone.localtime(due).strftime("%Y-%m-%d %H:%M")}
    mark = ""
    if provisional:
        mark = format_html(
            ' <span class="badge text-bg-secondary" data-testid="provisional" title="{}">{}</span>',
            _("The holiday notice for that year is not out yet: the deadline may move."),
            _("provisional"),
        )
    return format_html(
        '<span class="badge {}" data-testid="time-left" data-overdue="{}" title="{}">{}</span>{}',
        css,
        "true" if overdue else "false",
        title,
        text,
        mark,
    )


@register.filter
def duration(delta: timedelta | None) -> str:
    """A timedelta as "2 d 3 h" / "3 h 5 min" / "4 min" (the timeline's time each step took)."""
    return "" if delta is None else duration_text(delta)
