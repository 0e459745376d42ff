"""Working-day rules of Art. 10 (start day not counted; end of office hours; adjusted working days;
unannounced years provisional)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govcloud.workdays.calendar import WorkCalendar
from govcloud.workdays.fallback import statutory_holidays

SH = ZoneInfo("Asia/Shanghai")
END = time(17, 30)


def package_calendar(last_year: int = 2026) -> WorkCalendar:
    """What the database holds after seeding: the years the package knows, up to `last_year`."""
    return WorkCalendar(
        holidays=[d for d in chinese_calendar.holidays if d.year <= last_year],
        adjusted_workdays=[d for d in chinese_calendar.workdays if d.year <= last_year],
        official_years=range(2004, last_year + 1),
    )


CAL = package_calendar()


def test_worked_example_national_day_2025():
    # Submitted 2025-09-30; the holiday runs 10-01..10-08; 10-09 is day 1, 10-10 day 2.
    deadline = CAL.deadline(datetime(2025, 9, 30, 10, 0, tzinfo=SH), 2, office_end=END)
    assert deadline.due == datetime(2025, 10, 10, 17, 30, tzinfo=SH)
    assert not deadline.provisional


def test_start_day_is_not_counted_even_late_at_night():
    # A Monday 23:59 submission: day 1 is Tuesday.
    deadline = CAL.deadline(datetime(2026, 3, 2, 23, 59, tzinfo=SH), 1, office_end=END)
    assert deadline.due_date == date(2026, 3, 3)


def test_weekend_submission_counts_from_monday():
    deadline = CAL.deadline(datetime(2026, 3, 7, 9, 0, tzinfo=SH), 2, office_end=END)  # Saturday
    assert deadline.due_date == date(2026, 3, 10)  # Mon = day 1, Tue = day 2


def test_adjusted_working_day_counts():
    # 2025-09-28 (Sunday) was an adjusted working day before National Day.
    assert CAL.is_working_day(date(2025, 9, 28))
    deadline = CAL.deadline(datetime(2025, 9, 27, 12, 0, tzinfo=SH), 1, office_end=END)
    assert deadline.due_date == date(2025, 9, 28)


def test_utc_moment_is_counted_in_shanghai_time():
    # 2025-09-30 17:00 UTC is already 10-01 01:00 in Shanghai: day 1 is 10-09, day 2 10-10.
    start = datetime(2025, 9, 30, 17, 0, tzinfo=ZoneInfo("UTC"))
    assert CAL.deadline(start, 2, office_end=END).due_date == date(2025, 10, 10)


def test_deadline_crossing_into_2027_is_provisional_and_does_not_crash():
    # 2026-12-30 (Wednesday) + 2: 12-31 is day 1; 2027-01-01 is New Year's Day (fallback);
    # 01-02/03 weekend; 01-04 is day 2 — in a year with no notice yet.
    deadline = CAL.deadline(datetime(2026, 12, 30, 15, 0, tzinfo=SH), 2, office_end=END)
    assert deadline.due_date == date(2027, 1, 4)
    assert deadline.provisional


def test_deadline_within_an_announced_year_is_not_provisional():
    assert not CAL.deadline(datetime(2026, 12, 28, 9, 0, tzinfo=SH), 2, office_end=END).provisional


def test_fallback_2027_statutory_holidays():
    days = statutory_holidays(2027)
    # Spring Festival 2027: lunar new year on 2027-02-06, so 02-05 (eve) to 02-08.
    for d in (
        "2027-01-01",
        "2027-02-05",
        "2027-02-06",
        "2027-02-07",
        "2027-02-08",
        "2027-04-05",
        "2027-05-01",
        "2027-05-02",
        "2027-06-09",
        "2027-09-15",
        "2027-10-01",
        "2027-10-02",
        "2027-10-03",
    ):
        assert date.fromisoformat(d) in days, d
    assert len(days) == 13
    # The package itself knows nothing of 2027 and raises; we never call it for that year.
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2027, 1, 4))


def test_fallback_matches_the_statutory_part_of_real_years():
    """For years the package knows (after the 2025 revision), every fallback holiday that falls on a
    weekday is a holiday in the real notice too."""
    for year in (2025, 2026):
        for day in statutory_holidays(year):
            if day.weekday() < 5:
                assert chinese_calendar.is_holiday(day), day


def test_spring_festival_2026_from_the_package():
    assert not CAL.is_working_day(date(2026, 2, 17))  # lunar new year's day 2026
    assert CAL.is_working_day(date(2026, 2, 14))  # Saturday worked (调休)


def test_working_days_between_counts_after_start_up_to_end():
    assert CAL.working_days_between(date(2025, 9, 30), date(2025, 10, 10)) == 2
    assert CAL.working_days_between(date(2025, 10, 10), date(2025, 10, 10)) == 0
    assert CAL.working_days_between(date(2025, 10, 10), date(2025, 9, 30)) == 0


days = st.dates(min_value=date(2004, 1, 1), max_value=date(2030, 12, 31))
counts = st.integers(min_value=1, max_value=40)


@settings(max_examples=300, deadline=None)
@given(start=days, n=counts)
def test_add_never_lands_on_a_non_working_day(start, n):
    end, _provisional = CAL.add_working_days(start, n)
    assert CAL.is_working_day(end)
    assert end > start


@settings(max_examples=300, deadline=None)
@given(start=days, n=counts)
def test_add_agrees_with_counting_between(start, n):
    end, _provisional = CAL.add_working_days(start, n)
    assert CAL.working_days_between(start, end) == n
    # and the day before `end` had not yet reached n
    assert CAL.working_days_between(start, end - timedelta(days=1)) == n - 1


@settings(max_examples=300, deadline=None)
@given(start=days, a=counts, b=counts)
def test_add_is_monotonic(start, a, b):
    lo, hi = sorted((a, b))
    assert CAL.add_working_days(start, lo)[0] <= CAL.add_working_days(start, hi)[0]


@settings(max_examples=200, deadline=None)
@given(start=days, later=st.integers(min_value=0, max_value=30), n=counts)
def test_later_start_never_gives_an_earlier_deadline(start, later, n):
    assert CAL.add_working_days(start, n)[0] <= CAL.add_working_days(start + timedelta(days=later), n)[0]


@settings(max_examples=200, deadline=None)
@given(start=days, n=counts)
def test_provisional_exactly_when_an_unannounced_year_is_crossed(start, n):
    end, provisional = CAL.add_working_days(start, n)
    touches_unknown = any((start + timedelta(days=i)).year > 2026 for i in range(1, (end - start).days + 1))
    assert provisional == touches_unknown
