"""The form renderer (govcloud/web/renderers.py): Django's widgets through Jinja2, the project's own
through Django templates, the markup the same as Django's default renderer gives."""

from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.template.backends.django import Template as DjangoTemplate
from django.template.backends.jinja2 import Template as Jinja2Template
from django.test.html import parse_html

from govcloud.applications.filters import ApplicationFilter
from govcloud.applications.models import Application
from govcloud.reports.forms import RichTextWidget
from govcloud.web.renderers import FormRenderer


class EveryWidget(forms.Form):
    name = forms.CharField(label="名称", max_length=20, help_text="<b>x</b>")
    count = forms.IntegerField(min_value=0)
    state = forms.ChoiceField(choices=[("a", "甲 & <乙>"), ("b", "丙")])
    kinds = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y")], widget=forms.CheckboxSelectMultiple)
    pick = forms.ChoiceField(choices=[("1", "一"), ("2", "二")], widget=forms.RadioSelect)
    agree = forms.BooleanField()
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    upload = forms.FileField()
    note = forms.CharField(widget=forms.Textarea)
    secret = forms.CharField(widget=forms.HiddenInput)


def _same_to_a_browser(ours: str, djangos: str) -> bool:
    """Django's HTML comparison (assertHTMLEqual's): the two engines' templates differ in blank
    lines and line breaks between tags and in the spelling of escaped quotes (`&#34;` / `&quot;`)."""
    return parse_html(ours) == parse_html(djangos)


def test_the_project_renders_forms_with_it():
    assert isinstance(get_default_renderer(), FormRenderer)


def test_djangos_widgets_come_from_jinja2_and_the_projects_from_django_templates():
    renderer = FormRenderer()
    assert isinstance(renderer.get_template("django/forms/widgets/select.html"), Jinja2Template)
    assert isinstance(renderer.get_template("django/forms/div.html"), Jinja2Template)
    assert isinstance(renderer.get_template(RichTextWidget.template_name), DjangoTemplate)


def test_every_widget_renders_as_djangos_default_renderer_renders_it():
    """Bound with hostile input and errors, the whole form."""
    data = {"name": '"><script>alert(1)</script>', "count": "-1", "state": "a", "kinds": ["y"], "pick": "2"}
    ours = EveryWidget(data, renderer=FormRenderer())
    djangos = EveryWidget(data, renderer=DjangoTemplates())
    assert ours.errors and "<script>" not in str(ours)
    assert _same_to_a_browser(str(ours), str(djangos))


def test_the_filter_bar_and_the_rich_text_editor_render_the_same_as_before():
    bar = ApplicationFilter({"state": "draft"}, queryset=Application.objects.none()).form
    ours = "".join(str(bar[name]) for name in bar.fields)
    bar.renderer = DjangoTemplates()
    djangos = "".join(str(bar[name]) for name in bar.fields)
    assert "selected>" in ours and _same_to_a_browser(ours, djangos)

    editor = RichTextWidget()
    html = editor.render("body", "<p>hi</p>", renderer=FormRenderer())
    assert html == editor.render("body", "<p>hi</p>", renderer=DjangoTemplates())
    assert "data-" in html  # the project's own template, not a plain textarea
