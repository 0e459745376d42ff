from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from govcloud.catalog.models import NetworkKind
from govcloud.delivery.models import WorkOrder, WorkOrderKind
from govcloud.delivery.specfields import PREFIX, spec_form_fields, spec_from, spec_initial

# Each delivered resource gets this many address rows at least (one more than the public addresses
# approved, so an extranet address always has a row).
MIN_ADDRESS_ROWS = 2


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Progress note"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)


class CompletionForm(forms.Form):
    """What was delivered: per resource its name, addresses, provider reference and the spec actually
    delivered (prefilled with the approved one); or, for a termination, the data handling record."""

    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=4000)

    def __init__(self, *args, work_order: WorkOrder, **kwargs):
        super().__init__(*args, **kwargs)
        self.work_order = work_order
        item = work_order.item
        self.groups: list[tuple[int, list[str]]] = []
        # Fields that begin a line of their own on the page: each address and the delivered spec.
        self.row_starts: set[str] = set()
        kind = work_order.kind
        previous = list(work_order.delivered or [])
        if kind == WorkOrderKind.TERMINATE:
            self.fields["note"].required = True
            self.fields["note"].label = _("Data handover record or destruction certificate")
            return
        count = (item.approved_quantity or 0) if kind == WorkOrderKind.PROVISION else 1
        for index in range(count):
            names = []
            before = previous[index] if index < len(previous) else {}
            if kind == WorkOrderKind.PROVISION:
                self.fields[f"r{index}_name"] = forms.CharField(
                    label=_("Resource name"), max_length=200, initial=before.get("name", "")
                )
                self.fields[f"r{index}_provider_ref"] = forms.CharField(
                    label=_("Provider reference"),
                    max_length=120,
                    required=False,
                    initial=before.get("provider_ref", ""),
                )
                names += [f"r{index}_name", f"r{index}_provider_ref"]
                names += self._address_rows(index, before.get("addresses") or [], item.approved_spec or {})
            initial = spec_initial(before.get("spec") or item.approved_spec)
            for position, (name, field) in enumerate(spec_form_fields(item.catalog_item, allow_retired=True).items()):
                full = f"r{index}_{name}"
                if position == 0:
                    self.row_starts.add(full)
                field.initial = initial.get(name, "")
                self.fields[full] = field
                names.append(full)
            self.groups.append((index + 1, names))

    def _address_rows(self, index: int, before: list[dict], approved: dict) -> list[str]:
        """The addresses as rows of network (a choice: 政务外网 or 互联网, never typed), address and
        domain."""
        try:
            public = int(approved.get("public_addresses") or 0)
        except (TypeError, ValueError):
            public = 0
        names = []
        for row in range(max(MIN_ADDRESS_ROWS, len(before), public + 1)):
            entry = before[row] if row < len(before) and isinstance(before[row], dict) else {}
            head = f"r{index}_addr{row}_"
            # An unused row may come without a network; a used one takes the extranet by default.
            self.fields[head + "network"] = forms.ChoiceField(
                label=_("Network"),
                required=False,
                choices=NetworkKind.choices,
                initial=entry.get("network") or (NetworkKind.INTERNET if row < public else NetworkKind.EXTRANET),
            )
            self.fields[head + "address"] = forms.GenericIPAddressField(
                label=_("Address"), required=False, initial=entry.get("address", "")
            )
            self.fields[head + "domain"] = forms.CharField(
                label=_("Domain (optional)"), max_length=253, required=False, initial=entry.get("domain", "")
            )
            names += [head + "network", head + "address", head + "domain"]
            self.row_starts.add(head + "network")
        return names

    def _addresses(self, index: int) -> list[dict]:
        data, rows, row = self.cleaned_data, [], 0
        while f"r{index}_addr{row}_network" in self.fields:
            head = f"r{index}_addr{row}_"
            if data.get(head + "address"):
                rows.append(
                    {
                        "network": data.get(head + "network") or NetworkKind.EXTRANET.value,
                        "address": data[head + "address"],
                        "domain": data.get(head + "domain", ""),
                    }
                )
            row += 1
        return rows

    def grouped(self):
        return [(n, [(self[name], name in self.row_starts) for name in names]) for n, names in self.groups]

    def entries(self) -> list[dict]:
        data = self.cleaned_data
        result = []
        for index in range(len(self.groups)):
            head = f"r{index}_"
            spec = spec_from({k[len(head) :]: v for k, v in data.items() if k.startswith(head + PREFIX)})
            entry = {"spec": spec}
            if self.work_order.kind == WorkOrderKind.PROVISION:
                entry.update(
                    name=data.get(f"{head}name", ""),
                    addresses=self._addresses(index),
                    provider_ref=data.get(f"{head}provider_ref", ""),
                )
            result.append(entry)
        return result


class EvidenceForm(forms.Form):
    """The provider's evidence of a terminated resource's data handling (Art. 18)."""

    statement = forms.CharField(
        label=_("How the data was handled"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        help_text=_("What was destroyed or handed back, when, how, by whom; the certificate or record number."),
    )
    document = forms.FileField(
        label=_("Destruction certificate (PDF, PNG or JPEG)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
    )

    def __init__(self, *args, destruction: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not destruction:
            self.fields["document"].label = _("Signed handover record (optional; PDF, PNG or JPEG)")


class EvidenceDecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000, required=False
    )
