"""Dates the security rules hang on: when a month's bulletin is due (in working days), when a drill
is due (in months), and the occasions that need a protection plan (statutory holiday periods from
the working-day calendar, and the center's major events)."""

from __future__ import annotations

import calendar as pycalendar
import threading
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from govcloud.core.policy import Policy, policy_value
from govcloud.security.models import MajorEvent, OccasionKind, ProtectionPlan
from govcloud.workdays.calendar import WorkCalendar
from govcloud.workdays.fallback import statutory_holidays
from govcloud.workdays.holiday_names import holiday_label
from govcloud.workdays.models import CalendarDay, DayKind
from govcloud.workdays.selectors import work_calendar

# --- Months --------------------------------------------------------------------------------------


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    return day.replace(day=pycalendar.monthrange(day.year, day.month)[1])


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it is shorter: 01-31 + 1 → 02-28)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, pycalendar.monthrange(year, month)[1]))


def previous_month(day: date) -> date:
    return add_months(month_start(day), -1)


# --- Bulletins (Art. 17) -------------------------------------------------------------------------


@dataclass(frozen=True)
class BulletinDue:
    period: date
    due_on: date
    provisional: bool


def bulletin_due(period: date) -> BulletinDue:
    """The month's bulletin is due by the N-th working day of the next month (N =
    Policy.BULLETIN_DUE_WORKING_DAY): N working days after the month's last day, which is not
    counted. September 2025 with N = 5: 10-01..10-08 are the National Day holiday, so 10-09,
    10-10, 10-11 (an adjusted Saturday), 10-13 and 10-14 — due 2025-10-14."""
    period = month_start(period)
    n = int(policy_value(Policy.BULLETIN_DUE_WORKING_DAY))
    due_on, provisional = work_calendar().add_working_days(month_end(period), n)
    return BulletinDue(period=period, due_on=due_on, provisional=provisional)


def bulletin_months_to_check(today: date | None = None) -> list[date]:
    """The months whose bulletin the sweep checks: the last two complete months (a due day can
    fall in the second month after, with a long holiday and a large N)."""
    today = today or timezone.localdate()
    last = previous_month(today)
    return [add_months(last, -1), last]


# --- Holiday periods and occasions (Art. 12) -------------------------------------------------------


@dataclass(frozen=True)
class HolidayPeriod:
    name: str
    starts_on: date
    ends_on: date


# Holiday names per year, kept as long as the calendar they were read with: work_calendar()
# returns a new object whenever a year changes, which empties this cache.
_names_lock = threading.Lock()
_names: tuple[WorkCalendar, dict[int, dict[date, str]]] | None = None


def _holiday_names(cal: WorkCalendar, years: range) -> dict[date, str]:
    """{day: English name} of the statutory holidays of `years`: an announced year's days from the
    calendar, an unannounced year's from the statutory fallback."""
    global _names
    with _names_lock:
        if _names is None or _names[0] is not cal:
            _names = (cal, {})
        cache = _names[1]
        missing = [year for year in years if year not in cache]
    if missing:
        fresh: dict[int, dict[date, str]] = {year: {} for year in missing}
        official = [year for year in missing if year in cal.official_years]
        if official:
            rows = CalendarDay.objects.filter(kind=DayKind.HOLIDAY, date__year__in=official).values_list("date", "name")
            for day, name in rows:
                fresh[day.year][day] = name
        for year in missing:
            if year not in cal.official_years:
                fresh[year] = dict(statutory_holidays(year))
        with _names_lock:
            cache.update(fresh)
    names: dict[date, str] = {}
    for year in years:
        names.update(cache[year])
    return names


