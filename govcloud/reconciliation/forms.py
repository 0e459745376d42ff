"""Forms of the discrepancy page's actions; the services check the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from govcloud.catalog.models import CatalogItem
from govcloud.organizations.models import Organization, OrganizationKind
from govcloud.systems.models import InformationSystem


class AdoptForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("department"), queryset=Organization.objects.none())
    system = forms.ModelChoiceField(
        label=_("information system"), queryset=InformationSystem.objects.none(), required=False
    )
    catalog_item = forms.ModelChoiceField(label=_("catalog item"), queryset=CatalogItem.objects.none())
    name = forms.CharField(label=_("name"), max_length=200, required=False)

    def __init__(self, *args, kind: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(kind=OrganizationKind.DEPARTMENT).order_by(
            "path"
        )
        self.fields["system"].queryset = InformationSystem.objects.select_related("organization").order_by("name", "pk")
        items = CatalogItem.objects.filter(retired_at__isnull=True).order_by("sort", "code")
        self.fields["catalog_item"].queryset = items.filter(kind=kind) if kind else items


class NoteForm(forms.Form):
    note = forms.CharField(label=_("note"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class DismissForm(forms.Form):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
