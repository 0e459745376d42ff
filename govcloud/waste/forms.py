"""Forms of the waste-control pages. They parse and present; the services check the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

DATE = forms.DateInput(attrs={"type": "date"})


class DismissForm(forms.Form):
    reason = forms.CharField(
        label=_("reason for dismissing"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The center reads the reasons (e.g. a seasonal peak the window does not show)."),
    )


class ExtendForm(forms.Form):
    needed_until = forms.DateField(label=_("needed until"), widget=DATE)
    reason = forms.CharField(
        label=_("why the resource is still needed"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
