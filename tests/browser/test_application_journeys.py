"""Issue 4's main journeys in a real browser (Art. 8-11): a department applies for resources with
the online form; its head signs off; the center accepts and approves; the provider claims and
completes the work order; the department accepts the delivery and the resources are in the ledger,
in service. And an application returned for correction, edited and resubmitted."""

from __future__ import annotations

import re
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from govcloud.applications.models import Application, ApplicationState
from govcloud.applications.tests.helpers import HOST_SPEC, host_row, seed_catalog
from govcloud.core.actors import SYSTEM
from govcloud.core.roles import Role
from govcloud.ledger.models import Resource, ResourceState
from govcloud.systems import services as systems
from govcloud.systems.models import InformationSystem
from govcloud.workdays.services import calendar_seed_from_package
from tests.browser.conftest import ARTIFACTS, shot
from tests.browser.test_compliance_journeys import new_page
from tests.browser.test_journeys import enroll_totp, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def compliant_system(org) -> InformationSystem:
    system = InformationSystem.objects.create(
        organization=org,
        name="政务服务一网通办平台",
        protection_level=2,
        hosting_status="migrating",
        purpose="一网通办",
    )
    systems.filing_record(
        actor=SYSTEM,
        system=system,
        filing_number="32120099202600077",
        filed_on=timezone.localdate() - timedelta(days=300),
        filing_authority="泰州市公安局网络安全保卫支队",
    )
    systems.assessment_record(
        actor=SYSTEM,
        system=system,
        assessing_body="江苏省信息安全测评中心",
        assessed_on=timezone.localdate() - timedelta(days=60),
        score="88.00",
        conclusion="pass",
    )
    return system


