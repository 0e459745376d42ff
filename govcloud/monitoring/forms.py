"""Forms of the monitoring pages. They parse and present; the services check the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class AlertRuleForm(forms.Form):
    threshold = forms.FloatField(
        label=_("threshold"), help_text=_("A percentage; for anomalies, a number of standard deviations.")
    )
    window_days = forms.IntegerField(label=_("window (days)"), min_value=1, max_value=365)
    change_percent = forms.FloatField(
        label=_("minimum change (%)"), min_value=0, required=False, help_text=_("Anomalies only.")
    )
    enabled = forms.BooleanField(label=_("enabled"), required=False)
    opens_incident = forms.BooleanField(label=_("opens an incident"), required=False)

    def clean_change_percent(self):
        return self.cleaned_data.get("change_percent") or 0.0


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Utilization table (XLSX)"),
        help_text=_("The filled template, or your own table with the same column names."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )
