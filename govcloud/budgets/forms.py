from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from govcloud.budgets.selectors import Granularity
from govcloud.catalog.models import ResourceKind
from govcloud.organizations.models import Organization


class OverviewFilterForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
    granularity = forms.ChoiceField(
        label=_("By"),
        required=False,
        choices=[
            (Granularity.MONTH, _("Month")),
            (Granularity.QUARTER, _("Quarter")),
            (Granularity.YEAR, _("Year")),
        ],
    )
    resource_kind = forms.ChoiceField(
        label=_("Resource type"), required=False, choices=[("", _("All types")), *ResourceKind.choices]
    )


class BudgetForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("Department"), queryset=Organization.objects.none())
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    amount = forms.DecimalField(label=_("Budget (yuan)"), max_digits=14, decimal_places=2, min_value=Decimal("0"))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.TextInput)

    def __init__(self, *args, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organizations is not None:
            self.fields["organization"].queryset = organizations
