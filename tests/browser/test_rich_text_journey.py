"""Issue 13's rich text in a real browser: the provider's engineer writes the month's operations
report in the editor (Quill, toolbar in Chinese), with a heading and a bulleted list, saves it, and
the detail page shows them as a heading and a list; all under the site's Content-Security-Policy
(the autouse fixture fails the test on any violation)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from govcloud.core.roles import Role
from govcloud.reports.models import ProviderReport
from tests.browser.conftest import shot
from tests.browser.test_journeys import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_provider_writes_a_heading_and_a_list(browser, live_server, city):
    provider = city.user(Role.PROVIDER_OPERATOR, username="provider_ops", full_name="陈立新")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base = live_server.url
    log_in(page, provider.username)
    page.goto(page.base + "/reports/provider/new/")

    # The textarea gives way to the toolbar and the editor; the toolbar speaks Chinese.
    expect(page.locator("[data-testid=rich-toolbar]")).to_be_visible()
    expect(page.locator("#id_body")).to_be_hidden()
    expect(page.locator("[data-testid=rich-bullet]")).to_have_attribute("title", "项目符号列表")
    expect(page.locator(".ql-picker.ql-header .ql-picker-label")).to_have_attribute("data-label", "正文")

    page.select_option("#id_kind", "operations")
    page.fill("#id_month", f"{timezone.localdate():%Y-%m}")
    page.fill("#id_title", "本月政务云运行维护报告")
    editor = page.locator(".gc-rich .ql-editor")
    editor.click()
    page.click(".ql-picker.ql-header .ql-picker-label")
    page.click(".ql-picker.ql-header .ql-picker-item[data-value='2']")
    page.keyboard.type("一、总体运行情况")
    page.keyboard.press("Enter")
    page.keyboard.type("本月平台运行平稳。")
    page.keyboard.press("Enter")
    page.click("[data-testid=rich-bullet]")
    page.keyboard.type("巡检 4 次，均正常")
    page.keyboard.press("Enter")
    page.keyboard.type("补丁更新 12 项")
    expect(editor.locator("h2")).to_have_text("一、总体运行情况")
    expect(editor.locator("li")).to_have_count(2)
    shot(page, "rich-text-editor")
    # The link box speaks Chinese too; Escape leaves it without a link.
    page.keyboard.press("Shift+Home")
    page.click(".gc-rich button.ql-link")
    tooltip = page.locator(".gc-rich .ql-tooltip")
    expect(tooltip).to_be_visible()
    expect(tooltip).to_have_attribute("data-enter", "链接地址：")
    assert tooltip.evaluate("e => getComputedStyle(e, '::before').content") == '"链接地址："'
    shot(page, "rich-text-editor-link")
    page.keyboard.press("Escape")
    expect(tooltip).to_be_hidden()

    page.get_by_role("button", name="保存").click()
    body = page.locator("[data-testid=report-body]")
    expect(body.locator("h2")).to_have_text("一、总体运行情况")
    expect(body.locator("ul > li")).to_have_text(["巡检 4 次，均正常", "补丁更新 12 项"])
    expect(body.locator("p")).to_have_text("本月平台运行平稳。")
    shot(page, "rich-text-detail")
    stored = ProviderReport.objects.get().body
    assert stored.startswith("<h2>一、总体运行情况</h2>") and "<ul><li>巡检 4 次，均正常</li>" in stored
    assert "&nbsp;" not in stored

    # Editing starts from the stored text: the heading and the list are back in the editor.
    page.click("text=编辑")
    expect(page.locator(".gc-rich .ql-editor h2")).to_have_text("一、总体运行情况")
    expect(page.locator(".gc-rich .ql-editor li")).to_have_count(2)
    # A table from the toolbar, below the list: three by three, one more row, cells typed in.
    page.locator(".gc-rich .ql-editor li").last.click()
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.click(".gc-rich button.ql-table-insert")
    cells = page.locator(".gc-rich .ql-editor td")
    expect(cells).to_have_count(9)
    cells.first.click()
    page.keyboard.type("数据库备份")
    cells.nth(1).click()
    page.keyboard.type("正常")
    page.click(".gc-rich button.ql-table-row")
    expect(cells).to_have_count(12)
    page.get_by_role("button", name="保存").click()
    expect(body.locator("table tr")).to_have_count(4)
    expect(body.locator("table td").first).to_have_text("数据库备份")
    expect(body.locator("h2")).to_have_text("一、总体运行情况")
    shot(page, "rich-text-detail-table")
    context.close()


def test_the_toolbar_speaks_english_in_english(browser, live_server, city):
    provider = city.user(Role.PROVIDER_OPERATOR, username="provider_ops", full_name="陈立新")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base = live_server.url
    log_in(page, provider.username)
    page.goto(page.base + "/reports/provider/new/")
    expect(page.locator("[data-testid=rich-bullet]")).to_have_attribute("title", "Bulleted list")
    expect(page.locator(".ql-picker.ql-header .ql-picker-label")).to_have_attribute("data-label", "Body text")
    expect(page.locator(".gc-rich .ql-tooltip")).to_have_attribute("data-enter", "Link address:")
    context.close()
