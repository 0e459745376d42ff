"""Specifications: validating a requested spec against the catalog, the metered units a spec stands
for (used by the cost estimate now and by billing later — one mapping for both), and the numeric
columns the ledger and the quotas read from a spec (one mapping for those too)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from govcloud.catalog.models import (
    CatalogItem,
    Dimension,
    DiskType,
    NetworkKind,
    PriceUnit,
    QuotaDimension,
    ResourceKind,
)

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
# Dimensions that name things (an image, a disk type): always a list of allowed values, never a range.
CHOICE_ONLY_DIMENSIONS = frozenset({Dimension.DISK_TYPE, Dimension.OS_IMAGE, Dimension.LB_LAYER, Dimension.NETWORK})
# The fields each kind of item may have; metering and the ledger's columns read exactly these.
KIND_DIMENSIONS: dict[str, frozenset[str]] = {
    ResourceKind.HOST: frozenset(
        {
            Dimension.VCPU,
            Dimension.MEMORY_GB,
            Dimension.DISK_TYPE,
            Dimension.SYSTEM_DISK_GB,
            Dimension.DATA_DISK_GB,
            Dimension.OS_IMAGE,
            Dimension.NETWORK,
        }
    ),
    ResourceKind.DATABASE: frozenset({Dimension.VCPU, Dimension.MEMORY_GB, Dimension.STORAGE_GB, Dimension.NETWORK}),
    ResourceKind.STORAGE: frozenset({Dimension.STORAGE_TB}),
    ResourceKind.LOAD_BALANCER: frozenset({Dimension.LB_LAYER, Dimension.NETWORK}),
    ResourceKind.NETWORK_ACCESS: frozenset({Dimension.BANDWIDTH_MBPS, Dimension.PUBLIC_ADDRESSES}),
    ResourceKind.SECURITY: frozenset(),
}


def _fmt(value: Decimal) -> str:
    """10.00 → "10", 0.10 → "0.1": how people write the numbers."""
    return format(value.normalize(), "f")


def _allowed_text(values: list[str]) -> str:
    return ", ".join(values) if values else _("none at present")


def _same_value(dimension: str, raw: Any, option_value: str) -> bool:
    """ "4", 4 and "04" are the same vCPU count; names compare as written (trimmed)."""
    text = str(raw).strip()
    if dimension in INTEGER_DIMENSIONS:
        try:
            return Decimal(text) == Decimal(option_value)
        except InvalidOperation:
            return False
    return text == option_value


def validate_spec(item: CatalogItem, spec: Mapping[str, Any], *, allow_retired: bool = False) -> dict[str, Any]:
    """The cleaned spec, or a ValidationError naming every wrong field with its allowed values.

    `item` should come with `options` and `ranges` prefetched (a list page validating many items
    then runs no query per item). Retired items and values are refused unless `allow_retired`
    (describing a resource that already has them: existing resources keep what they were given).
    """
    if item.is_retired and not allow_retired:
        raise ValidationError(
            {"item": _("“%(item)s” is retired and cannot be chosen for new resources.") % {"item": item.name}}
        )
    if not isinstance(spec, Mapping):
        raise ValidationError({"spec": _("The specification must be a set of named fields.")})
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
        allowed = _allowed_text([o.label or o.value for o in offered])
        raw = spec.get(dimension)
        if raw is None or str(raw).strip() == "":
            errors[dimension] = _("%(field)s is required; allowed: %(allowed)s.") % {"field": label, "allowed": allowed}
            continue
        match = next((o for o in offered if _same_value(dimension, raw, o.value)), None)
        if match is None:
            retired = next((o for o in choices if _same_value(dimension, raw, o.value)), None)
            if retired is not None:
                message = _("%(field)s: %(value)s has been retired and cannot be chosen; allowed: %(allowed)s.")
                shown = retired.label or retired.value
            else:
                message = _("%(field)s: %(value)s is not offered; allowed: %(allowed)s.")
                shown = raw
            errors[dimension] = message % {"field": label, "value": shown, "allowed": allowed}
            continue
        cleaned[dimension] = int(match.value) if dimension in INTEGER_DIMENSIONS else match.value

    for dimension, rng in ranges.items():
        label = Dimension(dimension).label
        raw = spec.get(dimension)
        if raw is None or str(raw).strip() == "":
            if rng.required:
                errors[dimension] = _("%(field)s is required (%(min)s–%(max)s).") % {
                    "field": label,
                    "min": _fmt(rng.minimum),
                    "max": _fmt(rng.maximum),
                }
            continue
        try:
            # bool is an int in Python; "true" GB is not a size.
            if isinstance(raw, bool):
                raise InvalidOperation
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


def _number(value: Any) -> Decimal:
    if value is None or value == "":
        return Decimal(0)
    return Decimal(str(value))


UnitKey = tuple[PriceUnit, int | None]


def metered_units(item: CatalogItem, spec: Mapping[str, Any], quantity: int = 1) -> dict[UnitKey, Decimal]:
    """What one spec consumes per month, in price-list units: {(unit, engine item id or None): quantity}.

    The single mapping from specifications to money: the estimate on the application form and the
    monthly statements both use it.
    """
    if quantity < 0:
        raise ValueError("quantity must not be negative")
    q = Decimal(quantity)
    units: dict[UnitKey, Decimal] = {}

    def add(unit: PriceUnit, amount, item_id: int | None = None) -> None:
        amount = _number(amount) * q
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
        add(disk_unit, _number(spec.get(Dimension.SYSTEM_DISK_GB)) + _number(spec.get(Dimension.DATA_DISK_GB)))
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
    elif kind == ResourceKind.SECURITY:
        add(PriceUnit.SECURITY_SERVICE_MONTH, 1, item.pk)
    return units


# --- The ledger's columns and the quotas ------------------------------------------------------------

# The numeric columns of a ledger resource (and of a quota's usage), all read from the spec here.
NUMERIC_COLUMNS = ("vcpu", "memory_gb", "disk_gb", "storage_tb", "bandwidth_mbps", "public_addresses")


def resource_columns(item: CatalogItem, spec: Mapping[str, Any], addresses: Iterable[Mapping] = ()) -> dict[str, Any]:
    """The ledger's denormalized columns for a resource of `item` with `spec` (so filters, totals
    and metering are set-based SQL): vCPU, memory, disk (a host's system + data disks, or a
    database's storage), storage TB, bandwidth, public addresses, OS image and network."""
    kind = item.kind
    disk = Decimal(0)
    if kind == ResourceKind.HOST:
        disk = _number(spec.get(Dimension.SYSTEM_DISK_GB)) + _number(spec.get(Dimension.DATA_DISK_GB))
    elif kind == ResourceKind.DATABASE:
        disk = _number(spec.get(Dimension.STORAGE_GB))
    computing = kind in (ResourceKind.HOST, ResourceKind.DATABASE)
    network = str(spec.get(Dimension.NETWORK) or item.network or "")
    if not network:
        # A host with an internet address is internet-facing, whatever else it has.
        networks = {str(a.get("network", "")) for a in addresses if isinstance(a, Mapping)}
        network = next((n for n in (NetworkKind.INTERNET, NetworkKind.EXTRANET) if n in networks), "")
    return {
        "vcpu": int(_number(spec.get(Dimension.VCPU))) if computing else 0,
        "memory_gb": int(_number(spec.get(Dimension.MEMORY_GB))) if computing else 0,
        "disk_gb": int(disk),
        "storage_tb": _number(spec.get(Dimension.STORAGE_TB)) if kind == ResourceKind.STORAGE else Decimal(0),
        "bandwidth_mbps": int(_number(spec.get(Dimension.BANDWIDTH_MBPS))),
        "public_addresses": int(_number(spec.get(Dimension.PUBLIC_ADDRESSES))),
        "os_image": str(spec.get(Dimension.OS_IMAGE) or "") if kind == ResourceKind.HOST else "",
        "network": network,
    }


def quota_units(item: CatalogItem, spec: Mapping[str, Any], quantity: int = 1) -> dict[str, Decimal]:
    """What `quantity` resources of this spec count against a department's quota:
    {"vcpu", "memory_gb", "disk_gb", "storage_tb", "public_addresses"} → amount. Sum several with
    `add_units`; pass the sum to `ledger.selectors.quota_excess(additional_units=...)`."""
    columns = resource_columns(item, spec)
    return {d.value: Decimal(columns[d.value]) * quantity for d in QuotaDimension}


def add_units(*parts: Mapping[str, Any]) -> dict[str, Decimal]:
    """The sum of several unit dicts (missing keys count as 0)."""
    total: dict[str, Decimal] = {}
    for part in parts:
        for key, value in part.items():
            total[key] = total.get(key, Decimal(0)) + _number(value)
    return total


CENT = Decimal("0.01")


def money(value: Decimal) -> Decimal:
    """Round half up to 0.01 CNY, as statements do."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)
