"""An in-memory cloud implementing the CloudDriver protocol, for reconciliation's tests."""

from __future__ import annotations

import uuid

from govcloud.delivery.drivers.base import CloudInstance, DriverError, HostSpec, Usage


class FakeCloud:
    kinds = ("host",)

    def __init__(self, name: str = "fake"):
        self.name = name
        self.instances: dict[str, CloudInstance] = {}
        self.deleted: list[str] = []
        self.fail: str = ""

    # --- arranging the cloud ---------------------------------------------------------------------
    def put(self, ref: str, provider_id: str | None = None, *, kind: str = "host", **spec) -> CloudInstance:
        spec = {"vcpu": 4, "memory_gb": 8, "system_disk_gb": 50, "data_disk_gb": 200, **spec}
        instance = CloudInstance(
            ref=ref, provider_id=provider_id or str(uuid.uuid4()), kind=kind, running=True, spec=spec
        )
        self.instances[instance.provider_id] = instance
        return instance

    def remove(self, provider_id: str) -> None:
        self.instances.pop(provider_id, None)

    # --- the protocol -----------------------------------------------------------------------------
    def list(self) -> list[CloudInstance]:
        if self.fail:
            raise DriverError(self.fail)
        return list(self.instances.values())

    def get(self, ref: str) -> CloudInstance | None:
        return next((i for i in self.instances.values() if ref in (i.ref, i.provider_id)), None)

    def delete(self, ref: str) -> None:
        if self.fail:
            raise DriverError(self.fail)
        self.deleted.append(ref)
        for key in [k for k, i in self.instances.items() if ref in (i.ref, i.provider_id)]:
            del self.instances[key]

    def create(self, ref: str, spec: HostSpec) -> CloudInstance:
        return self.put(ref, vcpu=spec.vcpu, memory_gb=spec.memory_gb, system_disk_gb=spec.system_disk_gb)

    def resize(self, ref: str, spec: HostSpec) -> CloudInstance:
        raise NotImplementedError

    def attach_disk(self, ref: str, size_gb: int, disk_type: str) -> CloudInstance:
        raise NotImplementedError

    def change_bandwidth(self, ref: str, mbps: int) -> CloudInstance:
        raise NotImplementedError

    def start(self, ref: str) -> CloudInstance:
        raise NotImplementedError

    def stop(self, ref: str) -> CloudInstance:
        raise NotImplementedError

    def fetch_usage(self, ref: str) -> Usage:
        raise NotImplementedError
