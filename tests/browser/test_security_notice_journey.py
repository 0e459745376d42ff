"""Issue 14's security notice journey in a real browser (Art. 17): the center issues a notice about a
vulnerability of a department's system; the department's security officer finds it under 运维,
answers with a rectification report and two evidence files; the center accepts it. Also the
monthly statistics of security events with their charts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from govcloud.core.roles import Role
from govcloud.security import services
from govcloud.security.models import NoticeRectification, RectificationStatus
from govcloud.security.tests.helpers import PDF, PNG
from govcloud.systems.models import InformationSystem
from govcloud.workdays.services import calendar_seed_from_package
from tests.browser.conftest import shot
from tests.browser.test_compliance_journeys import new_page
from tests.browser.test_journeys import enroll_totp, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_center_issues_a_notice_department_answers_with_evidence_center_accepts(browser, live_server, city, tmp_path):
    calendar_seed_from_package(actor=city.user(Role.CENTER_ADMIN))
    admin = city.user(Role.CENTER_ADMIN, username="center_boss", full_name="王建国")
    officer = city.user(Role.DEPARTMENT_SECURITY_OFFICER, username="dept_security", full_name="王芳")
    city.user(Role.DEPARTMENT_HEAD, org=city.dept_b, username="b_head", full_name="周强")
    system = InformationSystem.objects.create(
        organization=city.dept_a, name="预约挂号平台", internet_facing=True, protection_level=3
    )

    # The center issues the notice.
    center = new_page(browser, live_server)
    log_in(center, admin.username)
    enroll_totp(center)
    center.goto(center.base + "/security/notices/new/")
    center.fill("#id_title", "OpenSSH 远程代码执行漏洞（CVE-2024-6387）")
    center.select_option("#id_kind", "vulnerability")
    center.select_option("#id_severity", "high")
    center.fill("#id_description", "OpenSSH 8.5p1–9.7p1 的 sshd 存在信号处理竞争条件，可被远程利用。")
    center.fill("#id_required_measures", "升级 OpenSSH 至 9.8p1 及以上，并限制 22 端口访问来源。")
    center.select_option("#id_systems", [str(system.pk)])
    center.select_option("#id_organizations", [str(city.dept_b.pk)])
    center.fill("#id_working_days", "5")
    center.locator("[data-testid=security-form] button[type=submit]").click()
    expect(center.locator("[data-testid=notice-records] [data-status=issued]")).to_have_count(2)
    expect(center.locator("[data-testid=notice-due]")).to_contain_text("5 个工作日")
    shot(center, "security-notice-issued")

    # The department's security officer finds it in the Operations menu and answers.
    dept = new_page(browser, live_server)
    log_in(dept, officer.username)
    dept.click("nav [data-group=operations] > a")
    dept.click("nav [data-group=operations] a[href='/security/notices/']")
    expect(dept.locator("[data-testid=notice-table] tbody tr")).to_have_count(1)
    dept.locator("[data-testid=notice-table] tbody a").first.click()
    # It sees its own record only, never which other departments received the notice.
    expect(dept.locator("[data-testid=notice-records] tbody tr")).to_have_count(1)
    expect(dept.locator("[data-testid=notice-records]")).not_to_contain_text("乙局")
    dept.locator("[data-testid=notice-records] a").first.click()
    expect(dept.locator("[data-testid=rectification-status]")).to_have_attribute("data-status", "read")
    dept.click("[data-testid=report-submit]")
    dept.fill("#id_measures", "已将 4 台云主机的 OpenSSH 升级至 9.8p1，22 端口仅允许运维堡垒机访问。")
    dept.fill("#id_result", "平台复测未发现该漏洞。")
    scan, screenshot = tmp_path / "复测报告.pdf", tmp_path / "版本截图.png"
    scan.write_bytes(PDF)
    screenshot.write_bytes(PNG)
    dept.set_input_files("#id_evidence", [str(scan), str(screenshot)])
    dept.locator("[data-testid=security-form] button[type=submit]").click()
    expect(dept.locator("[data-testid=rectification-status]")).to_have_attribute("data-status", "submitted")
    expect(dept.locator("[data-testid=report] a")).to_have_count(2)
    shot(dept, "rectification-report-submitted")

    # The center accepts it.
    record = NoticeRectification.objects.get(organization=city.dept_a)
    center.goto(center.base + f"/security/notices/records/{record.pk}/")
    expect(center.locator("[data-testid=report]")).to_contain_text("9.8p1")
    center.fill("#id_comment", "复测通过，整改到位。")
    center.click("[data-testid=accept]")
    expect(center.locator("[data-testid=rectification-status]")).to_have_attribute("data-status", "accepted")
    expect(center.locator("[data-testid=timeline]")).to_contain_text("王芳")
    shot(center, "rectification-accepted")
    record.refresh_from_db()
    assert record.status == RectificationStatus.ACCEPTED


def test_security_event_statistics_with_charts(browser, live_server, city):
    provider = city.user(Role.PROVIDER_OPERATOR, username="provider_ops", full_name="陈立新")
    reviewer = city.user(Role.CENTER_REVIEWER, username="reviewer", full_name="李敏")
    portal = InformationSystem.objects.create(organization=city.dept_a, name="政务服务门户", protection_level=3)
    office = InformationSystem.objects.create(organization=city.dept_b, name="协同办公系统", protection_level=2)
    now = timezone.localtime()
    for day in range(1, 8):
        services.security_event_record(
            actor=provider,
            kind="attack_blocked",
            occurred_at=now - timedelta(days=day),
            count=300 + day * 41,
            source="WAF",
            summary="当日拦截的 Web 攻击",
        )
    services.security_event_record(
        actor=provider, kind="vulnerability", occurred_at=now - timedelta(days=2), count=3, systems=[portal],
        summary="漏洞扫描发现中危漏洞",
    )  # fmt: skip
    services.security_event_record(
        actor=provider, kind="malware", occurred_at=now - timedelta(days=3), systems=[office], summary="挖矿程序"
    )
    page = new_page(browser, live_server)
    log_in(page, reviewer.username)
    page.goto(page.base + f"/security/security-events/statistics/?month={(now - timedelta(days=1)):%Y-%m}")
    expect(page.locator("[data-chart] svg")).to_have_count(3)  # by kind, by department, six months
    expect(page.locator("[data-testid=by-department]")).to_contain_text(re.compile("甲局"))
    shot(page, "security-event-statistics")
