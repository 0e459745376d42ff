"""Fixtures of the reports tests: monitoring's city (the clock frozen on 2026-12-05 10:30 Asia/Shanghai,
hosts in service in departments A and B since 2026-11-01) and crafted daily rollups."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from govcloud.monitoring.models import Metric, Period, Rollup
from govcloud.monitoring.tests.conftest import TZ, frozen, mon  # noqa: F401  (fixtures)

NOVEMBER = date(2026, 11, 1)


def rollups(resource, first: date, values: list[tuple[float, float]], *, metric=Metric.CPU_PERCENT, count: int = 24):
    """One daily rollup per (average, peak), from `first` on."""
    Rollup.objects.bulk_create(
        [
            Rollup(
                resource=resource,
                metric=metric,
                period=Period.DAY,
                start=timezone.make_aware(datetime.combine(first + timedelta(days=i), datetime.min.time())),
                avg=avg,
                max=peak,
                p95=peak,
                count=count,
            )
            for i, (avg, peak) in enumerate(values)
        ]
    )


@pytest.fixture
def november(mon):  # noqa: F811  (the imported fixture)
    """A's host busy (CPU 85 % on average: overloaded), B's idle (peak 6 %); memory and disk for A;
    October's CPU for A at 60 % (the trend)."""
    rollups(mon.a_host, NOVEMBER, [(85.0, 97.0)] * 30)
    rollups(mon.a_host, NOVEMBER, [(50.0, 70.0)] * 30, metric=Metric.MEMORY_PERCENT)
    rollups(mon.a_host, NOVEMBER, [(40.0, 45.0)] * 30, metric=Metric.DISK_USED_GB)
    rollups(mon.a_host, date(2026, 10, 1), [(60.0, 80.0)] * 31)
    rollups(mon.b_host, NOVEMBER, [(3.0, 6.0)] * 30)
    return mon
