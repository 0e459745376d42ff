"""Issue 3's main journey in a real browser: a department asks not to migrate a system (Art. 3); the
center organizes the expert review; three experts vote; the leading group approves; the system is
then exempted. Also the migration dashboard and a system's compliance page, as users see them."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from govcloud.core.roles import Role
from govcloud.systems.models import HostingStatus, InformationSystem
from govcloud.workdays.services import calendar_seed_from_package
from tests.browser.conftest import shot
from tests.browser.test_journeys import enroll_totp, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def new_page(browser, live_server, viewport: tuple[int, int] = (1366, 900)):
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base = live_server.url
    return page


def test_migration_exemption_from_request_to_approval(browser, live_server, city):
    calendar_seed_from_package(actor=city.user(Role.CENTER_ADMIN))
    applicant = city.user(Role.DEPARTMENT_APPLICANT, username="dept_applicant", full_name="孙伟")
    admin = city.user(Role.CENTER_ADMIN, username="center_boss", full_name="王建国")
    experts = [
        city.user(Role.EXPERT, username=f"expert{i}", full_name=name)
        for i, name in enumerate(["徐教授", "马高工", "高研究员"])
    ]
    leader = city.user(Role.LEADING_GROUP, username="leader", full_name="赵志强")
    system = InformationSystem.objects.create(
        organization=city.dept_a,
        name="档案数字化系统",
        hosting_status=HostingStatus.OWN_ROOM,
        protection_level=2,
        purpose="馆藏档案数字化与利用",
    )

    # The department drafts and submits the request.
    page = new_page(browser, live_server)
    log_in(page, applicant.username)
    page.goto(page.base + f"/systems/{system.pk}/")
    page.click(f"a[href='/systems/{system.pk}/exemptions/new/']")
    page.fill("textarea[name=reasons]", "专用档案扫描设备与机房环境绑定，迁移需整体更换硬件，预算尚未落实。")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("[data-testid=exemption-state]")).to_have_attribute("data-state", "draft")
    exemption_url = page.url
    page.click("[data-testid=submit]")
    expect(page.locator("[data-testid=exemption-state]")).to_have_attribute("data-state", "submitted")

    # The center assigns three experts.
    center = new_page(browser, live_server)
    log_in(center, admin.username)
    enroll_totp(center)
    center.goto(exemption_url)
    for expert in experts:
        center.get_by_label(re.compile(expert.full_name)).check()
    center.click("[data-testid=assign]")
    expect(center.locator("[data-testid=votes]")).to_contain_text(experts[0].full_name)

    # Each expert votes with an opinion.
    for expert in experts:
        reviewer = new_page(browser, live_server)
        log_in(reviewer, expert.username)
        reviewer.goto(exemption_url)
        reviewer.check("input[name=vote][value=approve]")
        reviewer.fill("textarea[name=opinion]", "设备专用、迁移成本高，同意暂缓迁移一年。")
        reviewer.click("[data-testid=vote]")
        expect(reviewer.locator("[data-testid=votes]")).to_contain_text("同意暂缓迁移一年")
        reviewer.context.close()

    # The center forwards; the leading group approves.
    center.goto(exemption_url)
    center.click("[data-testid=forward]")
    group = new_page(browser, live_server)
    log_in(group, leader.username)
    group.goto(exemption_url)
    group.check("input[name=decision][value=approve]")
    group.click("[data-testid=decide]")
    expect(group.locator("[data-testid=exemption-state]")).to_have_attribute("data-state", "approved")
    expect(group.locator("[data-testid=validity]")).to_be_visible()
    shot(group, "exemption-approved")

    system.refresh_from_db()
    assert system.hosting_status == HostingStatus.EXEMPTED
    page.goto(exemption_url)
    expect(page.locator("[data-testid=timeline]")).to_contain_text(leader.full_name)


def test_dashboard_and_compliance_page(browser, live_server, city):
    from datetime import date, timedelta

    from django.utils import timezone

    from govcloud.systems.services import assessment_record, filing_record

    calendar_seed_from_package(actor=city.user(Role.CENTER_ADMIN))
    head = city.user(Role.DEPARTMENT_HEAD, username="dept_head", full_name="周强")
    reviewer = city.user(Role.CENTER_REVIEWER, username="reviewer", full_name="李敏")
    cleared = InformationSystem.objects.create(
        organization=city.dept_a, name="政务服务平台", hosting_status=HostingStatus.ON_PLATFORM, protection_level=3
    )
    InformationSystem.objects.create(
        organization=city.dept_b,
        name="旧版办公系统",
        hosting_status=HostingStatus.OWN_ROOM,
        protection_level=2,
        planned_migration_date=date(2026, 6, 30),
    )
    filing_record(actor=head, system=cleared, filing_number="32120099202600001", filed_on=date(2026, 3, 1),
                  protection_level=3, filing_authority="泰州市公安局网络安全保卫支队")  # fmt: skip
    assessment_record(actor=head, system=cleared, assessed_on=timezone.localdate() - timedelta(days=30),
                      assessing_body="江苏省信息安全测评中心", score="86.50", conclusion="pass")  # fmt: skip

    page = new_page(browser, live_server)
    log_in(page, head.username)
    page.goto(page.base + f"/systems/{cleared.pk}/")
    expect(page.locator("[data-testid=gate-verdict]")).to_have_attribute("data-cleared", "true")
    shot(page, "system-compliance")

    dashboard = new_page(browser, live_server)
    log_in(dashboard, reviewer.username)
    dashboard.goto(dashboard.base + "/systems/migration/")
    expect(dashboard.locator("[data-testid=total-on-platform]")).to_have_text("1")
    expect(dashboard.locator("[data-chart] svg")).to_have_count(1)
    shot(dashboard, "migration-dashboard")