def settled(page) -> None:
    """HTMX has swapped and processed the new content (its listeners are attached)."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-added, .htmx-settling, .htmx-swapping')"
    )


def choose(page, selector: str, value) -> None:
    page.select_option(selector, str(value))
    settled(page)


def fits(page) -> None:
    """The page fits the office screen it is shown on: nothing pushed off to the right."""
    width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def pdf_pages_as_png(pdf: bytes, name: str) -> list[Path]:
    """The first and the last page of a PDF as PNG pictures beside the screenshots, to be looked at."""
    ARTIFACTS.mkdir(exist_ok=True)
    source = ARTIFACTS / f"{name}.pdf"
    source.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(source)], capture_output=True, check=True, text=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))
    pictures = []
    for number, label in ((1, "first"), (pages, "last")):
        prefix = ARTIFACTS / f"{name}-{label}"
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "80",
                "-f",
                str(number),
                "-l",
                str(number),
                "-singlefile",
                str(source),
                str(prefix),
            ],
            check=True,
        )
        pictures.append(prefix.with_suffix(".png"))
    return pictures


# The whole journey on the two office screens the issue names (16: 1280x800 and 1920x1080).
@pytest.mark.parametrize("viewport", [(1280, 800), (1920, 1080)], ids=["1280x800", "1920x1080"])
def test_an_application_from_the_form_to_resources_in_service(browser, live_server, city, viewport):
    calendar_seed_from_package(actor=SYSTEM)
    seed_catalog()
    applicant = city.user(Role.DEPARTMENT_APPLICANT, username="dept_applicant", full_name="孙伟", phone="0523-86831234")
    head = city.user(Role.DEPARTMENT_HEAD, username="dept_head", full_name="周强")
    reviewer = city.user(Role.CENTER_REVIEWER, username="reviewer", full_name="李敏")
    admin = city.user(Role.CENTER_ADMIN, username="center_boss", full_name="王建国")
    provider = city.user(Role.PROVIDER_OPERATOR, username="provider_ops", full_name="陈立新")
    system = compliant_system(city.dept_a)

    # The applicant fills the form: two hosts and a storage, the estimate follows live.
    page = new_page(browser, live_server, viewport)
    log_in(page, applicant.username)
    page.goto(page.base + "/applications/new/")
    choose(page, "#id_system", system.pk)
    page.check("#id_environment_0")  # production
    page.fill("#id_purpose", "一网通办平台迁移上云：应用服务器两台、影像资料存储 2 TB。")
    page.fill("#id_requested_date", (timezone.localdate() + timedelta(days=10)).isoformat())
    host = page.locator("#id_items-0-catalog_item option", has_text="云主机").get_attribute("value")
    choose(page, "#id_items-0-catalog_item", host)
    expect(page.locator("#id_items-0-spec_vcpu")).to_be_visible()  # the row re-rendered with the host's fields
    page.fill("#id_items-0-quantity", "2")
    choose(page, "#id_items-0-spec_vcpu", HOST_SPEC["vcpu"])
    choose(page, "#id_items-0-spec_memory_gb", HOST_SPEC["memory_gb"])
    choose(page, "#id_items-0-spec_disk_type", HOST_SPEC["disk_type"])
    choose(page, "#id_items-0-spec_os_image", HOST_SPEC["os_image"])
    page.fill("#id_items-0-spec_system_disk_gb", str(HOST_SPEC["system_disk_gb"]))
    page.fill("#id_items-0-spec_data_disk_gb", str(HOST_SPEC["data_disk_gb"]))
    page.click("[data-testid=add-item]")
    expect(page.locator("[data-testid=item-row]")).to_have_count(2)
    settled(page)
    second = page.locator("[data-testid=item-row]").nth(1)
    storage_value = second.locator("select[data-testid=item-chooser] option", has_text="云存储").get_attribute("value")
    second.locator("select[data-testid=item-chooser]").select_option(storage_value)
    settled(page)
    page.locator("[data-testid=item-row]").nth(1).locator("input[name$=spec_storage_tb]").fill("2")
    page.locator("[data-testid=item-row]").nth(1).locator("input[name$=spec_storage_tb]").dispatch_event("change")
    expect(page.locator("[data-testid=estimate]")).not_to_contain_text("incomplete")
    expect(page.locator("[data-testid=estimate-total]")).to_have_text(re.compile(r"¥[1-9]"))
    page.evaluate("window.scrollTo(0, 0)")
    fits(page)
    shot(page, f"application-form-{viewport[0]}")
    page.click("[data-testid=save-draft]")
    expect(page.locator("[data-testid=application-state]")).to_have_attribute("data-state", "draft")
    url = page.url
    page.click("[data-testid=do-submit]")
    expect(page.locator("[data-testid=application-state]")).to_have_attribute("data-state", "awaiting_signoff")

    # The head signs off (电子签批).
    boss = new_page(browser, live_server, viewport)
    log_in(boss, head.username)
    boss.goto(url)
    boss.fill("[data-testid=step-sign_off] textarea", "同意迁移上云。")
    boss.click("[data-testid=do-sign_off]")
    expect(boss.locator("[data-testid=application-state]")).to_have_attribute("data-state", "submitted")

    # The center: the reviewer accepts from the inbox, the administrator approves.
    center = new_page(browser, live_server, viewport)
    log_in(center, reviewer.username)
    center.goto(center.base + "/applications/inbox/")
    expect(center.locator("[data-testid=inbox-row]")).to_have_count(1)
    fits(center)
    shot(center, f"center-inbox-{viewport[0]}")
    center.click("[data-testid=inbox-table] a.gc-mono")
    center.click("[data-testid=do-accept]")
    expect(center.locator("[data-testid=application-state]")).to_have_attribute("data-state", "accepted")
    chief = new_page(browser, live_server, viewport)
    log_in(chief, admin.username)
    enroll_totp(chief)
    chief.goto(url)
    fits(chief)
    shot(chief, f"application-approve-{viewport[0]}")
    chief.fill("#id_comment", "同意，按申请规格配置。")
    chief.click("[data-testid=approve]")
    expect(chief.locator("[data-testid=application-state]")).to_have_attribute("data-state", "in_delivery")

    # The provider claims and completes each work order with what was delivered.
    ops = new_page(browser, live_server, viewport)
    log_in(ops, provider.username)
    for n in range(2):
        ops.goto(ops.base + "/work-orders/")
        ops.locator("[data-testid=work-order-row] a.gc-mono").first.click()
        ops.click("[data-testid=claim]")
        form = ops.locator("[data-testid=complete-form]")
        for index in range(ops.locator("[data-testid=complete-form] input[name$=_name]").count()):
            ops.fill(f"[name=r{index}_name]", f"ywtb-{n + 1}-{index + 1}")
            # The network is chosen (政务外网 / 互联网), never typed.
            ops.select_option(f"[name=r{index}_addr0_network]", "extranet")
            ops.fill(f"[name=r{index}_addr0_address]", f"10.8.{n}.{index + 10}")
            ops.fill(f"[name=r{index}_provider_ref]", f"kvm-{n}{index}")
        form.locator("[name=note]").fill("已交付，账号已发至联系人。")
        if n == 0:
            fits(ops)
            shot(ops, f"work-order-{viewport[0]}")
        ops.click("[data-testid=complete]")
        expect(ops.locator("[data-testid=work-order-state]")).to_have_attribute("data-state", "completed")

    # The department tests and accepts: the gate is open, the resources go into service.
    page.goto(url)
    expect(page.locator("[data-testid=application-state]")).to_have_attribute("data-state", "delivered")
    expect(page.locator("[data-testid=gate-verdict]")).to_have_attribute("data-cleared", "true")
    # The filled form in the official layout, for stamping: a real PDF naming the system. It is
    # laid out in the background (a progress bar), then offered for download.
    page.click("[data-testid=download-pdf]")
    expect(page.get_by_test_id("pdf-ready")).to_be_visible(timeout=60_000)
    with page.expect_download() as download:
        page.get_by_test_id("pdf-ready").click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "政务服务一网通办平台" in text and "业务申请表" in text
    pdf_pages_as_png(pdf, f"application-form-pdf-{viewport[0]}")
    page.fill("[data-testid=step-accept_delivery] textarea", "功能与性能测试通过。")
    page.click("[data-testid=do-accept_delivery]")
    expect(page.locator("[data-testid=application-state]")).to_have_attribute("data-state", "in_service")
    expect(page.locator("[data-testid=timeline]")).to_contain_text("周强")
    expect(page.locator("[data-testid=timeline]")).to_contain_text("陈立新")
    fits(page)
    shot(page, f"application-timeline-{viewport[0]}")
    page.goto(page.base + "/applications/")
    fits(page)
    shot(page, f"application-list-{viewport[0]}")

    application = Application.objects.get()
    assert application.state == ApplicationState.IN_SERVICE
    resources = Resource.objects.filter(origin_application=application)
    assert resources.count() == 3
    assert set(resources.values_list("state", flat=True)) == {ResourceState.IN_SERVICE}
    assert all(r.in_service_at == application.in_service_at for r in resources)
    assert sorted(resources.values_list("name", flat=True)) == ["ywtb-1-1", "ywtb-1-2", "ywtb-2-1"]


def test_returned_for_correction_then_edited_and_resubmitted(browser, live_server, city):
    calendar_seed_from_package(actor=SYSTEM)
    seed_catalog()
    applicant = city.user(Role.DEPARTMENT_APPLICANT, username="dept_applicant", full_name="孙伟")
    head = city.user(Role.DEPARTMENT_HEAD, username="dept_head", full_name="周强")
    reviewer = city.user(Role.CENTER_REVIEWER, username="reviewer", full_name="李敏")
    system = InformationSystem.objects.create(organization=city.dept_a, name="档案管理系统", protection_level=2)

    from govcloud.applications import services
    from govcloud.applications.models import Environment

    app = services.application_create(
        actor=applicant,
        system=system,
        purpose="档案管理系统扩容",
        environment=Environment.TEST,
        contact_name="孙伟",
        contact_phone="0523-86831234",
        items=[host_row(4)],
    )
    services.application_submit(actor=applicant, application=app)
    services.application_sign_off(actor=head, application=app)
    url = f"/applications/{app.pk}/"

    center = new_page(browser, live_server)
    log_in(center, reviewer.username)
    center.goto(center.base + url)
    center.fill("[data-testid=step-return_for_correction] textarea", "四台主机依据不足：请补充访问量测算，或减为两台。")
    center.click("[data-testid=do-return_for_correction]")
    expect(center.locator("[data-testid=application-state]")).to_have_attribute("data-state", "returned")

    page = new_page(browser, live_server)
    log_in(page, applicant.username)
    page.goto(page.base + url)
    expect(page.locator("[data-testid=return-reasons]")).to_contain_text("请补充访问量测算")
    page.click("[data-testid=edit]")
    page.fill("#id_items-0-quantity", "2")
    page.fill("#id_purpose", "档案管理系统扩容（按中心意见减为两台，日均访问约 5000 人次）")
    page.click("[data-testid=save-draft]")
    expect(page.locator("[data-testid=items]")).to_contain_text("2")
    page.click("[data-testid=do-submit]")
    expect(page.locator("[data-testid=application-state]")).to_have_attribute("data-state", "awaiting_signoff")

    boss = new_page(browser, live_server)
    log_in(boss, head.username)
    boss.goto(boss.base + url)
    boss.click("[data-testid=do-sign_off]")
    expect(boss.locator("[data-testid=application-state]")).to_have_attribute("data-state", "submitted")
    app.refresh_from_db()
    assert app.items.get().quantity == 2 and app.decision_due_at is not None
    assert list(app.events.values_list("action", flat=True)).count("sign_off") == 2
