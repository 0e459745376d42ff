"""Metering and rating (Art. 7 dynamic billing), set-based.

Metering derives each resource's usage intervals from the ledger's history: spans with a constant
spec while the resource is in service (开通 onwards; a resource that is changing is still billed at
its old spec; the test period is not billed), split at every change and at every price-list
version boundary, ending at termination.

Rating, precisely so that anyone can check a bill by hand:

    amount = quantity × monthly unit price × (seconds in the interval within the month
                                              ÷ seconds in that calendar month)

computed exactly (integers, no binary floating point) and rounded half up to 0.01 CNY per line.
A line is a run of one resource and one unit at a constant quantity and price: a change of the
vCPU count starts a new vCPU line, not a new memory line. Time is metered to the whole second.

Two implementations of the same rules, kept equal by a property test (tests/test_sql_rating.py):
- `meter()` here, plain Python over the history (4 queries per call, whatever the resources and
  their catalog items): the readable statement of the rules, used for one department's live
  month-to-date cost and forecast;
- `billing.rating_sql`, the same rules as one INSERT … SELECT over the whole city, used to draft
  the month's statements (a city's month in seconds, not minutes).
Both take the mapping from a spec to its units from `catalog.specs.metered_units` and prices from
the published price lists.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.db.models import Q

from govcloud.catalog.models import CatalogItem, DiskType, Price, PriceList, PriceUnit
from govcloud.catalog.specs import metered_units
from govcloud.ledger.models import Resource, ResourceHistory, ResourceState
from govcloud.organizations.models import Organization

SHANGHAI = ZoneInfo("Asia/Shanghai")
# States in which a resource is billed: in service, and changing (at its spec until the change).
BILLED_STATES = frozenset({ResourceState.IN_SERVICE, ResourceState.CHANGING})


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(period: date) -> date:
    return (period.replace(day=28) + timedelta(days=4)).replace(day=1)


def previous_month(period: date) -> date:
    return (period.replace(day=1) - timedelta(days=1)).replace(day=1)


def local_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)


def month_bounds(period: date) -> tuple[datetime, datetime]:
    """The month's first and the next month's first moment, Asia/Shanghai."""
    return local_midnight(month_start(period)), local_midnight(next_month(month_start(period)))


def period_of(moment: datetime) -> date:
    return month_start(moment.astimezone(SHANGHAI).date())


@dataclass(frozen=True)
class Segment:
    """A span of one resource with a constant spec while billed."""

    starts_at: datetime
    ends_at: datetime
    spec: dict


@dataclass
class Line:
    resource_id: int
    organization_id: int
    system_id: int | None
    resource_kind: str
    unit: str
    unit_detail: str
    quantity: Decimal
    unit_price: Decimal
    starts_at: datetime
    ends_at: datetime
    seconds: int
    amount: Decimal


# Quantities and unit prices are kept to 4 decimal places (the statement line's columns).
QUANTUM = Decimal("0.0001")


def rate(quantity: Decimal, unit_price: Decimal, seconds: int, month_seconds: int) -> Decimal:
    """One line's amount: quantity × price × seconds ÷ month, rounded half up to the cent once, at
    the end. Exact rational arithmetic, so no intermediate rounding can move a cent."""
    # The exact amount in cents is numerator / denominator; floor(x + 1/2) = (2n + d) // 2d for d > 0.
    # Plain integers rather than Fraction: a department's live month-to-date rates thousands of
    # lines per page, and Fraction's normalising (a gcd per operation) was half of it (issue 19).
    q_numerator, q_denominator = quantity.as_integer_ratio()
    p_numerator, p_denominator = unit_price.as_integer_ratio()
    numerator = q_numerator * p_numerator * seconds * 100
    denominator = q_denominator * p_denominator * month_seconds
    cents = (2 * numerator + denominator) // (2 * denominator)
    return Decimal(cents).scaleb(-2)


def whole_second(moment: datetime) -> datetime:
    """Usage is metered to the second: a moment counts from the start of its second."""
    return moment.replace(microsecond=0)


def segments(history: Iterable[tuple[datetime, str, dict]], until: datetime) -> list[Segment]:
    """Billed spans from a resource's history entries (time, state after, spec after), oldest
    first; an open span ends at `until`. Consecutive spans with the same spec are merged (a change
    started, a correction of the name: nothing billed changes)."""
    spans: list[Segment] = []
    current: tuple[datetime, dict] | None = None
    for at, state, spec in history:
        if at >= until:
            break
        billed = state in BILLED_STATES
        if current is not None and (not billed or spec != current[1]):
            if at > current[0]:
                spans.append(Segment(current[0], at, current[1]))
            current = None
        if billed and current is None:
            current = (at, spec)
    if current is not None and until > current[0]:
        spans.append(Segment(current[0], until, current[1]))
    return spans


def split(segment: Segment, boundaries: list[datetime]) -> list[Segment]:
    """The segment cut at each boundary strictly inside it."""
    pieces, start = [], segment.starts_at
    for boundary in boundaries:
        if start < boundary < segment.ends_at:
            pieces.append(Segment(start, boundary, segment.spec))
            start = boundary
    pieces.append(Segment(start, segment.ends_at, segment.spec))
    return pieces


@dataclass
class PriceBook:
    """Every published price-list version: [(from, prices)], oldest first."""

    versions: list[tuple[datetime, dict[tuple[str, int | None], Decimal]]]

    @classmethod
    def load(cls) -> PriceBook:
        lists = list(
            PriceList.objects.filter(published_at__isnull=False)
            .order_by("effective_from")
            .values_list("pk", "effective_from")
        )
        prices: dict[int, dict] = defaultdict(dict)
        for list_id, unit, item_id, amount in Price.objects.filter(
            price_list_id__in=[pk for pk, _ in lists]
        ).values_list("price_list_id", "unit", "item_id", "amount"):
            prices[list_id][(unit, item_id)] = amount
        return cls([(local_midnight(day), prices[pk]) for pk, day in lists])

    def boundaries(self) -> list[datetime]:
        return [start for start, _ in self.versions]

    def at(self, moment: datetime) -> dict[tuple[str, int | None], Decimal]:
        found: dict = {}
        for start, prices in self.versions:
            if start <= moment:
                found = prices
            else:
                break
        return found


def unit_detail_of(unit: str, item) -> str:
    if unit == PriceUnit.DISK_SSD_GB_MONTH:
        return DiskType.SSD
    if unit == PriceUnit.DISK_SATA_GB_MONTH:
        return DiskType.SATA
    if unit == PriceUnit.DATABASE_INSTANCE_MONTH:
        return item.engine or item.code
    if unit == PriceUnit.SECURITY_SERVICE_MONTH:
        return item.name or item.code
    return ""


def resources_in(start: datetime, end: datetime, org_paths: Iterable[str] | None = None):
    """Resources in service at some moment of [start, end), optionally within organization subtrees."""
    queryset = Resource.objects.filter(in_service_at__isnull=False, in_service_at__lt=end).filter(
        Q(terminated_at__isnull=True) | Q(terminated_at__gt=start)
    )
    if org_paths is not None:
        condition = Q(pk__in=[])
        for path in org_paths:
            condition |= Q(path__startswith=path)
        # The departments first, then their resources through the organization index: joined, SQLite
        # walked every resource ever in service to find one department's (9 ms of its statements page
        # at 30,000 resources, issue 19).
        queryset = queryset.filter(organization__in=Organization.objects.filter(condition).values("pk"))
    return queryset


# What metering reads of a resource's catalog item: its kind and id (the units, metered_units), the
# engine, code and name (the line's detail, unit_detail_of).
ITEM_FIELDS = ("id", "kind", "engine", "code", "name")


class _Metered(NamedTuple):
    """What metering reads of a resource."""

    organization_id: int
    system_id: int | None
    kind: str
    in_service_at: datetime
    catalog_item: CatalogItem


def meter(
    period: date,
    *,
    org_paths: Iterable[str] | None = None,
    as_of: datetime | None = None,
    until: datetime | None = None,
    book: PriceBook | None = None,
) -> list[Line]:
    """The rated lines of `period` for every resource (or those under `org_paths`). History after
    `as_of` is ignored (the month so far); spans still open end at `until` (default: month end).
    Four queries, whatever the number of resources."""
    start, end = month_bounds(period)
    return meter_until(period, org_paths=org_paths, as_of=as_of, untils=[until or end], book=book)[0]


def meter_until(
    period: date,
    *,
    org_paths: Iterable[str] | None = None,
    as_of: datetime | None = None,
    untils: list[datetime],
    book: PriceBook | None = None,
) -> list[list[Line]]:
    """`meter()` for several ends of the open spans at once (the month so far and the forecast to
    month end): the resources and their history are read once, for the latest end, and each end
    keeps what `meter()` alone would have kept — resources in service before it, history before it."""
    start, end = month_bounds(period)
    month_seconds = int((end - start).total_seconds())
    cutoffs = [whole_second(min(until, end)) for until in untils]
    book = book or PriceBook.load()
    boundaries = [b for b in book.boundaries() if start < b < end]
    paths = list(org_paths) if org_paths is not None else None
    chosen = resources_in(start, max(cutoffs), paths)
    # Plain rows, and one catalog item object per item rather than a model pair per resource: a
    # department's live month-to-date built 1,200 model instances for its 600 resources (most of
    # its statements page, issue 19). The item carries every field a line reads (its name names a
    # security service; left deferred, it cost a query per such resource).
    items: dict[int, CatalogItem] = {}
    resources: dict[int, _Metered] = {}
    for pk, organization_id, system_id, kind, in_service_at, *item in chosen.order_by().values_list(
        "pk", "organization_id", "system_id", "kind", "in_service_at", *(f"catalog_item__{f}" for f in ITEM_FIELDS)
    ):
        catalog_item = items.get(item[0])
        if catalog_item is None:
            catalog_item = items[item[0]] = CatalogItem(**dict(zip(ITEM_FIELDS, item, strict=True)))
        resources[pk] = _Metered(organization_id, system_id, kind, in_service_at, catalog_item)
    if not resources:
        return [[] for _ in cutoffs]
    history = ResourceHistory.objects.filter(resource__in=chosen.values("pk"), at__lt=max(cutoffs))
    if as_of is not None:
        history = history.filter(at__lte=as_of)
    entries: dict[int, list] = defaultdict(list)
    for resource_id, at, state, spec in history.order_by("resource_id", "at", "pk").values_list(
        "resource_id", "at", "state_after", "spec_after"
    ):
        entries[resource_id].append((whole_second(at), at, state, spec))
    return [
        _rate(resources, entries, until, start=start, month_seconds=month_seconds, boundaries=boundaries, book=book)
        for until in cutoffs
    ]


def _rate(resources, entries, until, *, start, month_seconds, boundaries, book) -> list[Line]:
    lines: list[Line] = []
    for resource_id, all_rows in entries.items():
        resource = resources[resource_id]
        if not resource.in_service_at < until:  # resources_in(start, until, …) would not have it
            continue
        rows = [(second, state, spec) for second, at, state, spec in all_rows if at < until]
        if not rows:
            continue
        item = resource.catalog_item
        # Per unit, runs of [from, until, quantity, price]: a piece continuing the last run at the
        # same quantity and price extends it.
        runs: dict[tuple, list[list]] = defaultdict(list)
        for segment in segments(rows, until):
            if segment.ends_at <= start:
                continue
            clipped = Segment(max(segment.starts_at, start), segment.ends_at, segment.spec)
            units = metered_units(item, clipped.spec)
            for piece in split(clipped, boundaries):
                if piece.ends_at <= piece.starts_at:
                    continue
                prices = book.at(piece.starts_at)
                for key, quantity in units.items():
                    quantity = quantity.quantize(QUANTUM)
                    unit_price = prices.get(key, Decimal(0))
                    run = runs[key]
                    last = run[-1] if run else None
                    if last and last[1] == piece.starts_at and last[2] == quantity and last[3] == unit_price:
                        last[1] = piece.ends_at
                    else:
                        run.append([piece.starts_at, piece.ends_at, quantity, unit_price])
        for (unit, _item_id), run in runs.items():
            for starts_at, ends_at, quantity, unit_price in run:
                seconds = int((ends_at - starts_at).total_seconds())
                lines.append(
                    Line(
                        resource_id=resource_id,
                        organization_id=resource.organization_id,
                        system_id=resource.system_id,
                        resource_kind=resource.kind,
                        unit=unit,
                        unit_detail=unit_detail_of(unit, item),
                        quantity=quantity,
                        unit_price=unit_price,
                        starts_at=starts_at,
                        ends_at=ends_at,
                        seconds=seconds,
                        amount=rate(quantity, unit_price, seconds, month_seconds),
                    )
                )
    return lines
