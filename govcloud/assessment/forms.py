from django import forms
from django.utils.translation import gettext_lazy as _

from govcloud.assessment.models import Dimension, PeriodKind, RuleKind

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
        # Optional: when any is given, the indicators' weights become sub-weights inside their dimension.
        for dim in Dimension:
            self.fields[f"dim_{dim.value}"] = forms.DecimalField(
                label=dim.label, min_value=0, max_digits=6, decimal_places=2, required=False
            )
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

    def dimension_weights(self) -> dict:
        return {
            dim.value: float(self.cleaned_data[f"dim_{dim.value}"])
            for dim in Dimension
            if self.cleaned_data.get(f"dim_{dim.value}") is not None
        }

    def dimension_fields(self):
        return [self[f"dim_{dim.value}"] for dim in Dimension]

    def indicator_rows(self):
        return [(key, self[f"weight_{key}"], self[f"rule_{key}"], self[f"params_{key}"]) for key in self.keys]


class SurveyQuestionsForm(forms.Form):
    questions = forms.CharField(
        label=_("questions"),
        help_text=_("One question a line, in the order they are asked."),
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    def clean_questions(self):
        return [line.strip() for line in self.cleaned_data["questions"].splitlines() if line.strip()]


class SurveyAnswerForm(forms.Form):
    """One score (1–5) and an optional comment per question of the round."""

    def __init__(self, *args, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for q in self.questions:
            self.fields[f"score_{q['id']}"] = forms.TypedChoiceField(
                label=q["text"],
                coerce=int,
                choices=[(n, str(n)) for n in range(5, 0, -1)],
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
            )
            self.fields[f"comment_{q['id']}"] = forms.CharField(
                label=_("comment"), required=False, max_length=1000, widget=forms.TextInput()
            )

    def rows(self):
        return [(q, self[f"score_{q['id']}"], self[f"comment_{q['id']}"]) for q in self.questions]

    def answers(self) -> dict[int, tuple[int, str]]:
        return {
            q["id"]: (self.cleaned_data[f"score_{q['id']}"], self.cleaned_data[f"comment_{q['id']}"])
            for q in self.questions
        }
