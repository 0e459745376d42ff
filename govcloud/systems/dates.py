"""Calendar-month arithmetic for MLPS due dates and exemption validity (pure functions)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta


def add_months(day: date, months: int) -> date:
    """`day` plus whole calendar months; a day that does not exist in the target month becomes
    that month's last day (31 January + 1 month = 28 or 29 February)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def assessment_next_due(assessed_on: date, level: int, *, months_level3: int, months_level2: int) -> date | None:
    """When the next MLPS assessment is due (Art. 11): level 3 and above every `months_level3`
    months, level 2 every `months_level2` months; level 1 systems need no periodic assessment."""
    if level >= 3:
        return add_months(assessed_on, months_level3)
    if level == 2:
        return add_months(assessed_on, months_level2)
    return None


def validity_end(start: date, months: int) -> date:
    """The last day of a validity of `months` months starting on `start` (12 months from 15 March
    end on 14 March of the next year)."""
    return add_months(start, months) - timedelta(days=1)
