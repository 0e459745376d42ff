"""Reconciliation against a real libvirt (the built-in `test:///default` hypervisor): a domain
defined behind the platform's back is a shadow; a vCPU count changed outside the platform is drift."""

from __future__ import annotations

import pytest

from govcloud.core.actors import SYSTEM
from govcloud.delivery.drivers import get_cloud_driver
from govcloud.delivery.drivers.base import HostSpec
from govcloud.ledger import services as ledger_services
from govcloud.ledger.tests.helpers import adopt
from govcloud.reconciliation import services
from govcloud.reconciliation.models import Discrepancy, DiscrepancyKind

pytestmark = pytest.mark.django_db

ROGUE = "rogue-vm-reconciliation"
ROGUE_XML = (
    f"<domain type='test'><name>{ROGUE}</name><memory unit='KiB'>2097152</memory><vcpu>2</vcpu>"
    "<os><type>hvm</type></os></domain>"
)


@pytest.fixture
def libvirt_cloud(settings):
    settings.DELIVERY_DRIVERS = {"*": {"host": "libvirt"}}
    driver = get_cloud_driver("libvirt")

    def clean():
        for instance in driver.list():
            if instance.managed or instance.ref == ROGUE:
                driver.delete(instance.ref)

    clean()
    yield driver
    clean()


def test_libvirt_shadow_domain_and_drifted_vcpu(city, libvirt_cloud):
    resource = adopt(city.dept_a, name="业务主机")
    spec = HostSpec(vcpu=4, memory_gb=8, system_disk_gb=50, data_disk_gb=200)
    made = libvirt_cloud.create(resource.code, spec)
    ledger_services.resource_correct(actor=SYSTEM, resource=resource, note="云主机编号", provider_ref=made.provider_id)
    (first,) = services.reconciliation_run(actor=SYSTEM)
    assert first.driver == "libvirt" and first.drift_count == 0, first.error
    assert not Discrepancy.objects.filter(resource=resource).exists()

    # Behind the platform's back: a domain defined by hand, and the host resized directly.
    libvirt_cloud.connection().defineXML(ROGUE_XML)
    libvirt_cloud.resize(resource.code, HostSpec(vcpu=8, memory_gb=8, system_disk_gb=50, data_disk_gb=200))
    (second,) = services.reconciliation_run(actor=SYSTEM)
    rogue = Discrepancy.objects.get(kind=DiscrepancyKind.SHADOW, ref=ROGUE)
    assert rogue.observed["spec"]["vcpu"] == 2 and rogue.organization is None
    drift = Discrepancy.objects.get(kind=DiscrepancyKind.DRIFT, resource=resource)
    assert drift.fields == ["vcpu"]
    assert (drift.expected["columns"]["vcpu"], drift.observed["columns"]["vcpu"]) == (4, 8)
    assert drift.provider_id == made.provider_id
