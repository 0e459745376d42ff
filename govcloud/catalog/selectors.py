"""Reads of the catalog, the price list and the quotas. The catalog and published prices are
public within the platform (and the catalog is on the public service guide): no scope. Unpublished
price list drafts are the center's work in progress; quotas follow the departments' scope."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from govcloud.catalog.models import (
    CatalogItem,
    Price,
    PriceList,
    PriceUnit,
    Quota,
    QuotaDimension,
    ResourceKind,
    SpecOption,
)
from govcloud.catalog.specs import metered_units, money
from govcloud.core.permissions import has_any_role
from govcloud.core.roles import CENTER_ROLES
from govcloud.core.scoping import Action


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


def option_labels() -> dict[tuple[int, str, str], str]:
    """{(item id, dimension, value): label} for every value ever offered — to show a spec's
    values by their names in one query."""
    return {(o.item_id, o.dimension, o.value): (o.label or o.value) for o in SpecOption.objects.all()}


def os_image_choices() -> list[tuple[str, str]]:
    """Every OS image ever offered (retired ones too: resources keep them), for filters."""
    seen: dict[str, str] = {}
    for value, label in (
        SpecOption.objects.filter(dimension="os_image").order_by("sort", "value").values_list("value", "label")
    ):
        seen.setdefault(value, label or value)
    return list(seen.items())


# --- Price lists -----------------------------------------------------------------------------------


class PriceListStatus:
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    IN_EFFECT = "in_effect"
    SUPERSEDED = "superseded"


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


def price_lists_for(*, user) -> QuerySet[PriceList]:
    """Every published version; drafts only for the center, whose work in progress they are."""
    queryset = PriceList.objects.order_by("-effective_from")
    if not has_any_role(user, CENTER_ROLES):
        queryset = queryset.filter(published_at__isnull=False)
    return queryset


def price_list_status(price_list: PriceList, today: date, current_pk: int | None) -> str:
    """Draft, scheduled (published, from a later day), in effect (the version prices are taken
    from `today`; `current_pk` is price_list_on(today)'s) or superseded."""
    if price_list.published_at is None:
        return PriceListStatus.DRAFT
    if price_list.effective_from > today:
        return PriceListStatus.SCHEDULED
    if price_list.pk == current_pk:
        return PriceListStatus.IN_EFFECT
    return PriceListStatus.SUPERSEDED


def price_list_statuses(price_lists, today: date | None = None) -> dict[int, str]:
    """{pk: status} for the given versions (one query for the version in effect)."""
    today = today or timezone.localdate()
    current = price_list_on(today)
    current_pk = current.pk if current else None
    return {pl.pk: price_list_status(pl, today, current_pk) for pl in price_lists}


def previous_price_list(price_list: PriceList) -> PriceList | None:
    """The published version this one follows (to compare with)."""
    return (
        PriceList.objects.filter(published_at__isnull=False, effective_from__lt=price_list.effective_from)
        .exclude(pk=price_list.pk)
        .order_by("-effective_from")
        .first()
    )


def database_engines() -> QuerySet[CatalogItem]:
    """Database items that can still be chosen: each needs an instance price."""
    return CatalogItem.objects.filter(kind=ResourceKind.DATABASE, retired_at__isnull=True).order_by("sort", "code")


@dataclass(frozen=True)
class PriceKey:
    unit: str
    item: CatalogItem | None

    @property
    def label(self) -> str:
        text = str(PriceUnit(self.unit).label)
        return f"{text}: {self.item.engine or self.item.name}" if self.item else text

    @property
    def field_name(self) -> str:
        return f"{self.unit}__{self.item.pk}" if self.item else self.unit


def security_services() -> QuerySet[CatalogItem]:
    """Security service items that can still be chosen: each needs its monthly price."""
    return CatalogItem.objects.filter(kind=ResourceKind.SECURITY, retired_at__isnull=True).order_by("sort", "code")


# Units priced per catalog item (once per engine / per service) rather than once.
PER_ITEM_UNITS = (PriceUnit.DATABASE_INSTANCE_MONTH, PriceUnit.SECURITY_SERVICE_MONTH)


def required_price_keys() -> list[PriceKey]:
    """Every unit, with database instances once per engine and security services once per
    service that can still be chosen."""
    keys = [PriceKey(u, None) for u in PriceUnit.values if u not in PER_ITEM_UNITS]
    # One query for both kinds of per-item prices (pages list these keys within a query budget).
    per_item = CatalogItem.objects.filter(
        kind__in=[ResourceKind.DATABASE, ResourceKind.SECURITY], retired_at__isnull=True
    ).order_by("sort", "code")
    items = list(per_item)
    keys += [PriceKey(PriceUnit.DATABASE_INSTANCE_MONTH, i) for i in items if i.kind == ResourceKind.DATABASE]
    keys += [PriceKey(PriceUnit.SECURITY_SERVICE_MONTH, i) for i in items if i.kind == ResourceKind.SECURITY]
    return keys


def missing_prices(price_list: PriceList) -> list[str]:
    """Labels of the units the version does not price yet (publishing needs none missing)."""
    have = set(Price.objects.filter(price_list=price_list).values_list("unit", "item_id"))
    return [k.label for k in required_price_keys() if (k.unit, k.item.pk if k.item else None) not in have]


@dataclass
class PriceRow:
    key: PriceKey
    amount: Decimal | None
    previous: Decimal | None
    # The form field a page edits the amount with (set by the view).
    field: Any = None

    @property
    def change(self) -> Decimal | None:
        if self.amount is None or self.previous is None:
            return None
        return self.amount - self.previous

    @property
    def change_percent(self) -> Decimal | None:
        if self.change is None or not self.previous:
            return None
        return (self.change * 100 / self.previous).quantize(Decimal("0.1"))


def price_comparison(price_list: PriceList, previous: PriceList | None) -> list[PriceRow]:
    """One row per unit (and engine): this version's amount beside the previous version's. Two
    queries, whatever the number of units."""
    mine = {(p.unit, p.item_id): p for p in Price.objects.filter(price_list=price_list).select_related("item")}
    theirs = {}
    if previous is not None:
        theirs = {(p.unit, p.item_id): p for p in Price.objects.filter(price_list=previous).select_related("item")}
    keys = required_price_keys()
    known = {(k.unit, k.item.pk if k.item else None) for k in keys}
    # Engines retired since keep their rows while either version prices them.
    for pair, price in sorted({**theirs, **mine}.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)):
        if pair not in known:
            keys.append(PriceKey(price.unit, price.item))
            known.add(pair)
    order = {u: i for i, u in enumerate(PriceUnit.values)}
    keys.sort(key=lambda k: (order[k.unit], k.item.sort if k.item else 0, k.item.code if k.item else ""))
    rows = []
    for key in keys:
        pair = (key.unit, key.item.pk if key.item else None)
        rows.append(
            PriceRow(
                key=key,
                amount=mine[pair].amount if pair in mine else None,
                previous=theirs[pair].amount if pair in theirs else None,
            )
        )
    return rows


