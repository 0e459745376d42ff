"""Quality indicators measured from operations (Art. 20): availability per resource, per service and
per month, overload alerts and their duration, and repeat faults. Registered into the indicator
registry of `indicators` (imported there). Each reads a constant number of set-based queries and
does the interval arithmetic in Python, because outages are intervals and not rows."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Q
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from govcloud.assessment.indicators import NO_DATA, IndicatorValue, bounds, counted, register
from govcloud.assessment.models import Dimension
from govcloud.core.policy import Policy, policy_value

Interval = tuple[datetime, datetime]
# The longest list of outages kept with an assessment; the figures count all of them.
OUTAGE_ROWS = 500


_PLACEHOLDER = 987654321
_url_patterns: dict[tuple[str, str], str] = {}


def link(text, name: str, pk: int) -> dict:
    """A table cell linking to a record. Reversed once per URL name (thousands of cells)."""
    key = (get_script_prefix(), name)
    pattern = _url_patterns.get(key)
    if pattern is None:
        pattern = _url_patterns[key] = reverse(name, args=[_PLACEHOLDER])
    return {"text": str(text), "url": pattern.replace(str(_PLACEHOLDER), str(pk))}


def _subtract(span: Interval, holes: list[Interval]) -> list[Interval]:
    """`span` minus the (merged, ordered) `holes`: the pieces left, in order."""
    pieces, lo, hi = [], span[0], span[1]
    for h_lo, h_hi in holes:
        if h_hi <= lo or h_lo >= hi:
            continue
        if h_lo > lo:
            pieces.append((lo, h_lo))
        lo = max(lo, h_hi)
        if lo >= hi:
            break
    if lo < hi:
        pieces.append((lo, hi))
    return pieces


def _merge(spans: list[tuple[datetime, datetime, int]]) -> list[tuple[datetime, datetime, set[int]]]:
    """Overlapping incident intervals of one resource merged, keeping the incidents behind each."""
    merged: list[tuple[datetime, datetime, set[int]]] = []
    for lo, hi, incident in sorted(spans):
        if merged and lo <= merged[-1][1]:
            prev = merged[-1]
            merged[-1] = (prev[0], max(prev[1], hi), prev[2] | {incident})
        else:
            merged.append((lo, hi, {incident}))
    return merged


def _minutes(lo: datetime, hi: datetime) -> float:
    return max((hi - lo) / timedelta(minutes=1), 0.0)


def _month_spans(start: datetime, end: datetime) -> list[tuple[str, datetime, datetime]]:
    tz = timezone.get_current_timezone()
    out, month = [], start.astimezone(tz).date().replace(day=1)
    while True:
        lo = datetime.combine(month, datetime.min.time(), tzinfo=tz)
        nxt = (month + timedelta(days=32)).replace(day=1)
        hi = datetime.combine(nxt, datetime.min.time(), tzinfo=tz)
        if lo >= end:
            break
        out.append((f"{month:%Y-%m}", max(lo, start), min(hi, end)))
        month = nxt
    return out


def _split(lo: datetime, hi: datetime, months) -> dict[str, float]:
    """Minutes of [lo, hi) falling in each month."""
    out = {}
    for label, m_lo, m_hi in months:
        minutes = _minutes(max(lo, m_lo), min(hi, m_hi))
        if minutes:
            out[label] = minutes
    return out


@dataclass
class Outage:
    resource_id: int
    start: datetime
    end: datetime
    incidents: set[int]

    @property
    def minutes(self) -> float:
        return _minutes(self.start, self.end)


@dataclass
class AvailabilityFigures:
    service_minutes: float
    down_minutes: float
    outages: list[Outage]
    ignored: int  # outage pieces shorter than the threshold
    # resource id → (code, service name, {month: [service minutes, down minutes]})
    resources: dict[int, tuple[str, str, dict[str, list[float]]]]
    months: list[str]
    # service → resources in service the whole period without maintenance or outage, and the
    # minutes per month each of them served
    plain: dict[str, int]
    whole: dict[str, float]


def availability_figures(period_start: date, period_end: date) -> AvailabilityFigures | None:
    """Availability from incidents: an outage of a resource is the time from an incident's report to
    its recovery (or to now, if it is not recovered), for every resource the incident names; several
    incidents at once make one outage; approved maintenance windows covering the resource are taken
    out of both the outage and the time in service; what is left counts only when it lasts at least
    Policy.AVAILABILITY_OUTAGE_MINUTES in a row. Monitoring feeds this through the incidents its
    alerts open; a gap in the samples is not an outage (the collector, not the resource, may be down).
    Four queries plus the maintenance lookup (at most four), whatever the number of resources."""
    from govcloud.incidents.models import Incident, IncidentState
    from govcloud.ledger.models import Resource
    from govcloud.maintenance.selectors import planned_periods

    start, end = bounds(period_start, period_end)
    end = min(end, timezone.now())
    if end <= start:
        return None
    threshold = float(policy_value(Policy.AVAILABILITY_OUTAGE_MINUTES))
    months = _month_spans(start, end)
    rows = list(
        Resource.objects.filter(in_service_at__isnull=False, in_service_at__lt=end)
        .filter(Q(terminated_at__isnull=True) | Q(terminated_at__gt=start))
        .order_by()
        .values_list("pk", "code", "catalog_item__name", "in_service_at", "terminated_at")
    )
    if not rows:
        return None
    life = {pk: (max(since, start), min(until or end, end)) for pk, _c, _s, since, until in rows}
    maintenance = planned_periods(resource_ids=life, start=start, end=end)
    through = Incident.resources.through
    hits = (
        through.objects.filter(
            resource_id__in=Resource.objects.filter(in_service_at__isnull=False, in_service_at__lt=end).values("pk"),
            incident__reported_at__lt=end,
        )
        .filter(Q(incident__recovered_at__isnull=True) | Q(incident__recovered_at__gt=start))
        .exclude(incident__state=IncidentState.MERGED)
        .values_list("resource_id", "incident_id", "incident__reported_at", "incident__recovered_at")
    )
    spans: dict[int, list[tuple[datetime, datetime, int]]] = defaultdict(list)
    for resource_id, incident_id, reported, recovered in hits:
        if resource_id not in life:
            continue
        lo, hi = life[resource_id]
        lo, hi = max(reported, lo), min(recovered or end, hi)
        if lo < hi:
            spans[resource_id].append((lo, hi, incident_id))
    outages, ignored = [], 0
    for resource_id, items in spans.items():
        for lo, hi, incidents in _merge(items):
            for p_lo, p_hi in _subtract((lo, hi), maintenance.get(resource_id, [])):
                if _minutes(p_lo, p_hi) >= threshold:
                    outages.append(Outage(resource_id, p_lo, p_hi, incidents))
                else:
                    ignored += 1
    resources: dict[int, tuple[str, str, dict[str, list[float]]]] = {}
    # Most resources serve the whole period with neither maintenance nor outage: they are only
    # counted per service (their minutes per month are the period's, computed once).
    whole = _split(start, end, months)
    down_ids = {o.resource_id for o in outages}
    plain: dict[str, int] = defaultdict(int)
    for pk, code, service, _since, _until in rows:
        lo, hi = life[pk]
        service = service or "—"
        if (lo, hi) == (start, end) and pk not in maintenance and pk not in down_ids:
            plain[service] += 1
            continue
        in_service = dict(whole) if (lo, hi) == (start, end) else _split(lo, hi, months)
        for m_lo, m_hi in maintenance.get(pk, []):
            for label, minutes in _split(max(m_lo, lo), min(m_hi, hi), months).items():
                in_service[label] -= minutes
        resources[pk] = (code, service, {label: [m, 0.0] for label, m in in_service.items()})
    for outage in outages:
        per_month = resources[outage.resource_id][2]
        for label, minutes in _split(outage.start, outage.end, months).items():
            per_month.setdefault(label, [0.0, 0.0])[1] += minutes
    service_minutes = sum(m[0] for _c, _s, pm in resources.values() for m in pm.values()) + sum(whole.values()) * sum(
        plain.values()
    )
    down = sum(o.minutes for o in outages)
    outages.sort(key=lambda o: (o.start, o.resource_id))
    return AvailabilityFigures(
        service_minutes, down, outages, ignored, resources, [m[0] for m in months], dict(plain), whole
    )


def _share(service: float, down: float) -> float | None:
    return round(100.0 * (service - down) / service, 4) if service > 0 else None


@register(
    key="availability",
    dimension=Dimension.QUALITY,
    label=_("Availability"),
    formula=_(
        "(Time in service − outage time) ÷ time in service, over every resource in service, with "
        "announced maintenance windows taken out of both. An outage runs from an incident's report "
        "to its recovery on each resource the incident names (monitoring alerts count through the "
        "incidents they open) and counts once it lasts the policy's number of minutes in a row; "
        "the breakdown gives it per service and per resource per month against the policy's target"
    ),
    unit="%",
    higher_is_better=True,
    evidence_model="incidents.Incident",
)
def availability(period_start: date, period_end: date) -> IndicatorValue:
    figures = availability_figures(period_start, period_end)
    if figures is None or figures.service_minutes <= 0:
        return NO_DATA
    target = int(policy_value(Policy.AVAILABILITY_TARGET_BASIS_POINTS)) / 100
    months = figures.months
    services: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(lambda: [0.0, 0.0]))
    for _code, service, per_month in figures.resources.values():
        for label, (up, down) in per_month.items():
            services[service][label][0] += up
            services[service][label][1] += down
    for service, count in figures.plain.items():
        for label, minutes in figures.whole.items():
            services[service][label][0] += count * minutes
    month_cols = [*months]
    service_rows = [
        [name, *[_share(*per_month[m]) if m in per_month else None for m in months]]
        for name, per_month in sorted(services.items())
    ]
    down_ids = {o.resource_id for o in figures.outages}
    resource_rows = []
    for pk in sorted(down_ids, key=lambda k: figures.resources[k][0]):
        code, service, per_month = figures.resources[pk]
        shares = [_share(*per_month[m]) if m in per_month else None for m in months]
        below = any(s is not None and s < target for s in shares)
        resource_rows.append([link(code, "ledger:resource_detail", pk), service, *shares, "✗" if below else "✓"])
    tz = timezone.get_current_timezone()
    outage_rows = [
        [
            link(figures.resources[o.resource_id][0], "ledger:resource_detail", o.resource_id),
            f"{o.start.astimezone(tz):%Y-%m-%d %H:%M}",
            f"{o.end.astimezone(tz):%Y-%m-%d %H:%M}",
            round(o.minutes, 1),
            *[link(f"#{pk}", "incidents:incident_detail", pk) for pk in sorted(o.incidents)],
        ]
        for o in figures.outages[:OUTAGE_ROWS]
    ]
    incidents = sorted({pk for o in figures.outages for pk in o.incidents})
    value = _share(figures.service_minutes, figures.down_minutes)
    return IndicatorValue(
        value=round(value, 3) if value is not None else None,
        numerator=round((figures.service_minutes - figures.down_minutes) / 60, 2),
        denominator=round(figures.service_minutes / 60, 2),
        evidence=incidents,
        flagged=incidents,
        breakdown={
            "target": target,
            "threshold_minutes": int(policy_value(Policy.AVAILABILITY_OUTAGE_MINUTES)),
            "ignored_short": figures.ignored,
            "tables": [
                {
                    "title": gettext_noop("Availability per service and month (%)"),
                    "columns": [gettext_noop("service"), *month_cols],
                    "rows": service_rows,
                },
                {
                    "title": gettext_noop("Resources with outages, availability per month (%)"),
                    "columns": [
                        gettext_noop("resource"),
                        gettext_noop("service"),
                        *month_cols,
                        gettext_noop("target met"),
                    ],
                    "rows": resource_rows,
                },
                {
                    "title": gettext_noop("Outages"),
                    "columns": [
                        gettext_noop("resource"),
                        gettext_noop("from"),
                        gettext_noop("to"),
                        gettext_noop("minutes"),
                        gettext_noop("incidents"),
                    ],
                    "rows": outage_rows,
                },
            ],
        },
    )


# --- Performance: overload alerts ---------------------------------------------------------------


def _overload_alerts(period_start: date, period_end: date) -> list[tuple] | None:
    """Unplanned overload alerts open at some time in the period, with the hours of the period they
    were open. None when monitoring measured nothing in the period (no rollups): no data, not zero."""
    from govcloud.monitoring.models import Alert, AlertKind, Rollup

    start, end = bounds(period_start, period_end)
    end = min(end, timezone.now())
    if not Rollup.objects.filter(start__gte=start - timedelta(days=1), start__lt=end).exists():
        return None
    rows = (
        Alert.objects.filter(kind=AlertKind.OVERLOADED, planned=False, opened_at__lt=end)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gt=start))
        .order_by("opened_at")
        .values_list("pk", "resource_id", "resource__code", "opened_at", "closed_at")
    )
    return [
        (pk, rid, code, opened, closed, round(_minutes(max(opened, start), min(closed or end, end)) / 60, 2))
        for pk, rid, code, opened, closed in rows
    ]


def _overload_value(period_start: date, period_end: date, *, hours: bool) -> IndicatorValue:
    rows = _overload_alerts(period_start, period_end)
    if rows is None:
        return NO_DATA
    tz = timezone.get_current_timezone()
    total = round(sum(r[5] for r in rows), 2)
    table = {
        "title": gettext_noop("Overload alerts"),
        "columns": [
            gettext_noop("alert"),
            gettext_noop("resource"),
            gettext_noop("from"),
            gettext_noop("to"),
            gettext_noop("hours in the period"),
        ],
        "rows": [
            [
                link(f"#{pk}", "monitoring:alert_detail", pk),
                link(code, "ledger:resource_detail", rid),
                f"{opened.astimezone(tz):%Y-%m-%d %H:%M}",
                f"{closed.astimezone(tz):%Y-%m-%d %H:%M}" if closed else "…",
                h,
            ]
            for pk, rid, code, opened, closed, h in rows[:OUTAGE_ROWS]
        ],
    }
    ids = [r[0] for r in rows]
    return IndicatorValue(
        value=total if hours else float(len(ids)),
        numerator=total if hours else len(ids),
        evidence=ids,
        flagged=ids,
        breakdown={"tables": [table]},
    )


@register(
    key="overload_alerts",
    dimension=Dimension.QUALITY,
    label=_("Overload alerts"),
    formula=_(
        "Unplanned overload alerts (the monitoring rule 'overloaded') open at some time in the period; "
        "no data when monitoring measured nothing in the period"
    ),
    unit=_("alerts"),
    higher_is_better=False,
    evidence_model="monitoring.Alert",
)
def overload_alerts(period_start: date, period_end: date) -> IndicatorValue:
    return _overload_value(period_start, period_end, hours=False)


@register(
    key="overload_hours",
    dimension=Dimension.QUALITY,
    label=_("Overload duration"),
    formula=_(
        "Sum of the hours within the period that unplanned overload alerts stayed open (an alert "
        "still open counts up to now)"
    ),
    unit=_("hours"),
    higher_is_better=False,
    evidence_model="monitoring.Alert",
)
def overload_hours(period_start: date, period_end: date) -> IndicatorValue:
    return _overload_value(period_start, period_end, hours=True)


# --- Stability: repeat faults --------------------------------------------------------------------


@register(
    key="repeat_faults",
    dimension=Dimension.QUALITY,
    label=_("Repeat faults"),
    formula=_(
        "Incidents reported in the period that are at least the policy's count-th incident on the same "
        "resource or the same information system within the policy's number of days (that incident "
        "and the ones before it in the window)"
    ),
    unit=_("incidents"),
    higher_is_better=False,
    evidence_model="incidents.Incident",
)
def repeat_faults(period_start: date, period_end: date) -> IndicatorValue:
    from govcloud.incidents.models import Incident, IncidentState

    count = int(policy_value(Policy.REPEAT_FAULT_COUNT))
    window = timedelta(days=int(policy_value(Policy.REPEAT_FAULT_DAYS)))
    start, end = bounds(period_start, period_end)
    base = Incident.objects.filter(reported_at__gte=start - window, reported_at__lt=end).exclude(
        state=IncidentState.MERGED
    )
    reported = dict(base.order_by().values_list("pk", "reported_at"))
    keys: dict[tuple[str, int], list[int]] = defaultdict(list)
    for pk, system_id in base.filter(system__isnull=False).order_by().values_list("pk", "system_id"):
        keys[("system", system_id)].append(pk)
    through = Incident.resources.through
    for pk, resource_id in through.objects.filter(incident__in=base.values("pk")).values_list(
        "incident_id", "resource_id"
    ):
        keys[("resource", resource_id)].append(pk)
    repeats: set[int] = set()
    for ids in keys.values():
        ids.sort(key=lambda pk: (reported[pk], pk))
        for n in range(count - 1, len(ids)):
            last = ids[n]
            if reported[last] >= start and reported[last] - reported[ids[n - count + 1]] <= window:
                repeats.add(last)
    in_period = [pk for pk, at in reported.items() if at >= start]
    return counted(sorted(repeats), denominator=len(in_period))
