"""Issue 14's service desk journey in a real browser (Art. 12, 13): a department reports a fault; the
on-duty engineer sees it on the board, claims it with a first answer, recovers it; the department
confirms and rates. A major incident: its written report filed and downloaded as PDF."""

from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from govcloud.core.actors import SYSTEM
from govcloud.core.roles import Role
from govcloud.incidents import services
from govcloud.incidents.models import Incident, IncidentSeverity, IncidentState
from govcloud.incidents.severities import severities_seed
from govcloud.ledger.tests.helpers import adopt
from govcloud.systems.models import InformationSystem
from govcloud.workdays.services import calendar_seed_from_package
from tests.browser.conftest import ARTIFACTS, shot
from tests.browser.test_compliance_journeys import new_page
from tests.browser.test_journeys import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_department_reports_engineer_claims_recovers_department_confirms_and_rates(browser, live_server, city):
    calendar_seed_from_package(actor=city.user(Role.CENTER_ADMIN))
    severities_seed()  # a transactional test before may have flushed them
    reporter = city.user(Role.DEPARTMENT_APPLICANT, username="dept_reporter", full_name="吴静")
    engineer = city.user(Role.PROVIDER_OPERATOR, username="duty_engineer", full_name="陈立新")
    backup = city.user(Role.PROVIDER_OPERATOR, username="backup_engineer", full_name="顾晓东")
    team = services.duty_team_create(actor=SYSTEM, name="一线值班组")
    now = timezone.now()
    services.duty_shift_add(
        actor=SYSTEM,
        team=team,
        starts_at=now - timedelta(hours=2),
        ends_at=now + timedelta(hours=10),
        primary=engineer,
        backup=backup,
    )
    system = InformationSystem.objects.create(organization=city.dept_a, name="预约挂号平台", protection_level=3)
    resource = adopt(city.dept_a, name="挂号前置机")
    # Other open incidents on the board: one already over its response limit.
    late = services.incident_report(
        actor=reporter, title="短信网关发送失败", symptom="验证码短信收不到", severity="general"
    )
    Incident.objects.filter(pk=late.pk).update(
        reported_at=now - timedelta(minutes=7), response_due_at=now - timedelta(minutes=2)
    )

    # The department reports the fault through the Operations menu.
    dept = new_page(browser, live_server)
    log_in(dept, reporter.username)
    dept.click("nav [data-group=operations] > a")
    dept.click("nav [data-group=operations] a[href='/incidents/']")
    dept.click("[data-testid=report-fault]")
    dept.fill("#id_title", "预约挂号平台无法访问")
    dept.fill("#id_symptom", "10:02 起首页返回 502，市民无法预约。")
    dept.select_option("#id_severity", str(IncidentSeverity.objects.get(code="serious").pk))
    dept.select_option("#id_system", str(system.pk))
    dept.select_option("#id_resources", [str(resource.pk)])
    dept.fill("#id_contact_phone", "0523-86830022")
    dept.click("[data-testid=submit]")
    expect(dept.locator("[data-testid=incident-state] [data-state]")).to_have_attribute("data-state", "reported")
    incident = Incident.objects.get(title="预约挂号平台无法访问")

    # The on-duty engineer sees it on the board (the late one first, highlighted) and claims it.
    desk = new_page(browser, live_server)
    log_in(desk, engineer.username)
    desk.goto(desk.base + "/incidents/board/")
    rows = desk.locator("[data-testid=board-row]")
    expect(rows).to_have_count(2)
    expect(rows.first).to_have_attribute("data-number", late.number)
    expect(rows.first).to_have_class("table-danger")
    shot(desk, "incident-service-desk-board")
    desk.locator(f"[data-testid=board-row][data-number='{incident.number}'] a").click()
    desk.fill("#id_message", "已收到，正在检查负载均衡与应用服务。")
    desk.click("[data-testid=claim-submit]")
    expect(desk.locator("[data-testid=incident-state] [data-state]")).to_have_attribute("data-state", "responded")
    expect(desk.locator("[data-testid=responded]")).to_contain_text("陈立新")
    desk.fill("#id_resolution", "应用服务内存溢出，已重启并扩大内存，服务恢复。")
    desk.fill("#id_root_cause", "挂号高峰期连接数激增导致内存溢出。")
    desk.click("[data-testid=recover-submit]")
    expect(desk.locator("[data-testid=incident-state] [data-state]")).to_have_attribute("data-state", "recovered")

    # The department sees the answer on the timeline, confirms and rates.
    dept.reload()
    expect(dept.locator("[data-testid=timeline]")).to_contain_text("已收到，正在检查负载均衡与应用服务。")
    dept.fill("#id_body", "请问原因是什么？")
    dept.click("[data-testid=message-submit]")
    dept.click("[data-testid=confirm-submit]")
    expect(dept.locator("[data-testid=incident-state] [data-state]")).to_have_attribute("data-state", "closed")
    dept.check("input[name=rating][value='5']")
    dept.fill("[data-testid=rate] #id_comment", "响应及时。")
    dept.click("[data-testid=rate-submit]")
    expect(dept.locator("[data-testid=rating]")).to_contain_text("5/5")
    expect(dept.locator("[data-testid=timeline] li")).to_have_count(6)
    shot(dept, "incident-timeline")
    incident.refresh_from_db()
    assert incident.state == IncidentState.CLOSED and incident.responded_in_time and incident.rating == 5


def test_a_major_incident_report_is_filed_and_downloaded_as_pdf(browser, live_server, city, tmp_path):
    calendar_seed_from_package(actor=city.user(Role.CENTER_ADMIN))
    severities_seed()  # a transactional test before may have flushed them
    reporter = city.user(Role.DEPARTMENT_APPLICANT, username="dept_reporter", full_name="吴静")
    engineer = city.user(Role.PROVIDER_OPERATOR, username="duty_engineer", full_name="陈立新")
    incident = services.incident_report(
        actor=reporter, title="政务云存储故障", symptom="多个部门系统无法写入数据。", severity="major"
    )
    services.incident_claim(actor=engineer, incident=incident, message="已响应，正在切换备用控制器。")

    desk = new_page(browser, live_server)
    log_in(desk, engineer.username)
    desk.goto(desk.base + f"/incidents/{incident.pk}/")
    expect(desk.locator("[data-testid=report-missing]")).to_be_visible()
    desk.click("[data-testid=major-report]")
    expect(desk.locator("#id_timeline")).not_to_be_empty()
    desk.fill("#id_impact", "市卫健委、市教育局等 3 个部门的系统中断约 40 分钟。")
    desk.fill("#id_cause", "存储控制器硬件故障，自动切换未生效。")
    desk.fill("#id_measures", "手工切换备用控制器，恢复服务；更换故障部件。")
    desk.fill("#id_lessons", "每季度开展存储切换演练。")
    desk.click("[data-testid=submit]")
    expect(desk.locator("[data-testid=report-missing]")).to_have_count(0)
    with desk.expect_download() as info:
        desk.click("[data-testid=major-report-pdf]")
    path = tmp_path / "report.pdf"
    info.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")
    ARTIFACTS.mkdir(exist_ok=True)
    if shutil.which("pdftoppm"):
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "80",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(path),
                str(ARTIFACTS / "incident-major-report-pdf"),
            ],
            check=True,
        )
