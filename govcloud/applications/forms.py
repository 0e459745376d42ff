"""The application form (业务申请表): its header, one row form per item (the spec fields follow the
chosen catalog item), the center's approval form and the small step forms. Every rule is the
services' (`clean_item` per row: validate_spec, naming the allowed values)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from govcloud.applications.models import (
    Application,
    ApplicationKind,
    AttachmentKind,
    Environment,
    TerminationMode,
)
from govcloud.applications.services import ItemDecision, ItemInput, clean_item
from govcloud.catalog.models import CatalogItem
from govcloud.core.forms import form_errors_from
from govcloud.delivery.specfields import (
    PREFIX,
    spec_errors_to_form,
    spec_form_fields,
    spec_from,
    spec_initial,
    spec_text,
)
from govcloud.ledger.models import Resource

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ROW_KEY = re.compile(r"^items-(\d+)-(catalog_item|target_resource)$")


def _row_url() -> str:
    return reverse("applications:item_row")


def row_indices(data: Mapping[str, Any]) -> list[int]:
    """The item rows present in the posted form (rows removed in the browser are simply absent)."""
    return sorted({int(m.group(1)) for key in data for m in [ROW_KEY.match(key)] if m})


class ApplicationForm(forms.Form):
    system = forms.ModelChoiceField(label=_("information system"), queryset=None)
    environment = forms.ChoiceField(label=_("environment"), choices=Environment.choices, widget=forms.RadioSelect)
    purpose = forms.CharField(label=_("purpose"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    requested_date = forms.DateField(label=_("requested date"), required=False, widget=DATE)
    contact_name = forms.CharField(label=_("contact person"), max_length=60)
    contact_phone = forms.CharField(label=_("contact phone"), max_length=30)
    requested_ports = forms.CharField(
        label=_("ports requested"),
        max_length=200,
        required=False,
        help_text=_(
            "Ports to open beyond the defaults, e.g. 443/TCP, 8080/TCP "
            "(an internet-facing system's 80 and 443 are closed until asked for)."
        ),
    )
    termination_mode = forms.ChoiceField(
        label=_("data at termination"), choices=TerminationMode.choices, widget=forms.RadioSelect, required=False
    )
    termination_date = forms.DateField(label=_("termination date"), required=False, widget=DATE)
    quota_justification = forms.CharField(
        label=_("justification beyond the quota"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Required when the application goes beyond the department's quota."),
    )

    def __init__(self, *args, kind: str, systems, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["system"].queryset = systems
        self.fields["system"].label_from_instance = lambda s: (
            f"{s.name} · {s.organization.short_name or s.organization.name}"
        )
        if kind == ApplicationKind.TERMINATION:
            del self.fields["requested_ports"]
        if kind != ApplicationKind.TERMINATION:
            del self.fields["termination_mode"]
            del self.fields["termination_date"]
        else:
            self.fields["termination_mode"].required = True
            self.fields["termination_date"].required = True
            # A termination frees resources: it never goes beyond a quota, so nothing to justify.
            del self.fields["quota_justification"]

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.setdefault("termination_mode", "")
        data.setdefault("termination_date", None)
        data.setdefault("quota_justification", "")
        return data


class ResourceSelect(forms.Select):
    """The resource chooser: each option carries its information system (data-system), so the form
    offers only the chosen system's resources (application_form.js)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.systems: dict[str, str] = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        system = self.systems.get(str(value))
        if system:
            option["attrs"]["data-system"] = system
        return option


