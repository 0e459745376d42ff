"""The policy page: every number with its article, value, who changed it and when, and a preview of
what a change does to the open applications before it is saved."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import login
from govcloud.applications.models import ApplicationState
from govcloud.applications.tests.helpers import advance, new_application
from govcloud.core.policy import DEFINITIONS, Policy, clear_cache
from govcloud.core.roles import Role

pytestmark = pytest.mark.django_db
S = ApplicationState


def _row(html: str, key: str) -> str:
    start = html.index(f'data-key="{key}"')
    return html[start : html.index("</tr>", start)]


def test_every_number_shows_its_article_value_and_who_changed_it(client, wf):
    login(client, wf.admin)
    client.post(reverse("policies:policy_update"), {"key": "acceptance_working_days", "value": "3"})
    clear_cache()
    html = client.get(reverse("policies:policy_list"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    for definition in DEFINITIONS.values():
        assert f'data-key="{definition.key.value}"' in html
    row = _row(html, "acceptance_working_days")
    assert "第八条" in row and 'value="3"' in row and "王主任" in row
    assert "第十条" in _row(html, "delivery_working_days_test")
    assert "新申请按新值计算" in html or "按新值计算" in html


def test_the_page_says_open_applications_keep_their_due_times(client, wf):
    advance(wf, new_application(wf), S.SUBMITTED)
    advance(wf, new_application(wf), S.SUBMITTED)
    new_application(wf)  # a draft: its clock has not started
    login(client, wf.admin)
    html = client.get(reverse("policies:policy_list"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    row = _row(html, "acceptance_working_days")
    assert "2 件在办申请不受影响" in row
    assert "1 件尚未到此环节的申请将按新值计算" in row


def test_the_preview_tells_the_new_due_time_and_the_applications_reached(client, wf):
    advance(wf, new_application(wf), S.SUBMITTED)
    login(client, wf.admin)
    url = reverse("policies:policy_preview")
    html = client.get(
        url, {"key": "approval_working_days", "value": "5"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "2 → <strong>5</strong>" in html
    assert "1 件在办申请不受影响" in html
    bad = client.get(url, {"key": "approval_working_days", "value": "99"}).content.decode()
    assert "允许的取值为 1 至 30。" in bad


def test_the_preview_is_only_for_those_who_may_change_the_policy(client, wf):
    login(client, wf.applicant)
    url = reverse("policies:policy_preview")
    assert client.get(url, {"key": "approval_working_days", "value": "5"}).status_code == 404
    assert client.get(url, {"key": "no_such_policy", "value": "5"}).status_code == 404
    # The list shows values but no impact counts to a department.
    html = client.get(reverse("policies:policy_list")).content.decode()
    assert 'data-testid="policy-impact"' not in html


def test_a_security_number_is_previewed_by_the_security_admin_only(client, wf):
    security_admin = wf.city.user(Role.SECURITY_ADMIN)
    login(client, security_admin)
    url = reverse("policies:policy_preview")
    assert client.get(url, {"key": Policy.LOCKOUT_MINUTES.value, "value": "20"}).status_code == 200
    login(client, wf.admin)
    assert client.get(url, {"key": Policy.LOCKOUT_MINUTES.value, "value": "20"}).status_code == 404


def test_the_page_takes_a_constant_number_of_queries(client, wf, django_assert_max_num_queries):
    for _ in range(3):
        advance(wf, new_application(wf), S.SUBMITTED)
    login(client, wf.admin)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("policies:policy_list")).status_code == 200
