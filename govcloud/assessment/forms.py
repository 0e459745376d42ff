from django import forms
from django.utils.translation import gettext_lazy as _

from govcloud.assessment.models import PeriodKind, RuleKind

DATE = {"type": "date"}


class RunForm(forms.Form):
    period_start = forms.DateField(label=_("period start"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    period_end = forms.DateField(label=_("period end"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))


class DisputeForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput)
    text = forms.CharField(label=_("comment or objection"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)


class AdjustForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput)
    score = forms.FloatField(label=_("adjusted score"), min_value=0, max_value=100, required=False)
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("rating"), coerce=int, choices=[(n, str(n)) for n in range(5, 0, -1)], widget=forms.RadioSelect
    )
    comment = forms.CharField(label=_("comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class SchemeForm(forms.Form):
    """The scheme's head and, per indicator of the registry, its weight (0 leaves it out), rule and
    rule parameters (JSON)."""

    name = forms.CharField(label=_("name"), max_length=100)
    period_kind = forms.ChoiceField(label=_("period"), choices=PeriodKind.choices)
    grades = forms.CharField(
        label=_("grade table"),
        help_text=_("One grade a line: minimum score, a space, the grade's name."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    note = forms.CharField(label=_("what changed"), max_length=300, required=False)

    def __init__(self, *args, keys=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.keys = list(keys)
        for key in self.keys:
            self.fields[f"weight_{key}"] = forms.DecimalField(
                label=_("weight"), min_value=0, max_digits=6, decimal_places=2, initial=0
            )
            self.fields[f"rule_{key}"] = forms.ChoiceField(label=_("scoring rule"), choices=RuleKind.choices)
            self.fields[f"params_{key}"] = forms.JSONField(label=_("rule parameters"), required=False)

    def clean_grades(self):
        rows = []
        for line in self.cleaned_data["grades"].splitlines():
            if not line.strip():
                continue
            minimum, _sep, label = line.strip().partition(" ")
            try:
                rows.append([float(minimum), label.strip()])
            except ValueError:
                raise forms.ValidationError(_("One grade a line: minimum score, a space, the grade's name.")) from None
        return rows

    def indicator_rows(self):
        return [(key, self[f"weight_{key}"], self[f"rule_{key}"], self[f"params_{key}"]) for key in self.keys]