class ItemRowForm(forms.Form):
    """One item: for new resources a catalog item, its quantity and spec; for a change an existing
    resource and its new spec (or a later end of term); for a termination the resource."""

    catalog_item = forms.ChoiceField(label=_("catalog item"), required=False)
    target_resource = forms.ChoiceField(label=_("resource"), required=False, widget=ResourceSelect)
    quantity = forms.IntegerField(label=_("quantity"), min_value=1, max_value=100, initial=1, required=False)
    needed_until = forms.DateField(label=_("needed until"), required=False, widget=DATE)

    def __init__(
        self,
        *args,
        kind: str,
        index: int,
        catalog: list[CatalogItem],
        resources: list[Resource],
        system=None,
        application: Application | None = None,
        **kwargs,
    ):
        kwargs.setdefault("prefix", f"items-{index}")
        super().__init__(*args, **kwargs)
        self.kind, self.index, self.system, self.application = kind, index, system, application
        self.catalog = {str(i.pk): i for i in catalog}
        self.resources = {str(r.pk): r for r in resources}
        self.values: dict[str, Any] | None = None
        if kind == ApplicationKind.NEW:
            del self.fields["target_resource"]
            self.fields["catalog_item"].choices = [("", "—")] + [(k, i.name) for k, i in self.catalog.items()]
            self.chosen_item = self.catalog.get(self._raw("catalog_item"))
            self.resource = None
        else:
            del self.fields["catalog_item"]
            del self.fields["quantity"]
            self.fields["target_resource"].choices = [("", "—")] + [
                (k, f"{r.code} · {r.name or r.catalog_item.name}" + (f" · {r.system.name}" if r.system_id else ""))
                for k, r in self.resources.items()
            ]
            self.fields["target_resource"].widget.systems = {
                k: str(r.system_id) for k, r in self.resources.items() if r.system_id
            }
            self.fields["target_resource"].widget.attrs["data-resource-chooser"] = ""
            self.resource = self.resources.get(self._raw("target_resource"))
            self.chosen_item = self.resource.catalog_item if self.resource else None
            if kind == ApplicationKind.TERMINATION:
                del self.fields["needed_until"]
        # Choosing an item (or a resource) re-renders the row with its spec fields (HTMX).
        chooser = self.fields.get("catalog_item") or self.fields.get("target_resource")
        chooser.widget.attrs.update(
            {
                "hx-get": f"{_row_url()}?kind={kind}&index={index}",
                "hx-trigger": "change",
                "hx-target": "closest .gc-item-row",
                "hx-swap": "outerHTML",
                "hx-include": "closest .gc-item-row",
                "data-testid": "item-chooser",
            }
        )
        if kind != ApplicationKind.TERMINATION:
            for name, field in spec_form_fields(self.chosen_item, allow_retired=kind == ApplicationKind.CHANGE).items():
                self.fields[name] = field
            if self.resource is not None and not self.is_bound:
                for name, value in spec_initial(self.resource.spec).items():
                    self.initial.setdefault(name, value)

    def _raw(self, name: str) -> str:
        if self.is_bound:
            return str(self.data.get(self.add_prefix(name)) or "")
        value = self.initial.get(name, "")
        return str(getattr(value, "pk", value) or "")

    @property
    def spec_fields(self):
        return [self[name] for name in self.fields if name.startswith(PREFIX)]

    @property
    def current_spec(self) -> str:
        return spec_text(self.resource.spec, self.resource.catalog_item) if self.resource else ""

    def to_input(self) -> ItemInput:
        data = self.cleaned_data
        return ItemInput(
            catalog_item=self.chosen_item if self.kind == ApplicationKind.NEW else None,
            quantity=data.get("quantity") or 1,
            spec=spec_from(data),
            target_resource=self.resource,
            needed_until=data.get("needed_until"),
        )

    def clean(self):
        data = super().clean()
        if self.kind == ApplicationKind.NEW and self.chosen_item is None:
            self.add_error("catalog_item", _("Choose an item of the catalog."))
            return data
        if self.kind != ApplicationKind.NEW and self.resource is None:
            self.add_error("target_resource", _("Choose the resource."))
            return data
        if self.errors:
            return data
        try:
            self.values = clean_item(
                kind=self.kind,
                system=self.system,
                row=self.to_input(),
                exclude_application_id=self.application.pk if self.application else None,
            )
        except ValidationError as exc:
            spec_keys = {name[len(PREFIX) :] for name in self.fields if name.startswith(PREFIX)}
            spec_part = {k: v for k, v in exc.error_dict.items() if k in spec_keys}
            rest = {k: v for k, v in exc.error_dict.items() if k not in spec_keys}
            if spec_part:
                spec_errors_to_form(ValidationError(spec_part), self)
            if rest:
                form_errors_from(ValidationError(rest), self)
        return data


class StepForm(forms.Form):
    text = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=4000
    )


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=AttachmentKind.choices, initial=AttachmentKind.STAMPED_FORM)
    file = forms.FileField(label=_("File"), help_text=_("PDF, PNG or JPEG."))


class ApproveForm(forms.Form):
    """Per item: the quantity approved (0 = not approved), a smaller spec if need be, and why."""

    comment = forms.CharField(label=_("Decision note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, application: Application, **kwargs):
        super().__init__(*args, **kwargs)
        self.application = application
        self.rows = []
        for item in application.items.all():
            names = {"quantity": f"i{item.pk}_quantity", "note": f"i{item.pk}_note"}
            self.fields[names["quantity"]] = forms.IntegerField(
                label=_("approved quantity"), min_value=0, max_value=item.quantity, initial=item.quantity
            )
            self.fields[names["note"]] = forms.CharField(
                label=_("approval note"), required=False, widget=forms.TextInput()
            )
            spec_names = []
            if application.kind != ApplicationKind.TERMINATION:
                initial = spec_initial(item.spec)
                for name, field in spec_form_fields(item.catalog_item, allow_retired=True).items():
                    full = f"i{item.pk}_{name}"
                    field.initial = initial.get(name, "")
                    self.fields[full] = field
                    spec_names.append(full)
            self.rows.append((item, names, spec_names))

    def grouped(self):
        return [
            (item, self[names["quantity"]], self[names["note"]], [self[n] for n in spec_names])
            for item, names, spec_names in self.rows
        ]

    def decisions(self) -> dict[int, ItemDecision]:
        data = self.cleaned_data
        result = {}
        for item, names, spec_names in self.rows:
            head = f"i{item.pk}_"
            spec = spec_from({n[len(head) :]: data.get(n) for n in spec_names}) if spec_names else None
            result[item.pk] = ItemDecision(
                approved_quantity=data.get(names["quantity"]),
                approved_spec=spec,
                approval_note=data.get(names["note"], ""),
            )
        return result
