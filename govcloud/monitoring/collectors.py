"""Collectors: paths that fetch utilization instead of waiting for it to be pushed. Each stores what
it finds through `services.samples_ingest` (actor SYSTEM), so the same checks apply to every path.

The drivers' collector asks each automatic cloud driver (libvirt today, later OpenStack) for the
usage counters of the resources in service it runs (`CloudDriver.fetch_usage`, called outside any
database transaction) and turns them into samples:

- memory % — the memory the guest holds against the memory the ledger says it has;
- disk used (GB) — what its disks take on the storage pool;
- CPU % — from the growth of the cumulative CPU time since the previous collection, over the
  elapsed time and the resource's vCPUs (so the first collection of a resource has no CPU sample).

Which drivers: `settings.MONITORING_DRIVERS` ({name: CloudDriver instance, class or dotted path})
if set, otherwise every automatic driver `settings.DELIVERY_DRIVERS` routes anything to — the clouds
delivery and reconciliation already talk to.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from govcloud.core.actors import Actor
from govcloud.core.permissions import require_role
from govcloud.core.remote import outside_transaction
from govcloud.delivery.drivers import get_cloud_driver, is_automatic
from govcloud.delivery.drivers.base import CloudDriver, DriverError, Usage
from govcloud.ledger.models import Resource, ResourceState
from govcloud.monitoring.models import METRIC_RANGES, DriverReading, Metric, SampleSource
from govcloud.monitoring.services import MAX_BATCH, samples_ingest

logger = logging.getLogger(__name__)

IN_SERVICE = (ResourceState.IN_SERVICE, ResourceState.CHANGING)


def _configured() -> Mapping[str, object]:
    own = getattr(settings, "MONITORING_DRIVERS", None)
    if own is not None:
        return own
    names: set[str] = set()
    table = getattr(settings, "DELIVERY_DRIVERS", None) or {}
    for rules in table.values() if isinstance(table, Mapping) else ():
        for name in rules.values() if isinstance(rules, Mapping) else ():
            if isinstance(name, str) and is_automatic(name):
                names.add(name)
    return dict.fromkeys(sorted(names))


def _load(name: str, value: object) -> CloudDriver | None:
    try:
        if value is None:
            return get_cloud_driver(name)
        obj = import_string(value) if isinstance(value, str) else value
        if isinstance(obj, type):
            obj = obj()
    except Exception:  # a misconfigured driver must not stop the others being collected
        logger.exception("monitoring: cannot load the cloud driver %s", name)
        return None
    return outside_transaction(obj, f"cloud driver {name}")


def _resources(name: str, names: list[str], now: datetime) -> list[Resource]:
    """The resources in service this driver runs: those with a cloud id, except the ones another
    configured automatic driver delivered."""
    queryset = Resource.objects.filter(state__in=IN_SERVICE, in_service_at__lte=now).exclude(provider_ref="")
    others = [n for n in names if n != name]
    if others:
        queryset = queryset.exclude(origin_application__work_orders__driver__in=others)
    # A driver's own resources: delivered by it, or (adopted, no application) any with a cloud id.
    queryset = queryset.filter(Q(origin_application__isnull=True) | Q(origin_application__work_orders__driver=name))
    return list(queryset.distinct().order_by("pk").only("pk", "code", "vcpu", "memory_gb"))


def _clamp(metric: str, value: float) -> float:
    low, high = METRIC_RANGES[metric]
    return min(max(value, low), high)


def usage_samples(resource: Resource, usage: Usage, previous: DriverReading | None, at: datetime) -> list[dict]:
    """The samples one reading gives (see the module docstring)."""
    time = at.isoformat()
    samples = [
        {"resource": resource.code, "metric": Metric.DISK_USED_GB, "time": time, "value": usage.disk_allocated_gb}
    ]
    if resource.memory_gb:
        percent = usage.memory_gb * 100.0 / resource.memory_gb
        samples.append(
            {
                "resource": resource.code,
                "metric": Metric.MEMORY_PERCENT,
                "time": time,
                "value": _clamp(Metric.MEMORY_PERCENT, percent),
            }
        )
    if previous is not None and previous.at < at and usage.cpu_time_ns >= previous.cpu_time_ns and resource.vcpu:
        elapsed_ns = (at - previous.at).total_seconds() * 1e9
        percent = (usage.cpu_time_ns - previous.cpu_time_ns) * 100.0 / (elapsed_ns * resource.vcpu)
        samples.append(
            {
                "resource": resource.code,
                "metric": Metric.CPU_PERCENT,
                "time": time,
                "value": _clamp(Metric.CPU_PERCENT, percent),
            }
        )
    return samples


def driver_usage_collect(*, actor: Actor, now: datetime | None = None) -> dict[str, int]:
    """Collect every configured automatic driver's usage into samples. A resource the cloud cannot
    answer for is skipped (counted as a failure); one failing driver does not stop the others.
    Samples are stamped to the minute, so a collection repeated within the minute stores nothing
    twice. Returns counts: resources asked, samples accepted, rejected, failures."""
    require_role(actor, frozenset())
    now = (now or timezone.now()).replace(second=0, microsecond=0)
    configured = _configured()
    names = sorted(configured)
    totals = {"resources": 0, "accepted": 0, "rejected": 0, "failures": 0}
    for name in names:
        driver = _load(name, configured[name])
        if driver is None:
            totals["failures"] += 1
            continue
        resources = _resources(name, names, now)
        previous = {r.resource_id: r for r in DriverReading.objects.filter(resource__in=[r.pk for r in resources])}
        samples: list[dict] = []
        readings: list[DriverReading] = []
        for resource in resources:
            totals["resources"] += 1
            try:
                usage = driver.fetch_usage(resource.code)
            except DriverError as exc:
                logger.warning("monitoring: %s cannot read %s: %s", name, resource.code, exc)
                totals["failures"] += 1
                continue
            samples += usage_samples(resource, usage, previous.get(resource.pk), now)
            readings.append(
                DriverReading(
                    resource=resource,
                    driver=name,
                    at=now,
                    cpu_time_ns=usage.cpu_time_ns,
                    disk_read_bytes=usage.disk_read_bytes,
                    disk_write_bytes=usage.disk_write_bytes,
                )
            )
        for start in range(0, len(samples), MAX_BATCH):
            result = samples_ingest(
                actor=actor, source=SampleSource.DRIVER, samples=samples[start : start + MAX_BATCH], now=now
            )
            totals["accepted"] += result.accepted
            totals["rejected"] += len(result.rejections)
        DriverReading.objects.bulk_create(
            readings,
            update_conflicts=True,
            unique_fields=["resource"],
            update_fields=["driver", "at", "cpu_time_ns", "disk_read_bytes", "disk_write_bytes"],
        )
    return totals
