"""Forms of the maintenance pages. They parse and present; every rule is checked by the services."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from govcloud.maintenance.models import MAX_RESOURCES, WindowKind

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


def datetime_field(label):
    return forms.DateTimeField(
        label=label,
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class WindowForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    kind = forms.ChoiceField(
        label=_("kind"),
        choices=WindowKind.choices,
        initial=WindowKind.PLANNED,
        help_text=_("Emergency maintenance may be announced at shorter notice than the policy's days."),
    )
    start = datetime_field(pgettext_lazy("maintenance", "start"))
    end = datetime_field(pgettext_lazy("maintenance", "end"))
    impact = forms.CharField(
        label=_("impact"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the departments will notice, and what they should do."),
    )
    resource_codes = forms.CharField(
        label=_("affected resources"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "gc-mono"}),
        help_text=_("Resource numbers from the ledger, separated by commas, spaces or lines."),
    )
    departments = forms.ModelMultipleChoiceField(
        label=_("affected departments (all of their resources)"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("The owners of the resources above are added."),
    )
    platform_wide = forms.BooleanField(label=_("platform-wide (every department)"), required=False)

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = departments

    def clean_resource_codes(self) -> list[str]:
        codes = [c for c in re.split(r"[\s,，、;；]+", self.cleaned_data.get("resource_codes") or "") if c]
        if len(codes) > MAX_RESOURCES:
            raise forms.ValidationError(_("At most %(n)d resources per window.") % {"n": MAX_RESOURCES})
        return codes


class DecisionForm(forms.Form):
    action = forms.ChoiceField(choices=[])
    comment = forms.CharField(
        label=_("comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )

    def __init__(self, *args, **kwargs):
        from govcloud.maintenance.models import WindowAction

        super().__init__(*args, **kwargs)
        self.fields["action"].choices = WindowAction.choices
