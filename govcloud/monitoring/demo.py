"""Demo utilization; called by govcloud/web/demo.py after the ledger demo.

Thirty days of hourly samples for every demo resource in service — hosts and databases (CPU,
memory, disk; hosts also IOPS and network), storage (used GB) — with a working-day rhythm: busy
office hours, quiet nights and weekends, a Monday-morning peak. One host idles (a waste-control
candidate), the appointment platform's servers run hot. Everything goes through the ingest path and
the rollup jobs as `system`, so the pages show charts straight after `make run`.

Idempotent: a resource that has demo samples of the last two hours is left as it is; otherwise the
missing hours are filled (the same values, so nothing is stored twice).
"""

from __future__ import annotations

import math
import random
from datetime import timedelta

from django.utils import timezone

from govcloud.core.actors import SYSTEM
from govcloud.ledger.models import Resource, ResourceState
from govcloud.monitoring.models import CollectionRun, CollectionStatus, Metric, Period, Sample, SampleSource
from govcloud.monitoring.services import MAX_BATCH, rollups_run, samples_ingest

DAYS = 30
# Per resource name: (baseline CPU %, baseline memory %) where the demo wants a story.
PROFILES = {
    "预约挂号-应用服务器01": (62.0, 78.0),
    "预约挂号-应用服务器02": (58.0, 74.0),
    "交通违法-前置服务器": (2.0, 21.0),
}


def _load(hour_local, rng: random.Random) -> float:
    """0–1: how busy the city's offices are at this local hour."""
    weekday = hour_local.weekday()
    h = hour_local.hour
    office = 1.0 if 9 <= h < 12 or 14 <= h < 18 else 0.55 if 8 <= h < 20 else 0.15
    if weekday >= 5:
        office *= 0.3
    if weekday == 0 and 9 <= h < 11:
        office *= 1.25  # Monday morning
    return max(0.0, min(1.3, office + rng.uniform(-0.08, 0.08)))


def _samples(resource: Resource, start, end) -> list[dict]:
    rng = random.Random(resource.code)
    cpu_base, memory_base = PROFILES.get(resource.name, (rng.uniform(15, 45), rng.uniform(35, 65)))
    disk_total = resource.disk_gb or 100
    disk_used = disk_total * rng.uniform(0.3, 0.6)
    storage_total = float(resource.storage_tb) * 1024
    storage_used = storage_total * rng.uniform(0.4, 0.7)
    rows: list[dict] = []
    at = start
    while at < end:
        local = timezone.localtime(at)
        load = _load(local, random.Random(f"{resource.code}{at:%Y%m%d%H}"))
        time = at.isoformat()
        elapsed_days = (at - start).total_seconds() / 86400

        def add(metric, value, low=0.0, high=100.0, time=time):
            rows.append(
                {
                    "resource": resource.code,
                    "metric": metric,
                    "time": time,
                    "value": round(min(max(value, low), high), 2),
                }
            )

        if resource.kind in ("host", "database"):
            add(Metric.CPU_PERCENT, cpu_base * (0.35 + load) + rng.uniform(-3, 3))
            add(Metric.MEMORY_PERCENT, memory_base + 8 * load + 2 * math.sin(elapsed_days) + rng.uniform(-1.5, 1.5))
            # Disks fill slowly over the month.
            add(Metric.DISK_USED_GB, disk_used + disk_total * 0.004 * elapsed_days, high=disk_total)
        if resource.kind == "host":
            add(Metric.DISK_IOPS, 40 + 900 * load * cpu_base / 60 + rng.uniform(0, 30), high=1e6)
            add(Metric.NETWORK_IN_MBPS, 0.5 + 18 * load * cpu_base / 60, high=1e5)
            add(Metric.NETWORK_OUT_MBPS, 0.8 + 30 * load * cpu_base / 60, high=1e5)
        if resource.kind == "storage" and storage_total:
            add(Metric.STORAGE_USED_GB, storage_used + storage_total * 0.003 * elapsed_days, high=storage_total)
        at += timedelta(hours=1)
    return rows


def load_demo(*, orgs: dict, users: dict) -> int:
    """Fill the last 30 days; the number of samples stored."""
    now = timezone.now()
    first_hour = (now - timedelta(days=DAYS)).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    recent = set(
        Sample.objects.filter(source=SampleSource.DEMO, at__gte=now - timedelta(hours=2)).values_list(
            "resource_id", flat=True
        )
    )
    resources = Resource.objects.filter(
        state__in=(ResourceState.IN_SERVICE, ResourceState.CHANGING), kind__in=("host", "database", "storage")
    ).exclude(pk__in=recent)
    batch: list[dict] = []
    stored = 0
    for resource in resources.order_by("pk"):
        start = max(first_hour, resource.in_service_at.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1))
        batch += _samples(resource, start, now)
        while len(batch) >= MAX_BATCH:
            stored += samples_ingest(actor=SYSTEM, source=SampleSource.DEMO, samples=batch[:MAX_BATCH]).accepted
            batch = batch[MAX_BATCH:]
    if batch:
        stored += samples_ingest(actor=SYSTEM, source=SampleSource.DEMO, samples=batch).accepted
    rollups_run(actor=SYSTEM, period=Period.HOUR)
    rollups_run(actor=SYSTEM, period=Period.DAY)
    _collection_runs(now)
    return stored


def _collection_runs(now) -> None:
    """What the utilization page shows of the Prometheus collector: a failed run while the server
    was down, then the run that caught the gap up (records only; the demo's samples are above)."""
    if CollectionRun.objects.exists():
        return
    step = timedelta(minutes=5)
    end = now.replace(second=0, microsecond=0) - timedelta(minutes=now.minute % 5 + 5)
    CollectionRun.objects.bulk_create(
        [
            CollectionRun(
                source=SampleSource.PROMETHEUS,
                status=CollectionStatus.FAILED,
                started_at=end - 2 * step,
                finished_at=end - 2 * step + timedelta(seconds=10),
                window_start=end - 3 * step,
                window_end=end - 3 * step,
                error="cpu_percent: timed out",
            ),
            CollectionRun(
                source=SampleSource.PROMETHEUS,
                status=CollectionStatus.SUCCEEDED,
                started_at=end + timedelta(minutes=1),
                finished_at=end + timedelta(minutes=1, seconds=4),
                window_start=end - 3 * step,
                window_end=end,
                collected_until=end,
                series=48,
                received=192,
                accepted=184,
                rejected=8,
                reasons={"unknown_resource": 8},
            ),
        ]
    )
