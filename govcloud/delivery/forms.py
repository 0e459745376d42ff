from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from govcloud.catalog.models import NetworkKind
from govcloud.delivery.models import WorkOrder, WorkOrderKind
from govcloud.delivery.specfields import PREFIX, spec_form_fields, spec_from, spec_initial

ADDRESS_HELP = _(
    "One address per line: the network (extranet or internet), the address and optionally a domain, e.g. "
    "“internet 58.222.10.5 www.example.gov.cn”."
)


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Progress note"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)


def parse_addresses(text: str) -> list[dict]:
    """“internet 58.1.2.3 www.x.gov.cn” lines as [{network, address, domain}]; a line without a
    network is on the extranet. The service checks each address."""
    rows = []
    for line in (text or "").splitlines():
        parts = line.split()
        if not parts:
            continue
        network = NetworkKind.EXTRANET.value
        if parts[0].lower() in NetworkKind.values:
            network = parts.pop(0).lower()
        if not parts:
            continue
        rows.append({"network": network, "address": parts[0], "domain": parts[1] if len(parts) > 1 else ""})
    return rows


def addresses_text(addresses: list[dict]) -> str:
    return "\n".join(" ".join(filter(None, [a.get("network"), a.get("address"), a.get("domain")])) for a in addresses)


class CompletionForm(forms.Form):
    """What was delivered: per resource its name, addresses, provider reference and the spec actually
    delivered (prefilled with the approved one); or, for a termination, the data handling record."""

    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=4000)

    def __init__(self, *args, work_order: WorkOrder, **kwargs):
        super().__init__(*args, **kwargs)
        self.work_order = work_order
        item = work_order.item
        self.groups: list[tuple[int, list[str]]] = []
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
                self.fields[f"r{index}_addresses"] = forms.CharField(
                    label=_("Addresses"),
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 2}),
                    help_text=ADDRESS_HELP,
                    initial=addresses_text(before.get("addresses", [])),
                )
                self.fields[f"r{index}_provider_ref"] = forms.CharField(
                    label=_("Provider reference"),
                    max_length=120,
                    required=False,
                    initial=before.get("provider_ref", ""),
                )
                names += [f"r{index}_name", f"r{index}_addresses", f"r{index}_provider_ref"]
            initial = spec_initial(before.get("spec") or item.approved_spec)
            for name, field in spec_form_fields(item.catalog_item, allow_retired=True).items():
                full = f"r{index}_{name}"
                field.initial = initial.get(name, "")
                self.fields[full] = field
                names.append(full)
            self.groups.append((index + 1, names))

    def grouped(self):
        return [(n, [self[name] for name in names]) for n, names in self.groups]

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
                    addresses=parse_addresses(data.get(f"{head}addresses", "")),
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
