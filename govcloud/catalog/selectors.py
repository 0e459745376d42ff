"""Reads of the catalog and the price list. The catalog and prices are public within the platform
(and the catalog is on the public service guide): no scope."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from govcloud.catalog.models import CatalogItem, Price, PriceList, SpecOption
from govcloud.catalog.specs import metered_units, money


def items_for_new_applications() -> QuerySet[CatalogItem]:
    """Items a department may choose today, with their allowed values and ranges prefetched
    (retired options left out)."""
    return (
        CatalogItem.objects.filter(retired_at__isnull=True)
        .prefetch_related(
            Prefetch("options", queryset=SpecOption.objects.filter(retired_at__isnull=True)),
            "ranges",
        )
        .order_by("sort", "code")
    )


def items_with_specs() -> QuerySet[CatalogItem]:
    """Every item, retired ones included, with all values (to describe existing resources)."""
    return CatalogItem.objects.prefetch_related("options", "ranges").order_by("sort", "code")


def price_list_on(day: date | None = None) -> PriceList | None:
    """The published price list in effect on `day` (the latest one that took effect by then)."""
    day = day or timezone.localdate()
    return (
        PriceList.objects.filter(published_at__isnull=False, effective_from__lte=day)
        .order_by("-effective_from")
        .first()
    )


def prices_of(price_list: PriceList | None) -> dict[tuple[str, int | None], Decimal]:
    if price_list is None:
        return {}
    return {(p.unit, p.item_id): p.amount for p in Price.objects.filter(price_list=price_list)}


def monthly_estimate(
    item: CatalogItem, spec: dict, quantity: int = 1, *, on: date | None = None, prices=None
) -> Decimal:
    """What `quantity` resources of this spec cost for a whole month at the prices in effect `on`
    (0.00 when no price list is published). Pass `prices` (from prices_of) to price many items with
    one query."""
    if prices is None:
        prices = prices_of(price_list_on(on))
    total = Decimal(0)
    for (unit, item_id), amount in metered_units(item, spec, quantity).items():
        total += amount * prices.get((unit, item_id), Decimal(0))
    return money(total)
