from django import forms
from django.utils.translation import gettext_lazy as _

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
