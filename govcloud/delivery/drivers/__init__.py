"""Fulfilment drivers (Art. 7): how an approved step becomes real.

A step is one approved item of an application: provision new resources, change one, or terminate
one. A driver takes the step and returns the work order that tracks it. The `manual` driver turns
each step into a work order for the provider's staff; an automatic driver (`libvirt`, later
`openstack`) records the order the same way and a task carries it out through its cloud driver and
completes it through the same services, so the ledger, the deadlines and the application workflow
do not change.

Imports run one way: base ← manual ← this registry ← services ← provisioning; the cloud drivers
themselves are loaded by dotted path (libvirt's bindings only where a libvirt driver is used).
"""

from __future__ import annotations

from typing import Any

from govcloud.core.remote import outside_transaction
from govcloud.delivery.drivers.base import CloudDriver, Driver, Step
from govcloud.delivery.drivers.manual import AutomaticDriver, ManualDriver

__all__ = ["CLOUD_DRIVERS", "DEFAULT_DRIVER", "Driver", "Step", "driver_for", "get_cloud_driver", "get_driver"]

DEFAULT_DRIVER = ManualDriver.name
# Drivers that do the work themselves through a cloud API (name → CloudDriver class path). An
# OpenStack driver is one more line here; no caller changes.
CLOUD_DRIVERS = {"libvirt": "govcloud.delivery.drivers.libvirt.LibvirtDriver"}


def is_automatic(name: str) -> bool:
    return name in CLOUD_DRIVERS


def get_driver(name: str = DEFAULT_DRIVER) -> Driver:
    """The fulfilment driver: `manual`, or an automatic one that runs its cloud driver in a task."""
    if name == ManualDriver.name:
        return ManualDriver()
    if is_automatic(name):
        return AutomaticDriver(name)
    raise ValueError(f"unknown delivery driver: {name}")


_cloud_drivers: dict[str, CloudDriver] = {}


def get_cloud_driver(name: str) -> CloudDriver:
    """The CloudDriver (create, resize, list, fetch_usage…) of an automatic driver, one per process
    (it keeps its connection). Its methods refuse to run inside a database transaction
    (govcloud.core.remote): no row lock is ever held while a cloud answers."""
    from django.utils.module_loading import import_string

    if name not in CLOUD_DRIVERS:
        raise ValueError(f"unknown cloud driver: {name}")
    if name not in _cloud_drivers:
        _cloud_drivers[name] = outside_transaction(import_string(CLOUD_DRIVERS[name])(), f"cloud driver {name}")
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
