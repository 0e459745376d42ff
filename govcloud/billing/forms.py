from django import forms
from django.utils.translation import gettext_lazy as _


class AdjustmentForm(forms.Form):
    amount = forms.DecimalField(label=_("Adjustment (CNY, negative to credit)"), max_digits=14, decimal_places=2)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
