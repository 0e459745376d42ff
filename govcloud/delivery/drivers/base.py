"""The driver interfaces (Art. 7, dynamic resource management).

- `Driver` (fulfilment): how an approved `Step` becomes a work order — `manual` for the provider's
  staff, or automatic, run by a task through a cloud driver;
- `CloudDriver`: what the platform asks of a virtualization API, typed, so that libvirt today and
  OpenStack (openstacksdk) later plug in without changing any caller.

Callers (delivery services, reconciliation) only see these types. Every call is idempotent on the
platform's reference (`CloudRef`, derived from the ledger code): creating what already exists returns
it, deleting what is gone succeeds — so a retried or duplicated task never makes a second resource.
Credentials come from settings or a secrets file (see `driver_config`), never from the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from govcloud.delivery.models import WorkOrder, WorkOrderKind


@dataclass(frozen=True)
class Step:
    """One approved item of an application: provision new resources, change one, or terminate one."""

    kind: WorkOrderKind
    application: Any  # applications.Application (delivery does not import the layer above)
    item: Any  # applications.ApplicationItem, with its approved quantity and spec
    due_at: datetime
    due_provisional: bool


class Driver(Protocol):
    name: str

    def submit(self, step: Step, *, number: str, actor_name: str) -> WorkOrder:
        """Record the step as a work order (and, for an automatic driver, have a task start the work)."""
        ...


class DriverError(Exception):
    """The cloud refused or failed; the message is safe to show and to store (no credentials)."""


@dataclass(frozen=True)
class HostSpec:
    """What a cloud host is asked to be (the approved catalog spec, in the driver's units)."""

    vcpu: int
    memory_gb: int
    system_disk_gb: int
    data_disk_gb: int = 0
    disk_type: str = "sata"
    os_image: str = ""
    bandwidth_mbps: int = 0


@dataclass(frozen=True)
class CloudInstance:
    """A resource as the cloud reports it (list / get)."""

    ref: str  # the platform's name for it in the cloud (the ledger code, e.g. TZ-VM-000123)
    provider_id: str  # the cloud's own id (libvirt UUID, OpenStack server id)
    kind: str  # catalog ResourceKind value
    running: bool
    spec: dict = field(default_factory=dict)  # vcpu, memory_gb, disks as the cloud sees them
    addresses: list[dict] = field(default_factory=list)
    # False for a resource the platform did not create (no platform metadata): a shadow resource for
    # reconciliation; its `ref` is then the cloud's own name and `kind` is empty.
    managed: bool = True
    name: str = ""  # the cloud's display name (the libvirt domain name)


@dataclass(frozen=True)
class Usage:
    """Counters for metering, read at one moment (cumulative where the cloud keeps them)."""

    ref: str
    cpu_time_ns: int
    memory_gb: float
    disk_read_bytes: int = 0
    disk_write_bytes: int = 0
    disk_allocated_gb: float = 0.0


def driver_config(name: str) -> dict:
    """A driver's connection settings: settings.DRIVER_SETTINGS[name] overlaid with the section
    `name` of the secrets file (settings.GOVCLOUD_SECRETS_FILE, JSON or TOML) — never the database.
    Callers must not log the result."""
    import json
    import tomllib
    from pathlib import Path

    from django.conf import settings

    config = dict(getattr(settings, "DRIVER_SETTINGS", {}).get(name, {}))
    path = getattr(settings, "GOVCLOUD_SECRETS_FILE", "")
    if path:
        file = Path(path)
        try:
            raw = file.read_bytes()
        except OSError as exc:
            raise DriverError(f"cannot read the secrets file ({exc.strerror})") from None
        try:
            data = tomllib.loads(raw.decode()) if file.suffix == ".toml" else json.loads(raw)
        except ValueError:
            raise DriverError("the secrets file is not valid JSON or TOML") from None
        config.update(data.get(name, {}))
    return config


@runtime_checkable
class CloudDriver(Protocol):
    """A virtualization API. `name` is what settings and WorkOrder.driver store."""

    name: str

    def create(self, ref: str, spec: HostSpec) -> CloudInstance: ...

    def resize(self, ref: str, spec: HostSpec) -> CloudInstance: ...

    def attach_disk(self, ref: str, size_gb: int, disk_type: str) -> CloudInstance: ...

    def change_bandwidth(self, ref: str, mbps: int) -> CloudInstance: ...

    def start(self, ref: str) -> CloudInstance: ...

    def stop(self, ref: str) -> CloudInstance: ...

    def delete(self, ref: str) -> None: ...

    def get(self, ref: str) -> CloudInstance | None: ...

    def list(self) -> list[CloudInstance]: ...

    def fetch_usage(self, ref: str) -> Usage: ...
