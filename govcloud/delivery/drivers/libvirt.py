"""The libvirt driver: cloud hosts as libvirt domains (Art. 7, dynamic resource management).

A host is one persistent domain named after the platform's ref (the ledger code, e.g. TZ-VM-000123)
with the approved vCPU and memory, a system volume and a data volume in a storage pool, and one
network interface (bandwidth as the interface's `<bandwidth>`). The domain's `<metadata>` carries the
platform's ref and resource kind, so `list()` tells what the platform created from what someone made
by hand (a shadow domain, for reconciliation).

Every call is idempotent on the ref: `create` of an existing domain returns it (a retry after a crash
adopts what the first attempt made), `delete` of a missing domain succeeds, `resize` sets the target
spec rather than adding to it.

The URI (settings.LIBVIRT_URI; `test:///default` — libvirt's built-in test hypervisor — by default,
`qemu:///system` in production) and any credentials come from `driver_config("libvirt")`: settings
or the secrets file, never the database; error messages are scrubbed of them before they are stored.
One connection is kept per process and URI (the test hypervisor keeps its domains per process).
"""

from __future__ import annotations

import contextlib
import re
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

import libvirt
from django.conf import settings

from govcloud.delivery.drivers.base import CloudInstance, DriverError, HostSpec, Usage, driver_config

NS = "https://govcloud.gov.cn/ns/platform/1"
PREFIX = "gc"
GIB = 1024**3
KIB_PER_GIB = 1024 * 1024
HOST = "host"

_connections: dict[str, Any] = {}
_lock = threading.Lock()


def _quiet(_ctx, _err) -> None:
    """libvirt prints every error to stderr by default; errors reach callers as DriverError instead."""


libvirt.registerErrorHandler(_quiet, None)


