from django import forms
from django.utils.translation import gettext_lazy as _


class PolicyForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput)
    value = forms.CharField(label=_("Value"), max_length=16)
