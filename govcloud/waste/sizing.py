"""The arithmetic of rightsizing, without the database: what a peak needs with the headroom, the
sizes the catalog offers for a dimension, and rounding a need UP to one of them. Decimal throughout,
so "recommended ≥ peak × (1 + headroom)" holds exactly (tested with hypothesis)."""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

from govcloud.catalog.models import CatalogItem

HUNDRED = Decimal(100)


def need(current: int, peak_percent: float, headroom_percent: int) -> Decimal:
    """What the resource needs: its current size × the peak's share × (1 + headroom). The float peak
    enters through its shortest decimal text (repr), never through binary noise."""
    peak = Decimal(repr(float(peak_percent)))
    return Decimal(current) * peak / HUNDRED * (1 + Decimal(headroom_percent) / HUNDRED)


def offered_sizes(item: CatalogItem, dimension: str) -> tuple[list[int], tuple[Decimal, Decimal, Decimal] | None]:
    """The sizes the catalog offers today for `dimension` of `item`: its options that are not retired
    (sorted), and its range (minimum, maximum, step) when it has one. `item` should come with
    `options` and `ranges` prefetched."""
    sizes = sorted(
        int(o.value)
        for o in item.options.all()
        if o.dimension == dimension and o.retired_at is None and o.value.isdigit()
    )
    rng = next(((r.minimum, r.maximum, r.step) for r in item.ranges.all() if r.dimension == dimension), None)
    return sizes, rng


def round_up(need_value: Decimal, sizes: list[int], rng: tuple[Decimal, Decimal, Decimal] | None = None) -> int | None:
    """The smallest offered size that is at least `need_value` (and at least 1). Above the largest
    offered size: the largest (the catalog has nothing bigger; the page says so). None when the
    catalog offers no size at all."""
    floor = max(need_value, Decimal(1))
    candidates: list[int] = []
    if sizes:
        fitting = [s for s in sizes if s >= floor]
        candidates.append(fitting[0] if fitting else sizes[-1])
    if rng is not None:
        minimum, maximum, step = rng
        if floor <= minimum:
            value = minimum
        else:
            steps = ((floor - minimum) / step).to_integral_value(rounding=ROUND_CEILING)
            value = min(minimum + steps * step, maximum - (maximum - minimum) % step)
        candidates.append(int(value.to_integral_value(rounding=ROUND_CEILING)))
    if not candidates:
        return None
    fitting = [c for c in candidates if c >= floor]
    return min(fitting) if fitting else max(candidates)