class LibvirtDriver:
    name = "libvirt"

    def __init__(self, config: dict | None = None) -> None:
        config = dict(config if config is not None else driver_config(self.name))
        self.uri: str = config.get("uri") or getattr(settings, "LIBVIRT_URI", "") or "test:///default"
        self._username: str = config.get("username", "")
        self._password: str = config.get("password", "")
        is_test = self.uri.startswith("test:")
        self.domain_type: str = config.get("domain_type") or ("test" if is_test else "kvm")
        self.pool_name: str = config.get("pool") or ("default-pool" if is_test else "default")
        self.network: str = config.get("network") or "default"

    # --- connection and errors ---------------------------------------------------------------

    def _safe(self, message: str) -> str:
        message = re.sub(r"//[^/@\s]*@", "//***@", message or "")
        for secret in (self._password, self._username):
            if secret:
                message = message.replace(secret, "***")
        return message[:500]

    def _error(self, exc: Exception, doing: str) -> DriverError:
        text = exc.get_error_message() if isinstance(exc, libvirt.libvirtError) else str(exc)
        return DriverError(self._safe(f"libvirt could not {doing}: {text}"))

    def _open(self):
        if self._username or self._password:

            def answer(credentials, _data):
                for credential in credentials:
                    if credential[0] == libvirt.VIR_CRED_AUTHNAME:
                        credential[4] = self._username
                    elif credential[0] == libvirt.VIR_CRED_PASSPHRASE:
                        credential[4] = self._password
                return 0

            auth = [[libvirt.VIR_CRED_AUTHNAME, libvirt.VIR_CRED_PASSPHRASE], answer, None]
            return libvirt.openAuth(self.uri, auth, 0)
        return libvirt.open(self.uri)

    def connection(self):
        with _lock:
            conn = _connections.get(self.uri)
            try:
                alive = conn is not None and conn.isAlive()
            except libvirt.libvirtError:
                alive = False
            if not alive:
                try:
                    conn = self._open()
                except libvirt.libvirtError as exc:
                    raise self._error(exc, "connect to the hypervisor") from None
                _connections[self.uri] = conn
            return conn

    def _call(self, doing: str, fn: Callable, *args):
        try:
            return fn(*args)
        except libvirt.libvirtError as exc:
            raise self._error(exc, doing) from None

    def _domain(self, ref: str):
        try:
            return self.connection().lookupByName(ref)
        except libvirt.libvirtError as exc:
            if exc.get_error_code() == libvirt.VIR_ERR_NO_DOMAIN:
                return None
            raise self._error(exc, f"look up {ref}") from None

    def _require(self, ref: str):
        domain = self._domain(ref)
        if domain is None:
            raise DriverError(f"libvirt has no domain {ref}.")
        return domain

    def _pool(self):
        conn = self.connection()
        pool = self._call(f"open the storage pool {self.pool_name}", conn.storagePoolLookupByName, self.pool_name)
        if not pool.isActive():
            self._call("start the storage pool", pool.create, 0)
        return pool

    # --- volumes -------------------------------------------------------------------------------

    def _volume(self, name: str, size_gb: int):
        """The named volume, created (or grown) to size_gb."""
        pool = self._pool()
        try:
            volume = pool.storageVolLookupByName(name)
        except libvirt.libvirtError:
            xml = (
                f"<volume><name>{name}</name><capacity unit='G'>{size_gb}</capacity>"
                "<allocation>0</allocation><target><format type='qcow2'/></target></volume>"
            )
            return self._call(f"create the volume {name}", pool.createXML, xml, 0)
        capacity = volume.info()[1]
        if size_gb * GIB < capacity:
            raise DriverError(f"the disk {name} cannot shrink from {capacity // GIB} GB to {size_gb} GB.")
        if size_gb * GIB > capacity:
            try:
                volume.resize(size_gb * GIB, 0)
            except libvirt.libvirtError as exc:
                if exc.get_error_code() != libvirt.VIR_ERR_NO_SUPPORT or self.domain_type != "test":
                    raise self._error(exc, f"grow the volume {name}") from None
                # libvirt's test hypervisor cannot resize volumes (its volumes hold no data): replace it.
                path = volume.path()
                self._call(f"replace the volume {name}", volume.delete, 0)
                volume = self._volume(name, size_gb)
                assert volume.path() == path
        return volume

    def _volume_size_gb(self, path: str) -> int:
        try:
            return int(self.connection().storageVolLookupByPath(path).info()[1] // GIB)
        except libvirt.libvirtError:
            return 0

    # --- domain XML ----------------------------------------------------------------------------

    @staticmethod
    def _disk_xml(path: str, dev: str) -> str:
        return (
            f"<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
            f"<source file='{path}'/><target dev='{dev}' bus='virtio'/></disk>"
        )

    @staticmethod
    def _bandwidth_xml(mbps: int) -> str:
        if not mbps:
            return ""
        kbytes = mbps * 125  # libvirt counts kilobytes per second
        return f"<bandwidth><inbound average='{kbytes}'/><outbound average='{kbytes}'/></bandwidth>"

    def _define_xml(self, ref: str, spec: HostSpec, disks: list[str]) -> str:
        memory = spec.memory_gb * KIB_PER_GIB
        devices = "".join(self._disk_xml(path, f"vd{chr(ord('a') + n)}") for n, path in enumerate(disks))
        return (
            f"<domain type='{self.domain_type}'><name>{ref}</name>"
            f"<metadata><{PREFIX}:platform xmlns:{PREFIX}='{NS}'><{PREFIX}:ref>{ref}</{PREFIX}:ref>"
            f"<{PREFIX}:kind>{HOST}</{PREFIX}:kind><{PREFIX}:os>{spec.os_image}</{PREFIX}:os>"
            f"<{PREFIX}:disk_type>{spec.disk_type}</{PREFIX}:disk_type>"
            f"<{PREFIX}:bandwidth>{spec.bandwidth_mbps}</{PREFIX}:bandwidth></{PREFIX}:platform></metadata>"
            f"<memory unit='KiB'>{memory}</memory><currentMemory unit='KiB'>{memory}</currentMemory>"
            f"<vcpu placement='static'>{spec.vcpu}</vcpu>"
            "<os><type arch='x86_64'>hvm</type><boot dev='hd'/></os>"
            f"<devices>{devices}<interface type='network'><source network='{self.network}'/>"
            f"<model type='virtio'/>{self._bandwidth_xml(spec.bandwidth_mbps)}</interface></devices></domain>"
        )

    def _metadata(self, domain) -> dict[str, str]:
        try:
            raw = domain.metadata(libvirt.VIR_DOMAIN_METADATA_ELEMENT, NS, libvirt.VIR_DOMAIN_AFFECT_CONFIG)
        except libvirt.libvirtError:
            return {}
        root = ET.fromstring(raw)
        return {child.tag.rsplit("}", 1)[-1]: (child.text or "") for child in root}

    def _config(self, domain) -> ET.Element:
        return ET.fromstring(self._call("read the domain", domain.XMLDesc, libvirt.VIR_DOMAIN_XML_INACTIVE))

    def _redefine(self, root: ET.Element) -> None:
        ET.register_namespace(PREFIX, NS)
        self._call("redefine the domain", self.connection().defineXML, ET.tostring(root, encoding="unicode"))

    def _restart(self, ref: str) -> None:
        """Apply the persistent configuration to a running domain (a cold resize)."""
        domain = self._require(ref)
        if domain.isActive():
            self._call("stop the domain", domain.destroy)
            self._call("start the domain", domain.create)

    def _instance(self, domain) -> CloudInstance:
        root = self._config(domain)
        meta = self._metadata(domain)
        disks = [
            source.get("file", "")
            for disk in root.findall("./devices/disk[@device='disk']")
            if (source := disk.find("source")) is not None
        ]
        sizes = [self._volume_size_gb(path) for path in disks]
        memory = int(root.findtext("memory") or 0)
        spec = {
            "vcpu": int(root.findtext("vcpu") or 0),
            "memory_gb": memory // KIB_PER_GIB,
            "system_disk_gb": sizes[0] if sizes else 0,
            "data_disk_gb": sum(sizes[1:]),
            "disks": len(disks),
            "bandwidth_mbps": int(meta.get("bandwidth") or 0),
        }
        if meta.get("os"):
            spec["os_image"] = meta["os"]
        if meta.get("disk_type"):
            spec["disk_type"] = meta["disk_type"]
        managed = bool(meta.get("ref"))
        addresses = []
        if domain.isActive():
            try:
                found = domain.interfaceAddresses(libvirt.VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE, 0)
            except libvirt.libvirtError:
                found = {}
            for details in found.values():
                for address in details.get("addrs") or []:
                    addresses.append({"network": "extranet", "address": address["addr"]})
        return CloudInstance(
            ref=meta["ref"] if managed else domain.name(),
            provider_id=domain.UUIDString(),
            kind=meta.get("kind", "") if managed else "",
            running=bool(domain.isActive()),
            spec=spec,
            addresses=addresses,
            managed=managed,
            name=domain.name(),
        )

    # --- the CloudDriver interface -------------------------------------------------------------

    def create(self, ref: str, spec: HostSpec) -> CloudInstance:
        domain = self._domain(ref)
        if domain is None:
            disks = [self._volume(f"{ref}-system.qcow2", spec.system_disk_gb).path()]
            if spec.data_disk_gb:
                disks.append(self._volume(f"{ref}-data1.qcow2", spec.data_disk_gb).path())
            xml = self._define_xml(ref, spec, disks)
            domain = self._call(f"define {ref}", self.connection().defineXML, xml)
        if not domain.isActive():
            self._call(f"start {ref}", domain.create)
        return self._instance(domain)

    def resize(self, ref: str, spec: HostSpec) -> CloudInstance:
        domain = self._require(ref)
        root = self._config(domain)
        vcpu = root.find("vcpu")
        vcpu.text = str(spec.vcpu)
        vcpu.attrib.pop("current", None)
        for tag in ("memory", "currentMemory"):
            element = root.find(tag)
            if element is not None:
                element.set("unit", "KiB")
                element.text = str(spec.memory_gb * KIB_PER_GIB)
        devices = root.find("devices")
        disks = devices.findall("disk[@device='disk']")
        if spec.system_disk_gb and disks:
            self._volume(f"{ref}-system.qcow2", spec.system_disk_gb)
        if spec.data_disk_gb:
            volume = self._volume(f"{ref}-data1.qcow2", spec.data_disk_gb)
            if len(disks) < 2:
                devices.insert(len(disks), ET.fromstring(self._disk_xml(volume.path(), "vdb")))
        if spec.bandwidth_mbps:
            self._set_bandwidth(root, spec.bandwidth_mbps)
        self._redefine(root)
        self._restart(ref)
        return self._instance(self._require(ref))

    def attach_disk(self, ref: str, size_gb: int, disk_type: str) -> CloudInstance:
        domain = self._require(ref)
        root = self._config(domain)
        count = len(root.findall("./devices/disk[@device='disk']"))
        volume = self._volume(f"{ref}-data{count}.qcow2", size_gb)
        disk = self._disk_xml(volume.path(), f"vd{chr(ord('a') + count)}")
        flags = libvirt.VIR_DOMAIN_AFFECT_CONFIG | (libvirt.VIR_DOMAIN_AFFECT_LIVE if domain.isActive() else 0)
        try:
            domain.attachDeviceFlags(disk, flags)
        except libvirt.libvirtError as exc:
            if exc.get_error_code() not in (libvirt.VIR_ERR_NO_SUPPORT, libvirt.VIR_ERR_OPERATION_INVALID):
                raise self._error(exc, f"attach a disk to {ref}") from None
            # A hypervisor without hot-plug (the test driver): add it to the configuration.
            root.find("devices").append(ET.fromstring(disk))
            self._redefine(root)
        return self._instance(self._require(ref))

    def _set_bandwidth(self, root: ET.Element, mbps: int) -> None:
        for interface in root.findall("./devices/interface"):
            old = interface.find("bandwidth")
            if old is not None:
                interface.remove(old)
            if mbps:
                interface.append(ET.fromstring(self._bandwidth_xml(mbps)))
        meta = root.find(f"metadata/{{{NS}}}platform")
        if meta is not None:
            element = meta.find(f"{{{NS}}}bandwidth")
            if element is None:
                element = ET.SubElement(meta, f"{{{NS}}}bandwidth")
            element.text = str(mbps)

    def change_bandwidth(self, ref: str, mbps: int) -> CloudInstance:
        domain = self._require(ref)
        root = self._config(domain)
        self._set_bandwidth(root, mbps)
        self._redefine(root)
        if domain.isActive():
            live = ET.fromstring(self._call(f"read {ref}", domain.XMLDesc, 0))
            for target in live.findall("./devices/interface/target"):
                params = {"inbound.average": mbps * 125, "outbound.average": mbps * 125}
                # Where it cannot be applied live, the next start applies the configuration.
                with contextlib.suppress(libvirt.libvirtError):
                    domain.setInterfaceParameters(target.get("dev"), params, libvirt.VIR_DOMAIN_AFFECT_LIVE)
        return self._instance(self._require(ref))

    def start(self, ref: str) -> CloudInstance:
        domain = self._require(ref)
        if not domain.isActive():
            self._call(f"start {ref}", domain.create)
        return self._instance(domain)

    def stop(self, ref: str) -> CloudInstance:
        domain = self._require(ref)
        if domain.isActive():
            self._call(f"stop {ref}", domain.destroy)
        return self._instance(domain)

    def delete(self, ref: str) -> None:
        domain = self._domain(ref)
        if domain is not None:
            if domain.isActive():
                self._call(f"stop {ref}", domain.destroy)
            self._call(f"undefine {ref}", domain.undefine)
        pool = self._pool()
        for name in self._call("list the volumes", pool.listVolumes):
            if name.startswith(f"{ref}-"):
                try:
                    pool.storageVolLookupByName(name).delete(0)
                except libvirt.libvirtError as exc:
                    if exc.get_error_code() != libvirt.VIR_ERR_NO_STORAGE_VOL:
                        raise self._error(exc, f"delete the volume {name}") from None

    def get(self, ref: str) -> CloudInstance | None:
        domain = self._domain(ref)
        return self._instance(domain) if domain is not None else None

    def list(self) -> list[CloudInstance]:
        domains = self._call("list the domains", self.connection().listAllDomains, 0)
        return sorted((self._instance(d) for d in domains), key=lambda i: i.ref)

    def fetch_usage(self, ref: str) -> Usage:
        domain = self._require(ref)
        _state, _max_memory, memory_kib, _vcpus, cpu_time = self._call(f"read {ref}", domain.info)
        read = written = 0
        allocated = 0.0
        live = ET.fromstring(self._call(f"read {ref}", domain.XMLDesc, 0))
        for disk in live.findall("./devices/disk[@device='disk']"):
            target, source = disk.find("target"), disk.find("source")
            if domain.isActive() and target is not None:
                stats = self._call(f"read the disk statistics of {ref}", domain.blockStats, target.get("dev"))
                read += int(stats[1])
                written += int(stats[3])
            if source is not None:
                allocated += self._volume_size_gb(source.get("file", ""))
        return Usage(
            ref=ref,
            cpu_time_ns=int(cpu_time),
            memory_gb=round(memory_kib / KIB_PER_GIB, 3),
            disk_read_bytes=read,
            disk_write_bytes=written,
            disk_allocated_gb=allocated,
        )
