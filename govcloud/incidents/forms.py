"""Forms of the service desk pages. They parse and present; every rule is checked by the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from govcloud.incidents.models import IncidentSeverity

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


def datetime_field(label):
    return forms.DateTimeField(
        label=label,
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern); the services check each."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items if item]


def attachments_field():
    return MultipleFileField(
        label=_("attachments (PDF, PNG or JPEG)"), help_text=_("Screenshots or documents: up to 5 files.")
    )


class SeverityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} — {obj.definition}" if obj.definition else obj.name


class _IncidentFields(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200, help_text=_("In a few words: what does not work?"))
    symptom = forms.CharField(
        label=_("symptom"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What you see, since when, who is affected."),
    )
    severity = SeverityChoiceField(label=_("severity"), queryset=IncidentSeverity.objects.order_by("rank"))
    system = forms.ModelChoiceField(label=_("information system"), queryset=None, required=False)
    resources = forms.ModelMultipleChoiceField(
        label=_("affected resources"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    contact_phone = forms.CharField(label=_("contact phone"), max_length=40, required=False)

    def __init__(self, *args, systems=None, resources=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["system"].queryset = systems
        self.fields["resources"].queryset = resources
        self.fields["resources"].label_from_instance = lambda r: f"{r.code} {r.name}".strip()


class IncidentReportForm(_IncidentFields):
    contact_name = forms.CharField(label=_("contact"), max_length=60, required=False)
    attachments = attachments_field()

    field_order = ["title", "symptom", "severity", "system", "resources", "contact_name", "contact_phone"]


class PhoneCallForm(_IncidentFields):
    organization = forms.ModelChoiceField(label=_("calling department"), queryset=None)
    caller = forms.CharField(label=_("caller"), max_length=100)
    called_at = datetime_field(_("time of the call"))

    field_order = ["organization", "caller", "called_at", "contact_phone", "title", "symptom", "severity"]

    def __init__(self, *args, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.fields["system"].help_text = _("Optional; the department's registered system.")


class ClaimForm(forms.Form):
    message = forms.CharField(
        label=_("first answer to the reporter"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Claiming with this answer is the response (Art. 12: within 5 minutes)."),
    )


class MessageForm(forms.Form):
    body = forms.CharField(label=_("Write a message"), widget=forms.Textarea(attrs={"rows": 2}))
    attachments = attachments_field()


class NoteForm(forms.Form):
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RecoverForm(forms.Form):
    resolution = forms.CharField(label=_("resolution"), widget=forms.Textarea(attrs={"rows": 3}))
    workaround = forms.CharField(label=_("workaround"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    root_cause = forms.CharField(label=_("root cause"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ConfirmForm(forms.Form):
    comment = forms.CharField(label=_("comment"), required=False)


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("why it is not recovered"), widget=forms.Textarea(attrs={"rows": 2}))


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("rating"),
        coerce=int,
        choices=[(i, f"{i} ★") for i in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(label=_("comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class MergeForm(forms.Form):
    into = forms.CharField(label=_("incident number to merge into"), max_length=32)
    comment = forms.CharField(label=_("comment"), required=False)


class UpdateForm(forms.Form):
    severity = forms.ModelChoiceField(label=_("severity"), queryset=IncidentSeverity.objects.order_by("rank"))
    workaround = forms.CharField(label=_("workaround"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    root_cause = forms.CharField(label=_("root cause"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class MajorReportForm(forms.Form):
    timeline = forms.CharField(label=_("course of events"), widget=forms.Textarea(attrs={"rows": 5}))
    impact = forms.CharField(label=_("impact"), widget=forms.Textarea(attrs={"rows": 3}))
    cause = forms.CharField(label=_("cause"), widget=forms.Textarea(attrs={"rows": 3}))
    measures = forms.CharField(label=_("measures taken"), widget=forms.Textarea(attrs={"rows": 3}))
    lessons = forms.CharField(label=_("lessons learned"), widget=forms.Textarea(attrs={"rows": 3}))


class FollowUpForm(forms.Form):
    description = forms.CharField(label=_("description"), max_length=300)
    owner = forms.CharField(label=_("owner"), max_length=100)
    due_on = forms.DateField(label=_("due on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class SeverityForm(forms.ModelForm):
    class Meta:
        model = IncidentSeverity
        fields = ["name", "definition", "is_major", "response_minutes", "recovery_hours"]
        widgets = {"definition": forms.Textarea(attrs={"rows": 3})}


class ShiftForm(forms.Form):
    team = forms.ModelChoiceField(label=_("duty team"), queryset=None)
    starts_at = datetime_field(_("starts at"))
    ends_at = datetime_field(_("ends at"))
    primary = forms.ModelChoiceField(label=_("primary engineer"), queryset=None)
    backup = forms.ModelChoiceField(label=_("backup engineer"), queryset=None, required=False)

    def __init__(self, *args, teams=None, engineers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["primary"].queryset = engineers
        self.fields["backup"].queryset = engineers
        for name in ("primary", "backup"):
            self.fields[name].label_from_instance = lambda u: u.full_name or u.username


class TeamForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=100)


class MonthForm(forms.Form):
    month = forms.DateField(
        label=_("month"),
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
