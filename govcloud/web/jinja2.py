"""The Jinja2 environment of the long lists' row templates (issue 19).

A 50-row list spent half of its rendering in the Django template engine's per-variable machinery
(each `{{ a.b.c }}` tries a dictionary lookup before the attribute, each tag is a node with its own
context push). The rows of the hottest lists are therefore Jinja2 templates (`<app>/jinja2/...`),
included from the Django page with `{% jinja_rows %}`; measured side by side on the same 50 rows
they cost about half as much. The page around them stays a Django template.

The rows call the very helpers the Django templates use: the filters and simple tags of the
libraries named below are installed here under their Django names, so each helper is defined once.
"""

from __future__ import annotations

import inspect

from django.template import engines
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext, ngettext, pgettext
from jinja2 import Environment

# The Django template libraries whose helpers the row templates call. Named rather than all of
# them: libraries of different apps may use one name for different things (`duration`).
ROW_LIBRARIES = ("gc", "applications_tags", "deadlines", "delivery_rows", "ledger_rows")


def url(name: str, *args, **kwargs) -> str:
    """`{% url name arg %}` for Jinja2."""
    return reverse(name, args=args or None, kwargs=kwargs or None)


def environment(**options) -> Environment:
    env = Environment(**options)
    env.install_gettext_callables(gettext, ngettext, newstyle=True)
    env.globals.update(url=url, static=static, pgettext=pgettext)
    libraries = engines["django"].engine.template_libraries
    for name in ROW_LIBRARIES:
        library = libraries[name]
        for filter_name, function in library.filters.items():
            env.filters[filter_name] = function
        for tag_name, compile_function in library.tags.items():
            # A simple tag's compile function wraps the helper itself (functools.wraps); block tags
            # (page_title) have no helper to call and are left to the Django templates.
            # Tags that take the template context (querystring_with) have none to take here.
            function = getattr(compile_function, "__wrapped__", None)
            if function is not None and "context" not in inspect.signature(function).parameters:
                env.globals[tag_name] = function
    return env
