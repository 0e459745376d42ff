"""Statutory holidays for a year without an announced notice.

The national regulation (全国年节及纪念日放假办法, as revised in 2024) fixes the days: New Year's
Day; the Spring Festival from its eve to the 3rd day of the first lunar month; Qingming (the solar
term); Labour Day, 2 days; the Dragon Boat Festival; the Mid-Autumn Festival; National Day, 3 days.
The State Council's yearly notice adds bridging days and adjusted working days, which cannot be
known in advance: deadlines counted with this fallback are provisional.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from lunar_python import Lunar, Solar


def _lunar_to_solar(year: int, month: int, day: int) -> date:
    solar = Lunar.fromYmd(year, month, day).getSolar()
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


def _qingming(year: int) -> date:
    solar = Solar.fromYmd(year, 4, 10).getLunar().getJieQiTable()["清明"]
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


@lru_cache(maxsize=64)
def statutory_holidays(year: int) -> dict[date, str]:
    """{date: English name} of the statutory holidays of `year`, with no adjusted days."""
    days: dict[date, str] = {date(year, 1, 1): "New Year's Day"}
    new_year = _lunar_to_solar(year, 1, 1)
    for offset in range(-1, 3):  # eve, 1st, 2nd, 3rd day of the first lunar month
        days[new_year + timedelta(days=offset)] = "Spring Festival"
    days[_qingming(year)] = "Tomb-sweeping Day"
    days[date(year, 5, 1)] = "Labour Day"
    days[date(year, 5, 2)] = "Labour Day"
    days[_lunar_to_solar(year, 5, 5)] = "Dragon Boat Festival"
    days[_lunar_to_solar(year, 8, 15)] = "Mid-autumn Festival"
    for day in (1, 2, 3):
        days[date(year, 10, day)] = "National Day"
    return days
