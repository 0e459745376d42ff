"""Forms of the reports pages. They parse and present; the services check the rules."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from govcloud.reports.models import PoolKind, ProviderReportKind, ReportPeriod


class UtilizationGenerateForm(forms.Form):
    period = forms.ChoiceField(label=_("period"), choices=ReportPeriod.choices)
    day = forms.DateField(
        label=_("a day in the period"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The week (Monday to Sunday) or month that contains this day."),
    )
    organization = forms.ModelChoiceField(label=_("department"), queryset=None, required=False)

    def __init__(self, *args, departments=None, city_allowed: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = departments
        self.fields["organization"].required = not city_allowed
        self.fields["organization"].empty_label = _("City-wide") if city_allowed else None
        self.fields["day"].initial = timezone.localdate()


class MonthForm(forms.Form):
    month = forms.DateField(
        label=_("month"), widget=forms.DateInput(attrs={"type": "month"}), input_formats=["%Y-%m", "%Y-%m-%d"]
    )


class ResourcePoolForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=100)
    kind = forms.ChoiceField(label=_("kind"), choices=PoolKind.choices)
    capacity = forms.IntegerField(label=_("capacity"), min_value=0)
    note = forms.CharField(label=_("note"), max_length=200, required=False)


class RichTextWidget(forms.Textarea):
    """The report's text: a textarea that reports/rich_editor.js turns into the Quill editor (its
    toolbar in this template, labels through gettext) and keeps filled with the editor's HTML. The
    service cleans what arrives (reports.richtext); without script the textarea takes plain text."""

    template_name = "reports/widgets/rich_text.html"

    def __init__(self, attrs=None):
        super().__init__(attrs={"rows": 14, **(attrs or {})})


class ProviderReportForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=ProviderReportKind.choices)
    month = forms.DateField(
        label=_("month"), widget=forms.DateInput(attrs={"type": "month"}), input_formats=["%Y-%m", "%Y-%m-%d"]
    )
    title = forms.CharField(label=_("title"), max_length=200)
    body = forms.CharField(label=_("content"), widget=RichTextWidget)


class ProviderReportEditForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    body = forms.CharField(label=_("content"), widget=RichTextWidget)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("file"), help_text=_("PDF, PNG or JPEG."))


class DecisionForm(forms.Form):
    reason = forms.CharField(label=_("reason or comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
