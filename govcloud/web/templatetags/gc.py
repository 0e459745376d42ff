"""Small template helpers for GovCloud pages (Bootstrap form fields, querystrings, badges)."""

from datetime import datetime

from django import forms, template
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.html import format_html
from django.utils.translation import get_language

register = template.Library()


def _css_for(widget) -> str:
    if isinstance(widget, (forms.CheckboxInput,)):
        return "form-check-input"
    if isinstance(widget, (forms.CheckboxSelectMultiple, forms.RadioSelect)):
        return ""
    if isinstance(widget, (forms.Select, forms.SelectMultiple)):
        return "form-select"
    return "form-control"


@register.simple_tag
def field(bound_field, **attrs):
    """Render one form field with its label, errors and help text, Bootstrap-styled."""
    widget = bound_field.field.widget
    css = _css_for(widget)
    if bound_field.errors and css:
        css += " is-invalid"
    merged = {"class": " ".join(filter(None, [css, attrs.pop("class", "")]))}
    merged.update(attrs)
    return render_to_string(
        "web/_field.html",
        {
            "field": bound_field,
            "widget_html": bound_field.as_widget(attrs=merged),
            "is_check": isinstance(widget, forms.CheckboxInput),
            "is_multi": isinstance(widget, (forms.CheckboxSelectMultiple, forms.RadioSelect)),
        },
    )


@register.simple_tag(takes_context=True)
def querystring_with(context, **changes):
    """The current querystring with some parameters replaced (for pagination with filters)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        params[key] = value
    return "?" + params.urlencode()


@register.simple_tag
def yesno_badge(value, yes, no):
    css = "text-bg-success" if value else "text-bg-secondary"
    return format_html('<span class="badge {}">{}</span>', css, yes if value else no)


@register.simple_tag
def policy(key: str):
    """A policy's current value, so pages quote the numbers in force, not the defaults."""
    from govcloud.core.policy import Policy, policy_value

    return policy_value(Policy(key))


@register.filter
def network_label(value):
    """An address's network code (stored in the resource's JSON) as the catalog names it."""
    from govcloud.catalog.models import NetworkKind

    try:
        return NetworkKind(value).label
    except ValueError:
        return value


@register.filter
def money(value):
    """An amount in yuan with thousands separators and two decimals: 1,234.50 ("—" when absent)."""
    from decimal import Decimal, InvalidOperation

    if value in (None, ""):
        return "—"
    try:
        return f"{Decimal(value):,.2f}"
    except (InvalidOperation, TypeError, ValueError):
        return value


@register.filter
def actor(value):
    """A stored actor name: the platform's own steps were recorded under SYSTEM's username "system"
    or, by core.actors.actor_name() in a task with no language active, as "System"; a page shows
    either in the reader's language (系统)."""
    from django.utils.translation import gettext

    from govcloud.core.actors import SYSTEM

    return gettext("System") if value in (SYSTEM.username, "System") else value


# Punctuation follows the language: Chinese text takes the full-width colon and brackets
# ("较上月变化：", "（+12%）"), English the ASCII ones.
@register.simple_tag
def colon():
    from django.utils.translation import pgettext

    return pgettext("punctuation", ": ")


@register.simple_tag
def lparen():
    from django.utils.translation import pgettext

    return pgettext("punctuation", " (")


@register.simple_tag
def rparen():
    from django.utils.translation import pgettext

    return pgettext("punctuation", ")")


# A form with at least this many fields (or with rows of its own) is long: its errors are also listed
# at the top, each linking to its field, so none is missed below the fold.
LONG_FORM_FIELDS = 6


@register.simple_tag
def error_summary(form, extra=None):
    """The problems of a long form and of its rows (`extra`: the item rows of the application form),
    as [{anchor, label, message}]; [] for a short form, which shows its errors beside its fields."""
    from django.utils.translation import gettext

    if form is None or not hasattr(form, "errors"):
        return []
    rows = list(extra or [])
    if len(form.visible_fields()) < LONG_FORM_FIELDS and not rows:
        return []
    summary = [{"anchor": "", "label": "", "message": m} for m in form.non_field_errors()]
    for number, part in enumerate([form, *rows]):
        prefix = gettext("Item %(n)d") % {"n": number} + " · " if number else ""
        if number:
            summary += [{"anchor": "", "label": "", "message": prefix + m} for m in part.non_field_errors()]
        for bound in part:
            for message in bound.errors:
                anchor = bound.id_for_label or bound.auto_id
                summary.append({"anchor": anchor, "label": f"{prefix}{bound.label}", "message": message})
    return summary


