from django import forms
from django.utils.translation import gettext_lazy as _

from govcloud.catalog.models import CODE_VALIDATOR, Dimension, NetworkKind, ResourceKind
from govcloud.catalog.selectors import PriceKey
from govcloud.catalog.specs import CHOICE_ONLY_DIMENSIONS, KIND_DIMENSIONS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ItemForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=ResourceKind.choices)
    code = forms.CharField(
        label=_("code"),
        max_length=60,
        validators=[CODE_VALIDATOR],
        help_text=_("A short identifier, e.g. “db-dm8”. It cannot change later."),
    )
    name = forms.CharField(label=_("name"), max_length=120)
    description = forms.CharField(label=_("description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    engine = forms.CharField(
        label=_("engine"), max_length=60, required=False, help_text=_("Databases only: engine and version.")
    )
    network = forms.ChoiceField(
        label=_("network"),
        choices=[("", "—"), *NetworkKind.choices],
        required=False,
        help_text=_("Network access items only."),
    )
    sort = forms.IntegerField(label=_("order"), min_value=0, max_value=32000, initial=100)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            # The kind and the code stay: specs, prices and resources refer to them.
            del self.fields["kind"]
            del self.fields["code"]


def _dimension_choices(kind: str, *, ranges: bool):
    allowed = KIND_DIMENSIONS.get(kind, frozenset())
    return [
        (value, label)
        for value, label in Dimension.choices
        if value in allowed and (not ranges or value not in CHOICE_ONLY_DIMENSIONS)
    ]


class OptionForm(forms.Form):
    dimension = forms.ChoiceField(label=_("field"))
    value = forms.CharField(
        label=_("value"), max_length=60, help_text=_("What specs store, e.g. “openeuler-22.03-64”.")
    )
    label = forms.CharField(label=_("label"), max_length=120, required=False, help_text=_("What people read."))

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dimension"].choices = _dimension_choices(kind, ranges=False)


class RangeForm(forms.Form):
    dimension = forms.ChoiceField(label=_("field"))
    minimum = forms.DecimalField(label=_("minimum"), max_digits=12, decimal_places=2, min_value=0)
    maximum = forms.DecimalField(label=_("maximum"), max_digits=12, decimal_places=2, min_value=0)
    step = forms.DecimalField(label=_("step"), max_digits=12, decimal_places=2, initial=1)
    required = forms.BooleanField(label=_("required"), required=False, initial=True)

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dimension"].choices = _dimension_choices(kind, ranges=True)


class RetireForm(forms.Form):
    note = forms.CharField(label=_("reason"), required=False, max_length=500)


class PriceListForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=120)
    effective_from = forms.DateField(label=_("effective from"), widget=DATE)
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class PricesForm(forms.Form):
    """One amount per unit (and per database engine), as the price list's table shows them."""

    def __init__(self, *args, keys: list[PriceKey], **kwargs):
        super().__init__(*args, **kwargs)
        self.keys = {key.field_name: key for key in keys}
        for key in keys:
            self.fields[key.field_name] = forms.DecimalField(
                label=key.label,
                required=False,
                min_value=0,
                max_digits=12,
                decimal_places=4,
                widget=forms.NumberInput(attrs={"step": "0.0001", "class": "form-control form-control-sm"}),
            )


class QuotaForm(forms.Form):
    vcpu = forms.IntegerField(label=_("vCPU"), required=False, min_value=0)
    memory_gb = forms.IntegerField(label=_("memory (GB)"), required=False, min_value=0)
    disk_gb = forms.IntegerField(label=_("disk (GB)"), required=False, min_value=0)
    storage_tb = forms.DecimalField(
        label=_("storage (TB)"), required=False, min_value=0, max_digits=8, decimal_places=2
    )
    public_addresses = forms.IntegerField(label=_("public addresses"), required=False, min_value=0)
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
