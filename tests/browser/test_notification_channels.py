"""Notification channels in a real browser: a department head chooses SMS per kind of notification
on the settings page (with a channel the center made mandatory shown locked) and adds the
department's group robot. The settings page is screenshotted at 1280 px for the documentation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from govcloud.core.roles import Role
from govcloud.notifications import services
from govcloud.notifications.models import Channel, NotificationPreference, Robot
from tests.browser.test_journeys import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def test_head_chooses_sms_sees_the_mandate_and_adds_the_group_robot(browser, live_server, city, settings):
    settings.GOVCLOUD_SMS = {"url": "http://127.0.0.1:9/send", "template_id": "SMS_1", "signature": "台州政务云"}
    head = city.user(
        Role.DEPARTMENT_HEAD, full_name="周敏", username="zhoumin", phone="13700000000", email="zm@example.gov.cn"
    )
    services.channel_mandates_set(actor=city.user(Role.CENTER_ADMIN), mandates=[("incidents.major", Channel.SMS)])
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base = live_server.url
    try:
        log_in(page, head.username)
        page.click("[data-testid=user-menu]")
        page.click("text=我的通知设置")
        expect(page.locator("h1")).to_contain_text("我的通知设置")
        expect(page.locator("[data-testid='mandatory-sms-incidents.major']")).to_contain_text("中心要求")
        page.select_option("select[name='sms:incidents.update']", "on")
        page.click("[data-testid=preferences-save]")
        expect(page.locator(".alert-success, [role=alert]").first).to_be_visible()
        assert NotificationPreference.objects.get(user=head, kind="incidents.update").sms is True
        expect(page.locator("select[name='sms:incidents.update']")).to_have_value("on")
        DOCS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(DOCS / "notification-preferences.png"), full_page=True)

        page.click("nav [data-group=administration] > a")  # 平台管理
        page.click("nav >> text=通知渠道")
        expect(page.locator("h1")).to_contain_text("通知渠道")
        page.click("[data-testid=robot-add]")
        page.fill("#id_name", "甲局工作群")
        page.select_option("#id_platform", "dingtalk")
        page.select_option("#id_organization", str(city.dept_a.pk))
        page.fill("#id_webhook_url", "https://oapi.dingtalk.com/robot/send?access_token=abc123")
        page.fill("#id_secret", "SECxyz")
        page.click("[data-testid=submit]")
        expect(page).to_have_url(re.compile(r"/notifications/channels/$"))
        expect(page.locator("[data-testid=robot-list]")).to_contain_text("甲局工作群")
        expect(page.locator("[data-testid=robot-list]")).not_to_contain_text("abc123")
        robot = Robot.objects.get()
        assert robot.secret == "SECxyz" and robot.organization == city.dept_a
        page.screenshot(path=str(DOCS / "notification-channels.png"), full_page=True)
    finally:
        context.close()
