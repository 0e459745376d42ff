"""Form fields for a catalog item's specification, shared by the application form and the
provider's completion form.

The fields only collect text: the one rule for what is allowed is `catalog.specs.validate_spec`,
whose messages name the allowed values, and `spec_errors_to_form` puts them on the right field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from govcloud.catalog.models import CatalogItem, Dimension

PREFIX = "spec_"
_ORDER = {d.value: i for i, d in enumerate(Dimension)}


def _fmt(value: Decimal) -> str:
    return format(value.normalize(), "f")


class SpecChoiceField(forms.ChoiceField):
    """A select whose value validate_spec judges (its message names the allowed values)."""

    def valid_value(self, value) -> bool:
        return True


def spec_form_fields(item: CatalogItem | None, *, allow_retired: bool = False) -> dict[str, forms.Field]:
    """One field per dimension of `item` (options and ranges prefetched), in the catalog's order."""
    if item is None:
        return {}
    fields: dict[str, tuple[int, forms.Field]] = {}
    options: dict[str, list] = {}
    for option in item.options.all():
        if allow_retired or option.retired_at is None:
            options.setdefault(option.dimension, []).append(option)
    for dimension, choices in options.items():
        field = SpecChoiceField(
            label=Dimension(dimension).label,
            choices=[("", "—")] + [(o.value, o.label or o.value) for o in choices],
            required=False,
        )
        fields[PREFIX + dimension] = (_ORDER.get(dimension, 99), field)
    for rng in item.ranges.all():
        label = Dimension(rng.dimension).label
        field = forms.CharField(
            label=label,
            required=False,
            help_text=_("%(min)s–%(max)s, in steps of %(step)s")
            % {"min": _fmt(rng.minimum), "max": _fmt(rng.maximum), "step": _fmt(rng.step)},
            widget=forms.NumberInput(
                attrs={"min": _fmt(rng.minimum), "max": _fmt(rng.maximum), "step": _fmt(rng.step)}
            ),
        )
        fields[PREFIX + rng.dimension] = (_ORDER.get(rng.dimension, 99), field)
    return {name: field for name, (_order, field) in sorted(fields.items(), key=lambda kv: kv[1][0])}


def spec_initial(spec: Mapping[str, Any] | None) -> dict[str, str]:
    return {PREFIX + key: str(value) for key, value in (spec or {}).items()}


def spec_from(cleaned_data: Mapping[str, Any]) -> dict[str, Any]:
    """The raw spec the fields collected (empty fields left out), for validate_spec."""
    return {
        name[len(PREFIX) :]: value.strip() if isinstance(value, str) else value
        for name, value in cleaned_data.items()
        if name.startswith(PREFIX) and value not in (None, "")
    }


def spec_errors_to_form(exc: ValidationError, form) -> None:
    """validate_spec's errors onto the matching spec fields (the rest onto the form)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for key, errors in exc.error_dict.items():
        name = PREFIX + key
        form.add_error(name if name in form.fields else None, errors)


# The unit a dimension's value is counted in, written after the value ("内存 8 GB"); the field
# labels carry it in brackets ("内存（GB）"), which a spec line drops.
SPEC_UNITS = {
    Dimension.MEMORY_GB: "GB",
    Dimension.SYSTEM_DISK_GB: "GB",
    Dimension.DATA_DISK_GB: "GB",
    Dimension.STORAGE_GB: "GB",
    Dimension.STORAGE_TB: "TB",
    Dimension.BANDWIDTH_MBPS: "Mbps",
}
_BRACKETED_UNIT = re.compile(r"\s*[（(][^（）()]*[）)]\s*$")


def _value_label(key: str, value: Any) -> str:
    """A choice's name where the catalog item gives none: the disk type or network by name."""
    from govcloud.catalog.models import DiskType, NetworkKind

    for choices in (DiskType, NetworkKind):
        if key in (Dimension.DISK_TYPE, Dimension.NETWORK) and str(value) in choices.values:
            return str(choices(str(value)).label)
    return str(value)


def spec_text(spec: Mapping[str, Any] | None, item: CatalogItem | None = None) -> str:
    """A readable one-line spec: "vCPU 4 · 内存 8 GB · 操作系统 CentOS 7.0 64位" — the unit after
    the value, every choice by its name."""
    if not spec:
        return "—"
    labels: dict[tuple[str, str], str] = {}
    if item is not None:
        labels = {(o.dimension, o.value): o.label for o in item.options.all() if o.label}
    parts = []
    for key in sorted(spec, key=lambda k: _ORDER.get(k, 99)):
        value = spec[key]
        try:
            label = str(Dimension(key).label)
        except ValueError:
            label = key
        unit = SPEC_UNITS.get(key, "")
        if unit:
            label = _BRACKETED_UNIT.sub("", label)
        shown = labels.get((key, str(value))) or _value_label(key, value)
        parts.append(" ".join(filter(None, [label, shown, unit])))
    return " · ".join(parts)
