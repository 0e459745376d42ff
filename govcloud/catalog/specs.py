"""Specifications: validating a requested spec against the catalog, and the metered units a spec
stands for (used by the cost estimate now and by billing later — one mapping for both)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from govcloud.catalog.models import CatalogItem, Dimension, DiskType, PriceUnit, ResourceKind

# Dimensions whose values are whole numbers (stored as int in a spec); the rest of the ranges keep
# their decimals as strings, so no float ever enters a spec or a bill.
INTEGER_DIMENSIONS = frozenset(
    {
        Dimension.VCPU,
        Dimension.MEMORY_GB,
        Dimension.SYSTEM_DISK_GB,
        Dimension.DATA_DISK_GB,
        Dimension.STORAGE_GB,
        Dimension.BANDWIDTH_MBPS,
        Dimension.PUBLIC_ADDRESSES,
    }
)


def _fmt(value: Decimal) -> str:
    """10.00 → "10", 0.10 → "0.1": how people write the numbers."""
    return format(value.normalize(), "f")


def _allowed_text(values: list[str]) -> str:
    return ", ".join(values)


def validate_spec(item: CatalogItem, spec: Mapping[str, Any], *, allow_retired: bool = False) -> dict[str, Any]:
    """The cleaned spec, or a ValidationError naming every wrong field with its allowed values.

    `item` should come with `options` and `ranges` prefetched (a list page validating many items
    then runs no query per item). Retired options are refused unless `allow_retired` (describing a
    resource that already has them).
    """
    if item.is_retired and not allow_retired:
        raise ValidationError(
            {"item": _("“%(item)s” is retired and cannot be chosen for new resources.") % {"item": item.name}}
        )
    options: dict[str, list] = {}
    for option in item.options.all():
        options.setdefault(option.dimension, []).append(option)
    ranges = {r.dimension: r for r in item.ranges.all()}
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}

    unknown = set(spec) - set(options) - set(ranges)
    for key in sorted(unknown):
        errors[key] = _("“%(field)s” is not part of %(item)s.") % {"field": key, "item": item.name}

    for dimension, choices in options.items():
        label = Dimension(dimension).label
        offered = [o for o in choices if allow_retired or o.retired_at is None]
        raw = spec.get(dimension)
        if raw in (None, ""):
            errors[dimension] = _("%(field)s is required; allowed: %(allowed)s.") % {
                "field": label,
                "allowed": _allowed_text([o.label or o.value for o in offered]),
            }
            continue
        match = next((o for o in offered if o.value == str(raw).strip()), None)
        if match is None:
            errors[dimension] = _("%(field)s: %(value)s is not offered; allowed: %(allowed)s.") % {
                "field": label,
                "value": raw,
                "allowed": _allowed_text([o.label or o.value for o in offered]),
            }
            continue
        cleaned[dimension] = int(match.value) if dimension in INTEGER_DIMENSIONS else match.value

    for dimension, rng in ranges.items():
        label = Dimension(dimension).label
        raw = spec.get(dimension)
        if raw in (None, ""):
            if rng.required:
                errors[dimension] = _("%(field)s is required (%(min)s–%(max)s).") % {
                    "field": label,
                    "min": _fmt(rng.minimum),
                    "max": _fmt(rng.maximum),
                }
            continue
        try:
            value = Decimal(str(raw).strip())
        except InvalidOperation:
            errors[dimension] = _("%(field)s: “%(value)s” is not a number.") % {"field": label, "value": raw}
            continue
        if not value.is_finite() or value < rng.minimum or value > rng.maximum:
            errors[dimension] = _("%(field)s: %(value)s is outside the allowed range %(min)s–%(max)s.") % {
                "field": label,
                "value": raw,
                "min": _fmt(rng.minimum),
                "max": _fmt(rng.maximum),
            }
            continue
        if (value - rng.minimum) % rng.step:
            errors[dimension] = _("%(field)s: %(value)s must be in steps of %(step)s from %(min)s.") % {
                "field": label,
                "value": raw,
                "step": _fmt(rng.step),
                "min": _fmt(rng.minimum),
            }
            continue
        cleaned[dimension] = int(value) if dimension in INTEGER_DIMENSIONS else _fmt(value)

    if errors:
        raise ValidationError(errors)
    return cleaned


UnitKey = tuple[PriceUnit, int | None]


def metered_units(item: CatalogItem, spec: Mapping[str, Any], quantity: int = 1) -> dict[UnitKey, Decimal]:
    """What one spec consumes per month, in price-list units: {(unit, engine item id or None): quantity}.

    The single mapping from specifications to money: the estimate on the application form and the
    monthly statements both use it.
    """
    q = Decimal(quantity)
    units: dict[UnitKey, Decimal] = {}

    def add(unit: PriceUnit, amount, item_id: int | None = None) -> None:
        amount = Decimal(str(amount or 0)) * q
        if amount:
            key = (unit, item_id)
            units[key] = units.get(key, Decimal(0)) + amount

    kind = ResourceKind(item.kind)
    if kind == ResourceKind.HOST:
        add(PriceUnit.VCPU_MONTH, spec.get(Dimension.VCPU))
        add(PriceUnit.MEMORY_GB_MONTH, spec.get(Dimension.MEMORY_GB))
        disk_unit = (
            PriceUnit.DISK_SSD_GB_MONTH
            if spec.get(Dimension.DISK_TYPE) == DiskType.SSD
            else PriceUnit.DISK_SATA_GB_MONTH
        )
        add(
            disk_unit,
            Decimal(str(spec.get(Dimension.SYSTEM_DISK_GB) or 0)) + Decimal(str(spec.get(Dimension.DATA_DISK_GB) or 0)),
        )
    elif kind == ResourceKind.DATABASE:
        add(PriceUnit.DATABASE_INSTANCE_MONTH, 1, item.pk)
        add(PriceUnit.VCPU_MONTH, spec.get(Dimension.VCPU))
        add(PriceUnit.MEMORY_GB_MONTH, spec.get(Dimension.MEMORY_GB))
        add(PriceUnit.DISK_SSD_GB_MONTH, spec.get(Dimension.STORAGE_GB))
    elif kind == ResourceKind.STORAGE:
        add(PriceUnit.STORAGE_TB_MONTH, spec.get(Dimension.STORAGE_TB))
    elif kind == ResourceKind.LOAD_BALANCER:
        add(PriceUnit.LOAD_BALANCER_MONTH, 1)
    elif kind == ResourceKind.NETWORK_ACCESS:
        add(PriceUnit.BANDWIDTH_MBPS_MONTH, spec.get(Dimension.BANDWIDTH_MBPS))
        add(PriceUnit.PUBLIC_ADDRESS_MONTH, spec.get(Dimension.PUBLIC_ADDRESSES))
    return units


CENT = Decimal("0.01")


def money(value: Decimal) -> Decimal:
    """Round half up to 0.01 CNY, as statements do."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)
