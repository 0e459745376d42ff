"""The indicators of the provider's assessment (Art. 5, 20), as a registry in code. Each one knows its
dimension, its label, the formula shown on the page, its unit, whether a higher value is better, and
how to compute it for a period from the records GovCloud already holds: a constant number of
set-based queries, whatever the volume. An indicator with nothing to measure returns value=None
("no data yet"), never zero; indicators whose source is not built yet (utilization monitoring)
return None until their compute function is filled in."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Avg, Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from govcloud.assessment.models import DeliveryRating, Dimension
from govcloud.workdays.selectors import work_calendar


@dataclass(frozen=True)
class IndicatorValue:
    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    # Every record behind the figure, and those counted against the provider (model label + ids).
    evidence: list[int] = field(default_factory=list)
    flagged: list[int] = field(default_factory=list)
    response_rate: float | None = None
    # Tables behind the figure (per resource, per service, per month, per severity; the outages):
    # {"tables": [{"title": msgid, "columns": [msgid, ...], "rows": [[cell, ...], ...]}]} where a
    # cell is text/number or {"text": ..., "url": ...}. Titles are English msgids translated on display.
    breakdown: dict = field(default_factory=dict)

    @property
    def has_data(self) -> bool:
        return self.value is not None


NO_DATA = IndicatorValue(value=None)


@dataclass(frozen=True)
class Indicator:
    key: str
    dimension: str
    label: object
    formula: object
    unit: object
    higher_is_better: bool
    compute: Callable[[date, date], IndicatorValue]
    # The model the evidence ids belong to ("app_label.Model"), or "" when there is none.
    evidence_model: str = ""


REGISTRY: dict[str, Indicator] = {}


def register(**kwargs) -> Callable:
    def wrap(fn: Callable[[date, date], IndicatorValue]) -> Callable:
        REGISTRY[kwargs["key"]] = Indicator(compute=fn, **kwargs)
        return fn

    return wrap


def bounds(period_start: date, period_end: date) -> tuple[datetime, datetime]:
    """The period as aware datetimes [start, end): both days included, in local time."""
    tz = timezone.get_current_timezone()
    start = datetime.combine(period_start, time.min, tzinfo=tz)
    end = datetime.combine(period_end + timedelta(days=1), time.min, tzinfo=tz)
    return start, end


def percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 2) if whole else None


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (0–100) by linear interpolation between closest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return round(ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo), 2)


def within_limit(rows: list[tuple[int, bool]], **extra) -> IndicatorValue:
    """The share of records that met their limit: `rows` = [(pk, met), ...]; the ones that did not
    are the flagged evidence. No rows: no data."""
    late = [pk for pk, met in rows if not met]
    return IndicatorValue(
        value=percent(len(rows) - len(late), len(rows)),
        numerator=len(rows) - len(late),
        denominator=len(rows),
        evidence=[pk for pk, _met in rows],
        flagged=late,
        **extra,
    )


def counted(flagged: list[int], *, evidence: list[int] | None = None, **extra) -> IndicatorValue:
    """A count of records counted against the provider: the figure is how many are `flagged`; the
    evidence is every record looked at (the flagged ones themselves unless given)."""
    return IndicatorValue(
        value=float(len(flagged)),
        numerator=len(flagged),
        evidence=flagged if evidence is None else evidence,
        flagged=flagged,
        **extra,
    )


def rated_average(figures: dict, *, asked: str, rated: list[tuple[int, float]], **extra) -> IndicatorValue:
    """The average of the departments' ratings (1–5): `figures` holds the aggregates "average",
    "rated" and, under the key `asked`, how many could have been rated; `rated` = [(pk, rating), ...].
    Ratings of 2 or less are flagged; the response rate is rated ÷ asked."""
    average = figures["average"]
    return IndicatorValue(
        value=round(average, 2) if average is not None else None,
        numerator=figures["rated"],
        denominator=figures[asked],
        evidence=[pk for pk, _r in rated],
        flagged=[pk for pk, r in rated if r <= 2],
        response_rate=percent(figures["rated"], figures[asked]),
        **extra,
    )


# --- Responsiveness --------------------------------------------------------------------------------


def _delivered_orders(period_start: date, period_end: date):
    from govcloud.delivery.models import WorkOrder, WorkOrderState

    start, end = bounds(period_start, period_end)
    return WorkOrder.objects.filter(
        state=WorkOrderState.COMPLETED, completed_at__gte=start, completed_at__lt=end
    ).order_by()


@register(
    key="delivery_on_time",
    dimension=Dimension.RESPONSIVENESS,
    label=_("Work orders delivered within their limit"),
    formula=_("Work orders completed in the period by their due time ÷ work orders completed in the period"),
    unit="%",
    higher_is_better=True,
    evidence_model="delivery.WorkOrder",
)
def delivery_on_time(period_start: date, period_end: date) -> IndicatorValue:
    rows = _delivered_orders(period_start, period_end).values_list("pk", "completed_at", "due_at")
    return within_limit([(pk, done <= due) for pk, done, due in rows])


def _delivery_days(period_start: date, period_end: date) -> tuple[list[int], list[float]]:
    """The working days each order completed in the period took, from its creation (the
    approval) to its completion; a part day counts as the part of a working day it is."""
    rows = list(_delivered_orders(period_start, period_end).values_list("pk", "created_at", "completed_at"))
    calendar = work_calendar()
    tz = timezone.get_current_timezone()
    days = []
    for _pk, created, done in rows:
        a, b = created.astimezone(tz), done.astimezone(tz)
        whole = calendar.working_days_between(a.date(), b.date())
        # Same-day deliveries and the hours of the last day: elapsed time as a fraction of a day.
        fraction = (
            (b - datetime.combine(b.date(), time.min, tzinfo=tz))
            - (a - datetime.combine(a.date(), time.min, tzinfo=tz))
        ) / timedelta(days=1)
        days.append(round(max(whole + fraction, 0.0), 2))
    return [pk for pk, _c, _d in rows], days


@register(
    key="delivery_days_median",
    dimension=Dimension.RESPONSIVENESS,
    label=_("Median delivery time"),
    formula=_(
        "Median of the working days from a work order's creation to its completion, over orders completed in the period"
    ),
    unit=_("working days"),
    higher_is_better=False,
    evidence_model="delivery.WorkOrder",
)
def delivery_days_median(period_start: date, period_end: date) -> IndicatorValue:
    ids, days = _delivery_days(period_start, period_end)
    return IndicatorValue(value=percentile(days, 50), denominator=len(days), evidence=ids)


@register(
    key="delivery_days_p90",
    dimension=Dimension.RESPONSIVENESS,
    label=_("90th percentile delivery time"),
    formula=_(
        "90th percentile of the working days from a work order's creation to "
        "its completion, over orders completed in the period"
    ),
    unit=_("working days"),
    higher_is_better=False,
    evidence_model="delivery.WorkOrder",
)
def delivery_days_p90(period_start: date, period_end: date) -> IndicatorValue:
    ids, days = _delivery_days(period_start, period_end)
    return IndicatorValue(value=percentile(days, 90), denominator=len(days), evidence=ids)


def _incidents(period_start: date, period_end: date):
    from govcloud.incidents.models import Incident, IncidentState

    start, end = bounds(period_start, period_end)
    return (
        Incident.objects.filter(reported_at__gte=start, reported_at__lt=end)
        .exclude(state=IncidentState.MERGED)
        .order_by()
    )


@register(
    key="incident_response_on_time",
    dimension=Dimension.RESPONSIVENESS,
    label=_("Incidents answered within the limit"),
    formula=_(
        "Incidents reported in the period answered by their response deadline ÷ incidents "
        "reported in the period (unanswered ones past their deadline count as late)"
    ),
    unit="%",
    higher_is_better=True,
    evidence_model="incidents.Incident",
)
def incident_response_on_time(period_start: date, period_end: date) -> IndicatorValue:
    now = timezone.now()
    # Answered ones, and unanswered ones whose deadline has passed; those still within it are not judged yet.
    rows = (
        _incidents(period_start, period_end)
        .filter(Q(responded_at__isnull=False) | Q(response_due_at__lte=now))
        .values_list("pk", "responded_at", "response_due_at")
    )
    return within_limit([(pk, answered is not None and answered <= due) for pk, answered, due in rows])


@register(
    key="incident_response_median",
    dimension=Dimension.RESPONSIVENESS,
    label=_("Median response time"),
    formula=_(
        "Median of the minutes from an incident's report to its answer, "
        "over incidents reported in the period and answered"
    ),
    unit=_("minutes"),
    higher_is_better=False,
    evidence_model="incidents.Incident",
)
def incident_response_median(period_start: date, period_end: date) -> IndicatorValue:
    rows = list(
        _incidents(period_start, period_end)
        .filter(responded_at__isnull=False)
        .values_list("pk", "reported_at", "responded_at")
    )
    minutes = [round((answered - reported) / timedelta(minutes=1), 2) for _pk, reported, answered in rows]
    return IndicatorValue(value=percentile(minutes, 50), denominator=len(rows), evidence=[r[0] for r in rows])


@register(
    key="incident_recovery_on_time",
    dimension=Dimension.RESPONSIVENESS,
    label=_("Recovery-target compliance"),
    formula=_(
        "Incidents reported in the period recovered by their severity's recovery target ÷ "
        "incidents reported in the period that are recovered or past their target"
    ),
    unit="%",
    higher_is_better=True,
    evidence_model="incidents.Incident",
)
def incident_recovery_on_time(period_start: date, period_end: date) -> IndicatorValue:
    now = timezone.now()
    rows = list(
        _incidents(period_start, period_end)
        .filter(Q(recovered_at__isnull=False) | Q(recovery_due_at__lte=now))
        .values_list(
            "pk", "recovered_at", "recovery_due_at", "severity__rank", "severity__name", "severity__recovery_hours"
        )
    )
    # The same share per severity, each against its own recovery target (the center's policy).
    severities: dict[tuple[int, str, int], list[bool]] = {}
    for _pk, recovered, due, rank, name, hours in rows:
        severities.setdefault((rank, name, hours), []).append(recovered is not None and recovered <= due)
    table = {
        "title": gettext_noop("Recovery-target compliance per severity"),
        "columns": [
            gettext_noop("severity"),
            gettext_noop("recovery target (hours)"),
            gettext_noop("incidents"),
            gettext_noop("recovered on time"),
            "%",
        ],
        "rows": [
            [name, hours, len(met), sum(met), percent(sum(met), len(met))]
            for (_rank, name, hours), met in sorted(severities.items(), reverse=True)
        ],
    }
    return within_limit(
        [(pk, recovered is not None and recovered <= due) for pk, recovered, due, *_sev in rows],
        breakdown={"tables": [table]},
    )


# --- Satisfaction ----------------------------------------------------------------------------------


@register(
    key="incident_satisfaction",
    dimension=Dimension.SATISFACTION,
    label=_("Incident satisfaction"),
    formula=_(
        "Average of the departments' ratings (1–5) of incidents closed in the period; response rate = rated ÷ closed"
    ),
    unit=_("points (1–5)"),
    higher_is_better=True,
    evidence_model="incidents.Incident",
)
def incident_satisfaction(period_start: date, period_end: date) -> IndicatorValue:
    from govcloud.incidents.models import Incident, IncidentState

    start, end = bounds(period_start, period_end)
    closed = Incident.objects.filter(state=IncidentState.CLOSED, closed_at__gte=start, closed_at__lt=end).order_by()
    figures = closed.aggregate(closed=Count("pk"), rated=Count("rating"), average=Avg("rating"))
    rated = list(closed.filter(rating__isnull=False).values_list("pk", "rating"))
    return rated_average(figures, asked="closed", rated=rated)


@register(
    key="delivery_satisfaction",
    dimension=Dimension.SATISFACTION,
    label=_("Delivery satisfaction"),
    formula=_(
        "Average of the departments' ratings (1–5) of deliveries put into service "
        "in the period; response rate = rated ÷ put into service"
    ),
    unit=_("points (1–5)"),
    higher_is_better=True,
    evidence_model="applications.Application",
)
def delivery_satisfaction(period_start: date, period_end: date) -> IndicatorValue:
    from govcloud.applications.models import Application

    start, end = bounds(period_start, period_end)
    accepted = Application.objects.filter(in_service_at__gte=start, in_service_at__lt=end).order_by()
    figures = accepted.aggregate(
        accepted=Count("pk"), rated=Count("delivery_rating"), average=Avg("delivery_rating__rating")
    )
    rated = list(DeliveryRating.objects.filter(application__in=accepted).values_list("application_id", "rating"))
    return rated_average(figures, asked="accepted", rated=rated)


# --- Quality ---------------------------------------------------------------------------------------


@register(
    key="incidents_per_100",
    dimension=Dimension.QUALITY,
    label=_("Incidents per 100 resources"),
    formula=_("Incidents reported in the period × 100 ÷ resources in service"),
    unit=_("incidents"),
    higher_is_better=False,
    evidence_model="incidents.Incident",
)
def incidents_per_100(period_start: date, period_end: date) -> IndicatorValue:
    from govcloud.ledger.models import Resource, ResourceState

    ids = list(_incidents(period_start, period_end).values_list("pk", flat=True))
    resources = Resource.objects.filter(state=ResourceState.IN_SERVICE).count()
    value = round(100.0 * len(ids) / resources, 2) if resources else None
    return IndicatorValue(value=value, numerator=len(ids), denominator=resources, evidence=ids, flagged=ids)


@register(
    key="major_incidents",
    dimension=Dimension.QUALITY,
    label=_("Major incidents"),
    formula=_("Incidents of a major severity reported in the period"),
    unit=_("incidents"),
    higher_is_better=False,
    evidence_model="incidents.Incident",
)
def major_incidents(period_start: date, period_end: date) -> IndicatorValue:
    ids = list(_incidents(period_start, period_end).filter(severity__is_major=True).values_list("pk", flat=True))
    # Zero major incidents is a measured zero: the service desk exists for the whole period.
    return counted(ids)


def _months(period_start: date, period_end: date) -> list[date]:
    months, month = [], period_start.replace(day=1)
    while month <= period_end:
        if month >= period_start:
            months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


@register(
    key="bulletins_on_time",
    dimension=Dimension.QUALITY,
    label=_("Monthly security bulletins on time"),
    formula=_(
        "Months of the period whose security bulletin was published by its due "
        "working day ÷ months of the period whose bulletin is due"
    ),
    unit="%",
    higher_is_better=True,
    evidence_model="security.SecurityBulletin",
)
def bulletins_on_time(period_start: date, period_end: date) -> IndicatorValue:
    from govcloud.security.models import BulletinStatus, SecurityBulletin
    from govcloud.security.selectors.calendar import bulletin_due

    today = timezone.localdate()
    months = _months(period_start, period_end)
    published = {
        period: (pk, at)
        for pk, period, at in SecurityBulletin.objects.filter(
            period__in=months, status=BulletinStatus.PUBLISHED
        ).values_list("pk", "period", "published_at")
    }
    due, on_time, evidence, late = 0, 0, [], []
    for month in months:
        due_on = bulletin_due(month).due_on
        pk, at = published.get(month, (None, None))
        if at is None and due_on >= today:
            continue  # not due yet and not published: not judged
        due += 1
        if pk:
            evidence.append(pk)
        if at is not None and timezone.localtime(at).date() <= due_on:
            on_time += 1
        elif pk:
            late.append(pk)
    return IndicatorValue(
        value=percent(on_time, due), numerator=on_time, denominator=due, evidence=evidence, flagged=late
    )


@register(
    key="drill_done",
    dimension=Dimension.QUALITY,
    label=_("Yearly emergency drill held"),
    formula=_(
        "100 if at least one center-wide emergency drill was held in the twelve months up to the period's end, else 0"
    ),
    unit="%",
    higher_is_better=True,
    evidence_model="security.EmergencyDrill",
)
def drill_done(period_start: date, period_end: date) -> IndicatorValue:
    from govcloud.security.models import EmergencyDrill
    from govcloud.security.models.emergency import PlanScope

    since = period_end - timedelta(days=365)
    ids = list(
        EmergencyDrill.objects.filter(
            held_on__gt=since, held_on__lte=period_end, plan_version__plan__scope=PlanScope.CENTER_WIDE
        ).values_list("pk", flat=True)
    )
    return IndicatorValue(value=100.0 if ids else 0.0, numerator=len(ids), denominator=1, evidence=ids)


@register(
    key="rectifications_on_time",
    dimension=Dimension.QUALITY,
    label=_("Rectification items closed on time"),
    formula=_(
        "Rectification items due in the period whose report was submitted by the deadline and "
        "accepted ÷ rectification items due in the period (cancelled ones left out)"
    ),
    unit="%",
    higher_is_better=True,
    evidence_model="security.NoticeRectification",
)
def rectifications_on_time(period_start: date, period_end: date) -> IndicatorValue:
    from govcloud.security.models import NoticeRectification, RectificationStatus

    start, end = bounds(period_start, period_end)
    items = (
        NoticeRectification.objects.filter(notice__due_at__gte=start, notice__due_at__lt=min(end, timezone.now()))
        .exclude(status=RectificationStatus.CANCELLED)
        .order_by()
    )
    return within_limit(
        [
            (pk, status == RectificationStatus.ACCEPTED and submitted is not None and submitted <= due)
            for pk, status, submitted, due in items.values_list("pk", "status", "submitted_at", "notice__due_at")
        ]
    )


@register(
    key="sessions_without_grant",
    dimension=Dimension.QUALITY,
    label=_("Access sessions without a valid grant"),
    formula=_("Provider access sessions started in the period that no valid access grant covered (flagged sessions)"),
    unit=_("sessions"),
    higher_is_better=False,
    evidence_model="security.AccessSession",
)
def sessions_without_grant(period_start: date, period_end: date) -> IndicatorValue:
    from govcloud.security.models import AccessSession

    start, end = bounds(period_start, period_end)
    rows = list(
        AccessSession.objects.filter(started_at__gte=start, started_at__lt=end).order_by().values_list("pk", "flagged")
    )
    return counted([pk for pk, f in rows if f], evidence=[pk for pk, _f in rows], denominator=len(rows))


# The quality indicators from monitoring, maintenance and repeat faults live in their own module;
# importing it registers them (after the ones above, in the order the scheme page lists them).
from govcloud.assessment import quality as _quality  # noqa: E402, F401
from govcloud.assessment import surveys as _surveys  # noqa: E402, F401


def compute_all(period_start: date, period_end: date, keys=None) -> dict[str, IndicatorValue]:
    return {key: REGISTRY[key].compute(period_start, period_end) for key in (keys or REGISTRY)}
