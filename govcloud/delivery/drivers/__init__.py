"""Fulfilment drivers (Art. 7): how an approved step becomes real.

A step is one approved item of an application: provision new resources, change one, or terminate
one. A driver takes the step and returns the work order that tracks it. The `manual` driver (the
only one today) turns each step into a work order for the provider's staff; issue 5 adds drivers
that call libvirt or OpenStack and complete their own work orders through the same services, so
the ledger, the deadlines and the application workflow do not change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from govcloud.delivery.models import WorkOrder, WorkOrderKind


@dataclass(frozen=True)
class Step:
    kind: WorkOrderKind
    application: Any  # applications.Application (delivery does not import the layer above)
    item: Any  # applications.ApplicationItem, with its approved quantity and spec
    due_at: datetime
    due_provisional: bool


class Driver(Protocol):
    name: str

    def submit(self, step: Step, *, number: str, actor_name: str) -> WorkOrder:
        """Record the step as a work order (and, for an automatic driver, start the work)."""
        ...


DEFAULT_DRIVER = "manual"
# Drivers that do the work themselves through a cloud API (name → CloudDriver class path). An
# OpenStack driver is one more line here; no caller changes.
CLOUD_DRIVERS = {"libvirt": "govcloud.delivery.drivers.libvirt.LibvirtDriver"}


def is_automatic(name: str) -> bool:
    return name in CLOUD_DRIVERS


def get_driver(name: str = DEFAULT_DRIVER) -> Driver:
    """The fulfilment driver: `manual`, or an automatic one that runs its cloud driver in a task."""
    from govcloud.delivery.drivers.manual import AutomaticDriver, ManualDriver

    if name == ManualDriver.name:
        return ManualDriver()
    if is_automatic(name):
        return AutomaticDriver(name)
    raise ValueError(f"unknown delivery driver: {name}")


_cloud_drivers: dict[str, object] = {}


def get_cloud_driver(name: str):
    """The CloudDriver (create, resize, list, fetch_usage…) of an automatic driver, one per process
    (it keeps its connection)."""
    from django.utils.module_loading import import_string

    if name not in CLOUD_DRIVERS:
        raise ValueError(f"unknown cloud driver: {name}")
    if name not in _cloud_drivers:
        _cloud_drivers[name] = import_string(CLOUD_DRIVERS[name])()
    return _cloud_drivers[name]


def driver_for(item: Any, region: str | None = None) -> str:
    """The driver name for a catalog item (or an application item) in a region, from
    settings.DELIVERY_DRIVERS: {region or "*": {catalog item code, resource kind or "*": name}}.
    The most specific match wins: region before "*", item code before kind before "*"."""
    from django.conf import settings

    catalog_item = getattr(item, "catalog_item", item)
    region = region or getattr(settings, "GOVCLOUD_REGION", "")
    table = getattr(settings, "DELIVERY_DRIVERS", {}) or {}
    for region_key in (region, "*"):
        rules = table.get(region_key) or {}
        for key in (catalog_item.code, catalog_item.kind, "*"):
            if key in rules:
                return rules[key]
    return DEFAULT_DRIVER
