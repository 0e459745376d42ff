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


@register.filter
def rule_params(params) -> str:
    """A scoring rule's parameters as people read them ("满分值 100 · 零分值 80"; "≥ 99.9 → 100；
    ≥ 99.5 → 60（越高越好）"), never the stored JSON with its keys."""
    if not isinstance(params, dict):
        return str(params or "")
    if "best" in params or "worst" in params:
        return _("best %(best)s · worst %(worst)s") % {
            "best": params.get("best", "—"),
            "worst": params.get("worst", "—"),
        }
    if "steps" in params:
        higher = bool(params.get("higher_is_better", True))
        sign = "≥" if higher else "≤"
        steps = "；".join(f"{sign} {bound} → {score}" for bound, score in params.get("steps") or [])
        direction = _("higher is better") if higher else _("lower is better")
        return f"{steps}（{direction}）"
    return ""
