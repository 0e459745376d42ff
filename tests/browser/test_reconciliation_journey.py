"""Issue 5's reconciliation in a real browser, against libvirt's built-in test hypervisor: a host is
resized behind the platform's back and a domain is defined by hand; the center runs the
reconciliation, sees the drift and the shadow domain, asks for the shadow's deletion, confirms it
(no department owns it) and the domain is gone from the cloud."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from govcloud.core.actors import SYSTEM
from govcloud.core.roles import Role
from govcloud.delivery.drivers import get_cloud_driver
from govcloud.delivery.drivers.base import HostSpec
from govcloud.ledger import services as ledger_services
from govcloud.ledger.tests.helpers import adopt
from govcloud.reconciliation.models import Discrepancy, DiscrepancyKind, DiscrepancyState
from tests.browser.conftest import shot
from tests.browser.test_compliance_journeys import new_page
from tests.browser.test_journeys import enroll_totp, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROGUE = "rogue-vm-browser"
ROGUE_XML = (
    f"<domain type='test'><name>{ROGUE}</name><memory unit='KiB'>2097152</memory><vcpu>2</vcpu>"
    "<os><type>hvm</type></os></domain>"
)


@pytest.fixture
def cloud(settings):
    settings.DELIVERY_DRIVERS = {"*": {"host": "libvirt"}}
    driver = get_cloud_driver("libvirt")

    def clean():
        for instance in driver.list():
            if instance.managed or instance.ref == ROGUE:
                driver.delete(instance.ref)

    clean()
    yield driver
    clean()


def test_the_center_finds_drift_and_a_shadow_domain_and_deletes_the_shadow(browser, live_server, city, cloud):
    resource = adopt(city.dept_a, name="不动产登记业务主机")
    made = cloud.create(resource.code, HostSpec(vcpu=4, memory_gb=8, system_disk_gb=50, data_disk_gb=200))
    ledger_services.resource_correct(actor=SYSTEM, resource=resource, note="云主机编号", provider_ref=made.provider_id)
    # Behind the platform's back: the host gets 8 vCPU and a domain appears that nobody applied for.
    cloud.resize(resource.code, HostSpec(vcpu=8, memory_gb=8, system_disk_gb=50, data_disk_gb=200))
    cloud.connection().defineXML(ROGUE_XML)
    admin = city.user(Role.CENTER_ADMIN, username="center_boss", full_name="王建国")

    page = new_page(browser, live_server)
    log_in(page, admin.username)
    enroll_totp(page)
    page.goto(page.base + "/reconciliation/")
    page.click("[data-testid=run-now]")
    drift = page.locator("[data-testid=discrepancy-row]", has_text=resource.code)
    expect(drift).to_contain_text("vCPU")
    rogue = page.locator("[data-testid=discrepancy-row]", has_text=ROGUE)
    expect(rogue).to_have_count(1)
    shot(page, "reconciliation-list")

    rogue.locator("a").first.click()
    expect(page.locator("[data-testid=comparison]")).to_be_visible()
    page.locator("[data-testid=deletion-form] textarea").fill("无申请来源的虚拟机，经核实为测试遗留，申请删除。")
    page.locator("[data-testid=deletion-form] button").click()
    page.click("[data-testid=confirm-deletion]")
    expect(page.locator("[data-testid=state]").first).to_have_attribute("data-state", DiscrepancyState.DELETED)
    shot(page, "reconciliation-deleted")

    assert cloud.get(ROGUE) is None
    assert Discrepancy.objects.get(kind=DiscrepancyKind.DRIFT).resource == resource
    assert cloud.get(resource.code) is not None  # nothing else was touched
