"""Working-day arithmetic, pure: no database, so it can be property-tested.

Rules (Art. 10; as in Chinese administrative law the start day is not counted):
- a day is a working day if it is an adjusted working day (调休), or a Monday to Friday that is
  not a statutory holiday;
- N working days from a moment t end at the close of office hours on the N-th working day after
  the day of t. 2025-09-30 + 2 working days → 2025-10-10 17:30 (10-01..10-08 are the holiday,
  10-09 is day 1);
- a year without an announced notice uses the statutory holidays of `fallback`, and every result
  that depends on such a year is marked provisional.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from govcloud.workdays.fallback import statutory_holidays

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Far enough for any deadline the regulation sets; guards against a calendar with no working days.
_MAX_SCAN_DAYS = 3 * 366


@dataclass(frozen=True)
class Deadline:
    due: datetime
    due_date: date
    provisional: bool


class WorkCalendar:
    """Working days from official years (explicit holidays and adjusted working days) and, for
    years not announced, the statutory fallback."""

    def __init__(
        self,
        *,
        holidays: Iterable[date],
        adjusted_workdays: Iterable[date],
        official_years: Iterable[int],
        fallback: Callable[[int], dict[date, str]] = statutory_holidays,
    ) -> None:
        self._holidays = frozenset(holidays)
        self._workdays = frozenset(adjusted_workdays)
        self.official_years = frozenset(official_years)
        self._fallback = fallback

    def is_official(self, day: date) -> bool:
        return day.year in self.official_years

    def is_working_day(self, day: date) -> bool:
        if day.year in self.official_years:
            if day in self._workdays:
                return True
            if day in self._holidays:
                return False
            return day.weekday() < 5
        return day.weekday() < 5 and day not in self._fallback(day.year)

    def add_working_days(self, start: date, n: int) -> tuple[date, bool]:
        """The n-th working day after `start` (start not counted; n ≥ 1), and whether any day
        examined lies in an unannounced year."""
        if n < 1:
            raise ValueError("n must be at least 1")
        day = start
        counted = 0
        provisional = False
        for _ in range(_MAX_SCAN_DAYS):
            day += timedelta(days=1)
            provisional = provisional or not self.is_official(day)
            if self.is_working_day(day):
                counted += 1
                if counted == n:
                    return day, provisional
        raise ValueError("no working day found within three years")

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]: after `start`, up to and including `end`."""
        if end <= start:
            return 0
        return sum(1 for i in range(1, (end - start).days + 1) if self.is_working_day(start + timedelta(days=i)))

    def next_working_day(self, day: date) -> date:
        return self.add_working_days(day, 1)[0]

    def deadline(self, start: datetime, n: int, *, office_end: time, tz: ZoneInfo = SHANGHAI) -> Deadline:
        """N working days from the moment `start`, ending at `office_end` local time."""
        local_day = start.astimezone(tz).date()
        due_day, provisional = self.add_working_days(local_day, n)
        return Deadline(
            due=datetime.combine(due_day, office_end, tzinfo=tz),
            due_date=due_day,
            provisional=provisional,
        )
