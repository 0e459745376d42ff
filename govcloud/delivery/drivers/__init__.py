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


def get_driver(name: str = DEFAULT_DRIVER) -> Driver:
    from govcloud.delivery.drivers.manual import ManualDriver

    drivers: dict[str, Driver] = {ManualDriver.name: ManualDriver()}
    try:
        return drivers[name]
    except KeyError:
        raise ValueError(f"unknown delivery driver: {name}") from None
