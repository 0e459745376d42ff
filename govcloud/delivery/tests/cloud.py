"""Helpers for the tests that run against libvirt's built-in test hypervisor (`test:///default`): a
real libvirt connection whose domains live as long as the process, so each test starts and ends
with no domain the platform made."""

from __future__ import annotations

import pytest

from govcloud.delivery.drivers import get_cloud_driver

LIBVIRT_HOSTS = {"*": {"host": "libvirt"}}


def clean(cloud) -> None:
    for instance in cloud.list():
        if instance.managed:
            cloud.delete(instance.ref)


@pytest.fixture
def cloud():
    driver = get_cloud_driver("libvirt")
    clean(driver)
    yield driver
    clean(driver)


@pytest.fixture
def libvirt_hosts(settings, cloud):
    """Cloud hosts are delivered by the libvirt driver; everything else stays manual."""
    settings.DELIVERY_DRIVERS = LIBVIRT_HOSTS
    return cloud
