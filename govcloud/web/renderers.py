"""The form renderer: Django's own widgets through Jinja2, the project's widgets through Django templates.

Every filter bar and form renders each widget (and each `<option>` of a select) from a template.
Django ships the same widget and form-layout templates for both engines (`django/forms/templates` and
`django/forms/jinja2`), producing the same markup to a browser (line breaks between tags and the
spelling of escaped quotes differ; test_form_renderer.py compares them as HTML); through
Jinja2 a list page's five-field filter bar took 1.4 ms instead of 2.1 ms, and a long form more in
proportion (issue 19). Templates the project writes itself (the rich-text editor's widget) stay
Django templates, found where Django's default renderer finds them.
"""

from __future__ import annotations

from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2
from django.utils.functional import cached_property

# Django's own templates: those it ships in both engines' versions.
DJANGO_FORMS = "django/forms/"


class FormRenderer(BaseRenderer):
    @cached_property
    def _jinja2(self) -> Jinja2:
        return Jinja2()

    @cached_property
    def _django(self) -> DjangoTemplates:
        return DjangoTemplates()

    def get_template(self, template_name: str):
        if template_name.startswith(DJANGO_FORMS):
            return self._jinja2.get_template(template_name)
        return self._django.get_template(template_name)