def holiday_periods(start: date, end: date) -> list[HolidayPeriod]:
    """The statutory holiday periods starting between `start` and `end`: each run of days off that
    contains a statutory holiday, from its first day off (a weekend just before it included) to
    its last. Announced years use the calendar's days; other years the statutory fallback."""
    cal = work_calendar()
    lo, hi = start - timedelta(days=15), end + timedelta(days=15)
    named = {d: n for d, n in _holiday_names(cal, range(lo.year, hi.year + 1)).items() if lo <= d <= hi}
    periods: list[HolidayPeriod] = []
    for day in sorted(named):
        if periods and day <= periods[-1].ends_on:
            continue
        first = day
        while not cal.is_working_day(first - timedelta(days=1)) and first - timedelta(days=1) >= lo:
            first -= timedelta(days=1)
        last = day
        while not cal.is_working_day(last + timedelta(days=1)) and last + timedelta(days=1) <= hi:
            last += timedelta(days=1)
        names = [named[d] for d in sorted(named) if first <= d <= last and named[d]]
        name = Counter(names).most_common(1)[0][0] if names else ""
        periods.append(HolidayPeriod(name=name, starts_on=first, ends_on=last))
    return [p for p in periods if start <= p.starts_on <= end]


@dataclass
class Occasion:
    """A holiday period or major event that needs the provider's protection plan."""

    kind: OccasionKind
    key: str
    name: str
    starts_on: date
    ends_on: date
    major_event_id: int | None = None
    plan: ProtectionPlan | None = None

    @property
    def remind_from(self) -> date:
        return self.starts_on - timedelta(days=int(policy_value(Policy.PROTECTION_PLAN_REMINDER_DAYS)))

    @property
    def days_until(self) -> int:
        return (self.starts_on - timezone.localdate()).days

    @property
    def is_due(self) -> bool:
        """Within the reminder period and not filed."""
        today = timezone.localdate()
        return self.plan is None and self.remind_from <= today < self.starts_on

    @property
    def is_missing(self) -> bool:
        """Started (or past) without a plan."""
        return self.plan is None and self.starts_on <= timezone.localdate()


def holiday_key(starts_on: date) -> str:
    return f"holiday:{starts_on.isoformat()}"


def event_key(event_id: int) -> str:
    return f"event:{event_id}"


def protection_occasions(start: date, end: date) -> list[Occasion]:
    """Every occasion starting between `start` and `end`, with its plan when filed. Three queries
    whatever the span: holidays, events, plans."""
    occasions = [
        Occasion(
            kind=OccasionKind.HOLIDAY,
            key=holiday_key(p.starts_on),
            name=str(holiday_label(p.name)) if p.name else _("Statutory holiday"),
            starts_on=p.starts_on,
            ends_on=p.ends_on,
        )
        for p in holiday_periods(start, end)
    ]
    occasions += [
        Occasion(
            kind=OccasionKind.MAJOR_EVENT,
            key=event_key(e.pk),
            name=e.name,
            starts_on=e.starts_on,
            ends_on=e.ends_on,
            major_event_id=e.pk,
        )
        for e in MajorEvent.objects.filter(starts_on__range=(start, end))
    ]
    plans = {p.occasion_key: p for p in ProtectionPlan.objects.filter(occasion_key__in=[o.key for o in occasions])}
    for occasion in occasions:
        occasion.plan = plans.get(occasion.key)
    return sorted(occasions, key=lambda o: (o.starts_on, o.key))


def protection_occasion(key: str) -> Occasion | None:
    """The occasion a key names, if it is a holiday period start or an existing major event."""
    kind, _sep, value = (key or "").partition(":")
    if kind == "event" and value.isdigit():
        event = MajorEvent.objects.filter(pk=int(value)).first()
        if event is None:
            return None
        return Occasion(
            kind=OccasionKind.MAJOR_EVENT,
            key=key,
            name=event.name,
            starts_on=event.starts_on,
            ends_on=event.ends_on,
            major_event_id=event.pk,
        )
    if kind == "holiday":
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return None
        for occasion in protection_occasions(day, day):
            if occasion.key == key:
                return occasion
    return None
