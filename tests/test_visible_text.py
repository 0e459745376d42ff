"""Every page, as each role, in Chinese: no raw code shows through (issue 16 §4) — no snake_case or
dotted code ("price_list.published", "in_delivery"), no Django "---------" placeholder, no filter
whose unset value reads "未知", no English "system" for the platform's own steps.

Only what a person sees as the page's own words is read: scripts, styles, comments, attributes,
<code> and typed <textarea> text are dropped. Data that
legitimately looks like code is allowed: usernames, e-mail addresses, host and file names."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from conftest import login
from govcloud.organizations.models import User
from tests.isolation import ENDPOINTS
from tests.test_isolation import World, _body
from tests.test_pages import ROLES

pytestmark = pytest.mark.django_db

# Hidden, or shown as what it is: code in <code> (a JSON syntax hint), what someone typed in a
# <textarea>.
HIDDEN = re.compile(r"<(script|style|template|code|textarea)\b.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL)
TAG = re.compile(r"<[^>]+>")
# Addresses, hosts and files (a.b@x.gov.cn, www.example.gov.cn, 盖章申请表.pdf) are data, not codes.
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
URL = re.compile(r"\b(?:https?://)?(?:[\w-]+\.)+(?:cn|com|org|net|gov|local|test|example)\b(?:/\S*)?", re.IGNORECASE)
FILE = re.compile(r"[\w.-]+\.(?:pdf|xlsx|docx|csv|png|jpe?g|zip|txt|json|log|svg|xml|ofd)\b", re.IGNORECASE)
SNAKE = re.compile(r"(?<![\w.-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w-])")
DOTTED = re.compile(r"(?<![\w.-])[a-z][a-z_]*\.[a-z][a-z_]*(?![\w-])")
PLACEHOLDER = re.compile(r"-{5,}")
ENGLISH_SYSTEM = re.compile(r"(?<![\w-])system(?![\w-])")
UNKNOWN_DEFAULT = re.compile(r"<option value=\"(?:unknown)?\"[^>]*>\s*(?:未知|Unknown)", re.IGNORECASE)


# The audit log is the stored record itself: each row shows its action's label and, beside it, the
# action code the tamper-evident chain hashes (auditors search by it).
TECHNICAL_RECORDS = frozenset({"audit:event_list", "audit:event_detail"})


def visible_text(page: str) -> str:
    return html.unescape(TAG.sub(" ", HIDDEN.sub(" ", page)))


def raw_codes(page: str, allowed: set[str]) -> list[str]:
    text = visible_text(page)
    for pattern in (EMAIL, URL, FILE):
        text = pattern.sub(" ", text)
    found = SNAKE.findall(text) + DOTTED.findall(text)
    found += PLACEHOLDER.findall(text) + ENGLISH_SYSTEM.findall(text) + UNKNOWN_DEFAULT.findall(page)
    return sorted({f for f in found if f not in allowed})


def test_the_detector_finds_what_it_must():
    page = (
        "<p>price_list.published · in_delivery · ssd</p><select><option value=''>---------</option></select>"
        "<select name=x><option value='unknown' selected>未知</option></select><li>system</li>"
    )
    found = raw_codes(page.replace("'", '"'), set())
    assert {"price_list.published", "in_delivery", "---------", "system"} <= set(found)
    assert any("未知" in f for f in found)
    harmless = (
        "<p data-x='snake_case'>孙伟 · a.b@x.gov.cn · www.example.gov.cn · 盖章申请表.pdf · 10.1.2.3 · ECS-0001 · "
        "db-mysql-5.6</p><script>var a_b = c.d;</script><!-- in_delivery -->"
    )
    assert raw_codes(harmless.replace("'", '"'), set()) == []


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value)
def test_no_raw_code_on_any_page(client, city, role):
    world = World(city)
    user = city.user(role)
    allowed = set(User.objects.values_list("username", flat=True))
    problems = []
    for name, probe in sorted(ENDPOINTS.items()):
        if "get" not in probe.methods or name in TECHNICAL_RECORDS:
            continue
        url = reverse(name, kwargs=probe.kwargs(world)) + (f"?{probe.query}" if probe.query else "")
        if url.startswith("/api/"):
            continue
        login(client, user)
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for code in raw_codes(_body(response), allowed):
            problems.append(f"{name} ({url}): {code}")
    assert not problems, "\n".join(problems)


def test_the_pages_named_in_the_issue_show_words_not_codes(client, city):
    """The cases new users met: the price list notification in the settings, the platform's own
    steps, a yes/no filter left unset, an empty choice."""
    from govcloud.core.actors import SYSTEM
    from govcloud.core.roles import Role
    from govcloud.notifications.services import notify
    from govcloud.workdays.services import calendar_seed_from_package

    calendar_seed_from_package(actor=SYSTEM)
    finance = city.user(Role.FINANCE_VIEWER)
    notify(recipients=[finance], kind="price_list.published", title="新价格表", link="/catalog/")
    login(client, finance)
    settings_page = client.get(reverse("notifications:preferences")).content.decode()
    assert "新价格表发布" in settings_page and "price_list.published" not in visible_text(settings_page)

    admin = city.user(Role.CENTER_ADMIN)
    login(client, admin)
    calendar = visible_text(client.get(reverse("workdays:calendar")).content.decode())
    assert "系统" in calendar and not ENGLISH_SYSTEM.search(calendar)
    applications = client.get(reverse("applications:application_list")).content.decode()
    assert not UNKNOWN_DEFAULT.search(applications) and "全部" in applications
    users = client.get(reverse("organizations:user_list")).content.decode()
    assert "---------" not in visible_text(users)


def test_a_statement_line_names_its_disk_type():
    from django.utils import translation

    from govcloud.billing.models import StatementLine

    with translation.override("zh-hans"):
        assert StatementLine(unit_detail="ssd").unit_detail_display == "超高 IO（SSD）"
        assert StatementLine(unit_detail="MySQL 5.7").unit_detail_display == "MySQL 5.7"
