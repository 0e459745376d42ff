"""Properties of the month arithmetic behind next-assessment dates and exemption validity."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from govcloud.systems.dates import add_months, assessment_next_due, validity_end

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))
months = st.integers(min_value=0, max_value=120)


@given(days, months)
def test_add_months_lands_in_the_right_month_on_the_same_or_last_day(day, n):
    result = add_months(day, n)
    assert (result.year * 12 + result.month) - (day.year * 12 + day.month) == n
    last = calendar.monthrange(result.year, result.month)[1]
    assert result.day == min(day.day, last)


@given(days, months, months)
def test_add_months_is_monotonic(day, a, b):
    low, high = sorted((a, b))
    assert add_months(day, low) <= add_months(day, high)


@given(days)
def test_twelve_months_is_one_year_except_on_29_february(day):
    result = add_months(day, 12)
    if (day.month, day.day) == (2, 29):
        assert result == date(day.year + 1, 2, 28)
    else:
        assert result == day.replace(year=day.year + 1)


@given(days, st.integers(min_value=1, max_value=5), st.integers(1, 36), st.integers(1, 60))
def test_next_due_follows_the_level(day, level, months3, months2):
    due = assessment_next_due(day, level, months_level3=months3, months_level2=months2)
    if level == 1:
        assert due is None
    else:
        expected = months3 if level >= 3 else months2
        assert due == add_months(day, expected)
        # Never earlier than the assessment, never more than the months plus a month later.
        assert day < due <= day + timedelta(days=31 * (expected + 1))


@given(days, st.integers(min_value=1, max_value=60))
def test_validity_ends_the_day_before_the_same_date_n_months_later(day, n):
    end = validity_end(day, n)
    assert end == add_months(day, n) - timedelta(days=1)
    assert end >= day
    assert validity_end(day, n) < validity_end(day, n + 1)


def test_examples():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2027, 12, 31), 2) == date(2028, 2, 29)
    assert validity_end(date(2026, 3, 15), 12) == date(2027, 3, 14)
    assert assessment_next_due(date(2026, 2, 1), 3, months_level3=12, months_level2=24) == date(2027, 2, 1)
    assert assessment_next_due(date(2026, 2, 1), 2, months_level3=12, months_level2=24) == date(2028, 2, 1)
