"""The libvirt driver against libvirt's test hypervisor (a real connection, not a mock): domains
with the approved vCPU, memory and disks; resize, attach disk, bandwidth, stop/start, delete; list
with the platform's metadata; usage for metering; idempotent on the ref."""

from __future__ import annotations

import json

import libvirt
import pytest

from govcloud.delivery.drivers import CLOUD_DRIVERS, driver_for, get_cloud_driver, get_driver
from govcloud.delivery.drivers.base import CloudDriver, DriverError, HostSpec, driver_config
from govcloud.delivery.drivers.libvirt import LibvirtDriver

SPEC = HostSpec(vcpu=2, memory_gb=4, system_disk_gb=50, data_disk_gb=100, os_image="centos-7.0-64", bandwidth_mbps=10)


def test_create_defines_and_starts_a_domain_with_the_spec(cloud):
    assert isinstance(cloud, CloudDriver)
    made = cloud.create("TZ-VM-900001", SPEC)
    assert made.running and made.managed and made.kind == "host" and made.ref == "TZ-VM-900001"
    assert made.spec["vcpu"] == 2 and made.spec["memory_gb"] == 4
    assert made.spec["system_disk_gb"] == 50 and made.spec["data_disk_gb"] == 100 and made.spec["disks"] == 2
    domain = cloud.connection().lookupByUUIDString(made.provider_id)
    state, _max, memory_kib, vcpus, _cpu = domain.info()
    assert state == libvirt.VIR_DOMAIN_RUNNING and vcpus == 2 and memory_kib == 4 * 1024 * 1024
    # Idempotent: a second create (a retried task) adopts the domain.
    again = cloud.create("TZ-VM-900001", SPEC)
    assert again.provider_id == made.provider_id
    assert sum(1 for i in cloud.list() if i.ref == "TZ-VM-900001") == 1


def test_resize_attach_bandwidth_stop_start(cloud):
    cloud.create("TZ-VM-900002", SPEC)
    resized = cloud.resize("TZ-VM-900002", HostSpec(vcpu=4, memory_gb=8, system_disk_gb=60, data_disk_gb=200))
    assert resized.running and resized.spec["vcpu"] == 4 and resized.spec["memory_gb"] == 8
    assert resized.spec["system_disk_gb"] == 60 and resized.spec["data_disk_gb"] == 200
    domain = cloud.connection().lookupByName("TZ-VM-900002")
    assert domain.info()[3] == 4 and domain.info()[2] == 8 * 1024 * 1024  # applied to the running domain
    with pytest.raises(DriverError, match="cannot shrink"):
        cloud.resize("TZ-VM-900002", HostSpec(vcpu=4, memory_gb=8, system_disk_gb=10))
    attached = cloud.attach_disk("TZ-VM-900002", 20, "ssd")
    assert attached.spec["disks"] == 3 and attached.spec["data_disk_gb"] == 220
    assert cloud.change_bandwidth("TZ-VM-900002", 50).spec["bandwidth_mbps"] == 50
    assert "average='6250'" in domain.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)
    assert not cloud.stop("TZ-VM-900002").running
    assert cloud.start("TZ-VM-900002").running


def test_delete_is_idempotent_and_removes_the_disks(cloud):
    cloud.create("TZ-VM-900003", SPEC)
    cloud.delete("TZ-VM-900003")
    cloud.delete("TZ-VM-900003")
    assert cloud.get("TZ-VM-900003") is None
    assert not [v for v in cloud._pool().listVolumes() if v.startswith("TZ-VM-900003")]
    with pytest.raises(DriverError, match="no domain"):
        cloud.resize("TZ-VM-900003", SPEC)


def test_list_tells_the_platforms_domains_from_shadow_ones(cloud):
    made = cloud.create("TZ-VM-900004", SPEC)
    listed = {i.ref: i for i in cloud.list()}
    assert listed["TZ-VM-900004"].provider_id == made.provider_id and listed["TZ-VM-900004"].managed
    # The test hypervisor's own domain "test" was not made by the platform.
    shadow = listed["test"]
    assert not shadow.managed and shadow.kind == ""


def test_fetch_usage_reads_cpu_memory_and_disks(cloud):
    cloud.create("TZ-VM-900005", SPEC)
    usage = cloud.fetch_usage("TZ-VM-900005")
    assert usage.ref == "TZ-VM-900005" and usage.cpu_time_ns > 0 and usage.memory_gb == 4.0
    assert usage.disk_read_bytes > 0 and usage.disk_write_bytes > 0 and usage.disk_allocated_gb == 150


def test_credentials_come_from_the_secrets_file_and_never_reach_messages(settings, tmp_path):
    secrets = tmp_path / "secrets.json"
    secrets.write_text(json.dumps({"libvirt": {"uri": "test+tcp://ops:s3cret@127.0.0.1:1/default"}}))
    settings.GOVCLOUD_SECRETS_FILE = str(secrets)
    config = driver_config("libvirt")
    assert config["uri"].startswith("test+tcp://")
    driver = LibvirtDriver(dict(config, password="s3cret"))
    with pytest.raises(DriverError) as failed:
        driver.connection()
    assert "s3cret" not in str(failed.value)


def test_the_driver_is_chosen_per_item_and_region(settings):
    from govcloud.catalog.models import CatalogItem

    host = CatalogItem(code="host", kind="host")
    db = CatalogItem(code="rds", kind="database")
    assert driver_for(host) == "manual"
    settings.DELIVERY_DRIVERS = {"*": {"host": "libvirt"}, "north": {"*": "manual"}}
    assert driver_for(host) == "libvirt" and driver_for(db) == "manual"
    assert driver_for(host, "north") == "manual"
    assert get_driver("libvirt").name == "libvirt" and "libvirt" in CLOUD_DRIVERS
    assert get_cloud_driver("libvirt") is get_cloud_driver("libvirt")
    with pytest.raises(ValueError):
        get_driver("openstack")
