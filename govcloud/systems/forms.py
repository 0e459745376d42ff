from django import forms
from django.utils.translation import gettext_lazy as _

from govcloud.systems.models import (
    AssessmentConclusion,
    HostingStatus,
    ResponsibleDuty,
    Vote,
)

LEVEL_CHOICES = [("", _("Not graded yet"))] + [(n, _("Level %(n)d") % {"n": n}) for n in range(1, 6)]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
UPLOAD_HELP = _("PDF, PNG or JPEG.")


class ClassifiedSystemForm(forms.Form):
    """A classified (涉密) system: its name and owning unit, nothing more (Art. 3)."""

    organization = forms.ModelChoiceField(label=_("owning unit"), queryset=None)
    name = forms.CharField(label=_("name"), max_length=200)

    def __init__(self, *args, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations

    def service_kwargs(self) -> dict:
        return {"organization": self.cleaned_data["organization"], "name": self.cleaned_data["name"]}


class SystemForm(ClassifiedSystemForm):
    purpose = forms.CharField(label=_("purpose"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    hosting_status = forms.ChoiceField(label=_("hosting status"))
    planned_migration_date = forms.DateField(label=_("planned migration date"), required=False, widget=DATE)
    users_served = forms.CharField(label=_("users served"), max_length=200, required=False)
    protection_level = forms.TypedChoiceField(
        label=_("protection level"), choices=LEVEL_CHOICES, coerce=int, empty_value=None, required=False
    )
    internet_facing = forms.BooleanField(label=_("internet-facing"), required=False)
    holds_personal_information = forms.BooleanField(label=_("holds personal information"), required=False)
    holds_important_data = forms.BooleanField(label=_("holds important data"), required=False)

    DETAIL_FIELDS = (
        "purpose",
        "hosting_status",
        "planned_migration_date",
        "users_served",
        "protection_level",
        "internet_facing",
        "holds_personal_information",
        "holds_important_data",
    )

    def __init__(self, *args, exempted: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # Exempted is the workflow's to set (Art. 3); it is offered only to keep an exempted system so.
        self.fields["hosting_status"].choices = [
            (value, label) for value, label in HostingStatus.choices if value != HostingStatus.EXEMPTED or exempted
        ]
        for duty in ResponsibleDuty:
            self.fields[f"{duty.value}_name"] = forms.CharField(
                label=_("%(duty)s: name") % {"duty": duty.label}, max_length=60
            )
            self.fields[f"{duty.value}_phone"] = forms.CharField(
                label=_("%(duty)s: phone") % {"duty": duty.label}, max_length=30
            )

    def people_fields(self):
        return [(self[f"{d.value}_name"], self[f"{d.value}_phone"]) for d in ResponsibleDuty]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            **super().service_kwargs(),
            **{name: data.get(name) for name in self.DETAIL_FIELDS},
            "responsible_people": {
                d.value: {"name": data[f"{d.value}_name"], "phone": data[f"{d.value}_phone"]} for d in ResponsibleDuty
            },
        }


class FilingForm(forms.Form):
    protection_level = forms.TypedChoiceField(label=_("protection level filed"), choices=LEVEL_CHOICES[1:], coerce=int)
    filing_number = forms.CharField(label=_("filing number"), max_length=64)
    filed_on = forms.DateField(label=_("filing date"), widget=DATE)
    filing_authority = forms.CharField(
        label=_("filing authority"), max_length=120, help_text=_("e.g. 泰州市公安局网络安全保卫支队")
    )
    certificate = forms.FileField(label=_("Filing certificate"), required=False, help_text=UPLOAD_HELP)


class AssessmentForm(forms.Form):
    assessing_body = forms.CharField(
        label=_("assessing body"), max_length=120, help_text=_("e.g. 江苏省信息安全测评中心")
    )
    assessed_on = forms.DateField(label=_("assessment date"), widget=DATE)
    report_number = forms.CharField(label=_("report number"), max_length=64, required=False)
    score = forms.DecimalField(label=_("score"), min_value=0, max_value=100, decimal_places=2)
    conclusion = forms.ChoiceField(label=_("conclusion"), choices=AssessmentConclusion.choices)
    report = forms.FileField(label=_("Assessment report"), required=False, help_text=UPLOAD_HELP)


class RectificationForm(forms.Form):
    description = forms.CharField(label=_("description"), widget=forms.Textarea(attrs={"rows": 3}))
    owner = forms.CharField(label=_("owner"), max_length=60)
    due_on = forms.DateField(label=_("due date"), widget=DATE)
    assessment = forms.ModelChoiceField(label=_("from assessment"), queryset=None, required=False)

    def __init__(self, *args, assessments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessment"].queryset = assessments


class RectificationCloseForm(forms.Form):
    closing_note = forms.CharField(label=_("how it was resolved"), widget=forms.Textarea(attrs={"rows": 3}))
    closed_on = forms.DateField(label=_("closed on"), widget=DATE)


class AttachmentForm(forms.Form):
    record = forms.ChoiceField(label=_("Belongs to"))
    file = forms.FileField(label=_("File"), help_text=UPLOAD_HELP)

    def __init__(self, *args, filings=(), assessments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["record"].choices = [
            (f"filing:{f.pk}", _("Filing certificate: %(number)s") % {"number": f.filing_number}) for f in filings
        ] + [
            (
                f"assessment:{a.pk}",
                _("Assessment report: %(body)s %(date)s") % {"body": a.assessing_body, "date": a.assessed_on},
            )
            for a in assessments
        ]


class ExemptionForm(forms.Form):
    reasons = forms.CharField(
        label=_("reasons the system cannot migrate"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Technical, legal or cost reasons; attach evidence once the draft is saved."),
    )


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("Evidence"), help_text=UPLOAD_HELP)


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class AssignExpertsForm(CommentForm):
    experts = forms.ModelMultipleChoiceField(label=_("Experts"), queryset=None, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, experts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["experts"].queryset = experts
        self.fields["experts"].label_from_instance = lambda u: f"{u.full_name}（{u.organization.name}）"


class VoteForm(forms.Form):
    vote = forms.ChoiceField(label=_("vote"), choices=Vote.choices, widget=forms.RadioSelect)
    opinion = forms.CharField(label=_("opinion"), widget=forms.Textarea(attrs={"rows": 4}))


class DecisionForm(CommentForm):
    decision = forms.ChoiceField(label=_("decision"), choices=Vote.choices, widget=forms.RadioSelect)