class _PageTitleNode(template.Node):
    def __init__(self, nodelist: template.NodeList, separator: str) -> None:
        self.nodelist = nodelist  # "nodelist": {% extends %} finds the {% block %} inside it
        self.separator = separator

    def render(self, context) -> str:
        title = self.nodelist.render(context).strip()
        return f"{title}{self.separator}" if title else ""


@register.tag
def page_title(parser, token):
    """{% page_title %}{% block title %}{% endblock %}{% endpage_title %}: the page's title followed by
    " · " when the page has one, nothing otherwise. Django templates cannot ask whether a block is
    filled (`{% if self.title %}` is always false), and the site name follows the separator."""
    nodelist = parser.parse(("endpage_title",))
    parser.delete_first_token()
    return _PageTitleNode(nodelist, " · ")


# --- Per-row helpers for long lists (issue 19): the same output as the built-ins, for less ----------

_PK = 2147483641  # a number no URL pattern contains: where the primary key goes
_URL_PARTS: dict[tuple, tuple[str, str]] = {}


@register.simple_tag
def pk_url(name: str, pk) -> str:
    """`{% url name pk %}` for a URL whose one argument is an integer primary key: reversed once per
    URL name (and script prefix, URL conf and language), then filled in per row. A 50-row list
    reversed 50-100 URLs per page."""
    key = (name, get_script_prefix(), get_urlconf(), get_language())
    parts = _URL_PARTS.get(key)
    if parts is None:
        before, found, after = reverse(name, args=[_PK]).partition(str(_PK))
        if not found:  # not a plain integer argument: no shortcut
            return reverse(name, args=[pk])
        parts = _URL_PARTS[key] = (before, after)
    return f"{parts[0]}{int(pk)}{parts[1]}"


_FIXED_URLS: dict[tuple, str] = {}


@register.simple_tag
def fixed_url(name: str) -> str:
    """`{% url name %}` for a URL without arguments, reversed once per URL name (and script prefix,
    URL conf and language): the layout around every page links to fourteen of them."""
    key = (name, get_script_prefix(), get_urlconf(), get_language())
    url = _FIXED_URLS.get(key)
    if url is None:
        url = _FIXED_URLS[key] = reverse(name)
    return url


@register.filter(expects_localtime=True)
def minute(value) -> str:
    """`value|date:"Y-m-d H:i"` for datetimes (local time), without the formatter's machinery."""
    if not value:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d} {value.hour:02d}:{value.minute:02d}"


@register.filter(expects_localtime=True)
def day(value) -> str:
    """`value|date:"Y-m-d"` for dates and datetimes (local time), as `minute` does for minutes."""
    if not value:
        return ""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


_CHOICES: dict[tuple, tuple[dict, str]] = {}


@register.filter
def display(obj, name: str) -> str:
    """`obj.get_<name>_display` with the field's choices gathered once per model and field: Django
    rebuilds that dictionary on every call, twice per row of a list (kind, environment, state)."""
    key = (type(obj), name)
    known = _CHOICES.get(key)
    if known is None:
        field = obj._meta.get_field(name)
        known = _CHOICES[key] = (dict(make_hashable(field.flatchoices)), field.attname)
    choices, attname = known
    value = getattr(obj, attname)
    return force_str(choices.get(make_hashable(value), value), strings_only=True)


@register.simple_tag
def jinja_rows(template_name: str, **context):
    """The rows of a long list from a Jinja2 template (`<app>/jinja2/<template_name>`, see
    govcloud/web/jinja2.py for why): `{% jinja_rows "ledger/resource_rows.html" page=page %}`."""
    from django.template import engines
    from django.utils.safestring import mark_safe

    # The Jinja2 environment escapes every value it prints (autoescape); the result is HTML.
    return mark_safe(engines["jinja2"].get_template(template_name).render(context))
