"""The maintenance pages, driven as people use them (assertions on data and test ids; pages are in
Chinese by default)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from conftest import login
from govcloud.maintenance.models import MaintenanceWindow, WindowState
from govcloud.maintenance.tests.helpers import NOW, SH, approved, draft

pytestmark = pytest.mark.django_db
INLINE = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>|\sstyle=\"", re.I)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def local(moment) -> str:
    return moment.astimezone(SH).strftime("%Y-%m-%dT%H:%M")


def test_draft_submit_approve_through_the_pages(client, m):
    login(client, m.provider)
    start = NOW + timedelta(days=2)
    form = {
        "title": "数据库集群版本升级",
        "kind": "planned",
        "start": local(start),
        "end": local(start + timedelta(hours=2)),
        "impact": "数据库只读约 30 分钟。",
        "resource_codes": f"{m.res_a.code}, NOPE-1",
    }
    response = client.post(reverse("maintenance:window_create"), form)
    assert "NOPE-1" in str(response.context["form"].errors["resource_codes"])
    response = client.post(reverse("maintenance:window_create"), {**form, "resource_codes": m.res_a.code})
    window = MaintenanceWindow.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "maintenance:window_detail", args=[window.pk]
    )
    page = html(client.get(response["Location"]))
    assert 'data-testid="submit"' in page and 'data-testid="window-edit"' in page
    # Two days' notice for a planned window: refused with the reason; as an emergency it goes.
    client.post(reverse("maintenance:window_transition", args=[window.pk]), {"action": "submit"})
    assert MaintenanceWindow.objects.get().state == WindowState.DRAFT
    assert 'data-testid="submit"' in html(client.get(reverse("maintenance:window_detail", args=[window.pk])))
    edit = client.post(
        reverse("maintenance:window_edit", args=[window.pk]),
        {**form, "kind": "emergency", "resource_codes": m.res_a.code},
    )
    assert edit.status_code == 302
    client.post(reverse("maintenance:window_transition", args=[window.pk]), {"action": "submit"})
    assert MaintenanceWindow.objects.get().state == WindowState.SUBMITTED
    login(client, m.center)
    page = html(client.get(reverse("maintenance:window_detail", args=[window.pk])))
    assert 'data-testid="window-decision"' in page and 'data-testid="window-edit"' not in page
    client.post(reverse("maintenance:window_transition", args=[window.pk]), {"action": "approve", "comment": "同意"})
    assert MaintenanceWindow.objects.get().state == WindowState.APPROVED
    login(client, m.a_head)
    page = html(client.get(reverse("maintenance:window_detail", args=[window.pk])))
    assert (
        m.res_a.code in page and 'data-testid="window-decision"' not in page and 'data-testid="cancel-form"' not in page
    )
    assert 'data-testid="timeline"' in page


def test_the_provider_starts_and_completes_from_the_page(client, m, frozen):
    window = approved(m)
    login(client, m.provider)
    detail = reverse("maintenance:window_detail", args=[window.pk])
    assert 'data-testid="start"' not in html(client.get(detail))  # not before the planned start
    frozen.move_to(window.start + timedelta(minutes=2))
    login(client, m.provider)  # the session has idled out meanwhile
    assert 'data-testid="start"' in html(client.get(detail))
    client.post(reverse("maintenance:window_transition", args=[window.pk]), {"action": "start"})
    assert 'data-testid="complete"' in html(client.get(detail))
    client.post(reverse("maintenance:window_transition", args=[window.pk]), {"action": "complete"})
    assert MaintenanceWindow.objects.get().state == WindowState.COMPLETED


def test_a_department_cannot_use_the_provider_pages(client, m):
    window = approved(m)
    login(client, m.a_head)
    assert client.get(reverse("maintenance:window_create")).status_code == 403
    assert client.get(reverse("maintenance:window_edit", args=[window.pk])).status_code == 403
    client.post(reverse("maintenance:window_transition", args=[window.pk]), {"action": "cancel", "comment": "x"})
    assert MaintenanceWindow.objects.get().state == WindowState.APPROVED
    login(client, m.b_head)
    assert client.get(reverse("maintenance:window_detail", args=[window.pk])).status_code == 404


def test_the_list_filters_by_state_and_month(client, m):
    a = approved(m, title="甲窗口")
    d = draft(m, title="乙窗口", days_ahead=40)
    login(client, m.center)
    page = html(client.get(reverse("maintenance:window_list")))
    assert a.number in page and d.number in page and not INLINE.search(page)
    assert 'lang="zh-hans"' in page and "维护窗口" in page
    page = html(client.get(reverse("maintenance:window_list") + "?state=approved"))
    assert a.number in page and d.number not in page
    page = html(client.get(reverse("maintenance:window_list") + "?month=2026-07"))
    assert a.number not in page and d.number in page
    login(client, m.a_head)
    page = html(client.get(reverse("maintenance:window_list")))
    assert a.number in page and d.number not in page


def test_the_upcoming_agenda(client, m):
    soon = approved(m, days_ahead=4)
    later = approved(m, days_ahead=9, resources=[m.res_b])
    login(client, m.a_head)
    page = html(client.get(reverse("maintenance:window_upcoming")))
    assert soon.title in page and later.number not in page and not INLINE.search(page)
    assert page.count('data-testid="upcoming-window"') == 1
    login(client, m.center)
    page = html(client.get(reverse("maintenance:window_upcoming")))
    assert page.count('data-testid="upcoming-window"') == 2


def test_the_home_page_shows_the_departments_next_windows(client, m):
    window = approved(m)
    other = approved(m, resources=[m.res_b], title="乙局专属维护")
    login(client, m.a_head)
    page = html(client.get(reverse("web:home")))
    assert 'data-testid="home-maintenance"' in page
    assert reverse("maintenance:window_detail", args=[window.pk]) in page
    assert other.title not in page


def test_the_menu_has_the_page(client, m):
    login(client, m.a_head)
    assert reverse("maintenance:window_upcoming") in html(client.get(reverse("web:home")))


def test_a_platform_wide_window_shows_a_department_only_its_own_part(client, m):
    from govcloud.organizations.models import Organization

    Organization.objects.filter(pk=m.city.dept_a.pk).update(name="甲局SECRET")
    m.res_a.name = "主机SECRET"
    m.res_a.save(update_fields=["name"])
    window = approved(m, resources=[m.res_a, m.res_b], platform_wide=True)
    login(client, m.b_head)
    for url in (
        reverse("maintenance:window_detail", args=[window.pk]),
        reverse("maintenance:window_list"),
        reverse("maintenance:window_upcoming"),
        reverse("maintenance-window-detail", args=[window.pk]),
        reverse("maintenance-window-list"),
    ):
        body = html(client.get(url))
        assert window.title in body and "SECRET" not in body and m.res_a.code not in body, url
    assert m.res_b.code in html(client.get(reverse("maintenance:window_detail", args=[window.pk])))