# --- Quotas ----------------------------------------------------------------------------------------


def quotas_for(*, user, action: str = Action.VIEW) -> QuerySet[Quota]:
    return Quota.objects.restrict(user, action).select_related("organization").order_by("organization__path")


def quota_limits_for(organization) -> list[Quota]:
    """The quotas that bind `organization`: its own and its ancestors' (a unit's use counts against
    its department's quota too, Art. 4)."""
    ancestors = [p for p in organization.path.split("/") if p]
    return list(
        Quota.objects.filter(organization_id__in=ancestors)
        .select_related("organization")
        .order_by("organization__depth")
    )


def _shown(value: Any) -> str:
    number = Decimal(str(value))
    return format(number.normalize(), "f") if number == number.to_integral_value() else str(number.normalize())


def quota_check(*, quota: Quota, usage: Mapping[str, Any], additional: Mapping[str, Any]) -> list[str]:
    """The limits of `quota` that `usage` (what is in use now) plus `additional` (what is asked
    for) would exceed, as readable sentences; empty when within every limit."""
    messages = []
    for dimension in QuotaDimension:
        limit = getattr(quota, dimension.value)
        if limit is None:
            continue
        used = Decimal(str(usage.get(dimension.value) or 0))
        extra = Decimal(str(additional.get(dimension.value) or 0))
        if extra <= 0 or used + extra <= Decimal(str(limit)):
            continue
        messages.append(
            _(
                "%(dimension)s: %(used)s in use and %(extra)s requested make %(total)s, over the quota of "
                "%(limit)s for %(organization)s."
            )
            % {
                "dimension": dimension.label,
                "used": _shown(used),
                "extra": _shown(extra),
                "total": _shown(used + extra),
                "limit": _shown(limit),
                "organization": quota.organization.name,
            }
        )
    return messages
