"""Reads of the calendar. The calendar is public within the platform (no scope): every signed-in
user may see holidays and compute deadlines."""

from __future__ import annotations

import threading
import time
from datetime import date, datetime

from django.db.models import Count, Max
from django.utils import timezone

from govcloud.core.policy import Policy, policy_value
from govcloud.workdays.calendar import Deadline, WorkCalendar
from govcloud.workdays.models import CalendarDay, CalendarYear, DayKind

_lock = threading.Lock()
_cached: tuple[tuple, WorkCalendar] | None = None
_checked_at = 0.0
# How long a process trusts its calendar before asking the database whether a year changed. The
# process that makes a change clears its own cache at once; the others follow within this time.
_RECHECK_SECONDS = 10.0


def _version() -> tuple:
    agg = CalendarYear.objects.aggregate(n=Count("id"), changed=Max("updated_at"))
    return (agg["n"], agg["changed"])


def work_calendar() -> WorkCalendar:
    """The calendar from the database, cached per process (see _RECHECK_SECONDS)."""
    global _cached, _checked_at
    with _lock:
        if _cached is not None and time.monotonic() - _checked_at < _RECHECK_SECONDS:
            return _cached[1]
    version = _version()
    with _lock:
        if _cached is not None and _cached[0] == version:
            _checked_at = time.monotonic()
            return _cached[1]
    holidays, workdays = [], []
    for day, kind in CalendarDay.objects.values_list("date", "kind"):
        (workdays if kind == DayKind.WORKDAY else holidays).append(day)
    calendar = WorkCalendar(
        holidays=holidays,
        adjusted_workdays=workdays,
        official_years=CalendarYear.objects.values_list("year", flat=True),
    )
    with _lock:
        _cached = (version, calendar)
        _checked_at = time.monotonic()
    return calendar


def clear_cache() -> None:
    global _cached
    with _lock:
        _cached = None


def deadline_from(start: datetime, working_days: int) -> Deadline:
    """Art. 10 deadline: `working_days` working days after `start`, at the close of office hours."""
    return work_calendar().deadline(start, working_days, office_end=policy_value(Policy.OFFICE_HOURS_END))


def year_days(year: int) -> list[CalendarDay]:
    return list(CalendarDay.objects.filter(date__year=year).order_by("date"))


def year_record(year: int) -> CalendarYear | None:
    return CalendarYear.objects.filter(year=year).first()


def years() -> list[CalendarYear]:
    return list(CalendarYear.objects.annotate(day_count=Count("days")).order_by("-year"))


def next_year_notice_missing(today: date | None = None) -> int | None:
    """From each November, the year whose notice the center still has to enter (else None)."""
    today = today or timezone.localdate()
    if today.month < 11:
        return None
    upcoming = today.year + 1
    return None if upcoming in work_calendar().official_years else upcoming
