"""Helpers of the alert tests: crafted daily rollups (the alert rules read nothing else)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from govcloud.monitoring.models import Metric, Period, Rollup
from govcloud.monitoring.services import day_start


def daily(resource, values, *, metric=Metric.CPU_PERCENT, peak=None, end=None) -> None:
    """One daily rollup per value, the last one for yesterday (or the day before `end`): `values`
    are the averages; the peak is `peak` when given, else the average + 5."""
    last = day_start(end or timezone.now()) - timedelta(hours=12)
    rows = []
    for back, value in enumerate(reversed(list(values))):
        start = day_start(last - timedelta(days=back))
        rows.append(
            Rollup(
                resource=resource,
                metric=metric,
                period=Period.DAY,
                start=start,
                avg=value,
                max=peak if peak is not None else value + 5,
                p95=value + 3,
                count=24,
            )
        )
    Rollup.objects.filter(resource=resource, metric=metric, period=Period.DAY).delete()
    Rollup.objects.bulk_create(rows)
