"""The maintenance API: each endpoint with the callers it allows and those it refuses."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from rest_framework.test import APIClient

from govcloud.maintenance import kinds
from govcloud.maintenance.models import MaintenanceWindow, WindowState
from govcloud.maintenance.tests.helpers import NOW, approved, draft
from govcloud.notifications.models import Notification
from tests.factories import api_token_for

pytestmark = pytest.mark.django_db
URL = "/api/v1/maintenance-windows/"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def api_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token_for(user)}")
    return client


def ids(response) -> list[int]:
    assert response.status_code == 200, response.data
    return [row["id"] for row in response.json()["results"]]


def body(m, **changes):
    start = NOW + timedelta(days=5)
    data = {
        "title": "云主机宿主机补丁",
        "impact": "虚拟机热迁移，业务无感知。",
        "start": start.isoformat(),
        "end": (start + timedelta(hours=3)).isoformat(),
        "resources": [m.res_a.pk],
    }
    data.update(changes)
    return data


def test_the_provider_drafts_and_submits_the_center_approves(m):
    provider, center, a, b = (api_for(u) for u in (m.provider, m.center, m.a_head, m.b_head))
    for refused in (center, a):
        assert refused.post(URL, body(m), format="json").status_code == 403
    bad = provider.post(URL, body(m, end=body(m)["start"]), format="json")
    assert bad.status_code == 400 and "end" in bad.data
    assert provider.post(URL, body(m, resources=[987654]), format="json").status_code == 400
    assert not MaintenanceWindow.objects.exists()
    created = provider.post(URL, body(m, departments=[m.city.dept_b.pk]), format="json")
    assert created.status_code == 201, created.data
    pk = created.data["id"]
    assert created.data["state"] == "draft" and created.data["department_count"] == 2
    assert ids(a.get(URL)) == []  # not approved yet
    assert a.get(f"{URL}{pk}/").status_code == 404
    changed = provider.patch(f"{URL}{pk}/", {"title": "新标题"}, format="json")
    assert changed.status_code == 200 and changed.data["title"] == "新标题"
    assert center.patch(f"{URL}{pk}/", {"title": "x"}, format="json").status_code == 403
    assert center.post(f"{URL}{pk}/submit/").status_code == 403
    assert provider.post(f"{URL}{pk}/submit/").data["state"] == "submitted"
    assert provider.post(f"{URL}{pk}/approve/", {}, format="json").status_code == 403
    assert provider.patch(f"{URL}{pk}/", {"title": "x"}, format="json").status_code == 409  # submitted
    assert center.post(f"{URL}{pk}/return/", {}, format="json").status_code == 400  # the reason is required
    approved_ = center.post(f"{URL}{pk}/approve/", {"comment": "同意"}, format="json")
    assert approved_.status_code == 200 and approved_.data["state"] == "approved"
    assert Notification.objects.filter(kind=kinds.NOTICE, recipient=m.a_head).exists()
    # Each department sees the window with its own part only.
    assert ids(a.get(URL)) == ids(b.get(URL)) == [pk]
    mine = a.get(f"{URL}{pk}/").json()
    assert [r["id"] for r in mine["affected_resources"]] == [m.res_a.pk]
    assert [d["organization"] for d in mine["affected_departments"]] == [m.city.dept_a.pk]
    theirs = b.get(f"{URL}{pk}/").json()
    assert theirs["affected_resources"] == [] and [d["organization"] for d in theirs["affected_departments"]] == [
        m.city.dept_b.pk
    ]
    full = center.get(f"{URL}{pk}/").json()
    assert [e["kind"] for e in full["timeline"]] == ["created", "updated", "submitted", "approved"]
    assert a.post(f"{URL}{pk}/cancel/", {"comment": "x"}, format="json").status_code == 403
    # A second decision after the first: the window has moved on (409, read it again).
    again = center.post(f"{URL}{pk}/return/", {"comment": "x"}, format="json")
    assert again.status_code == 409 and "non_field_errors" in again.json()


def test_a_short_notice_is_refused_unless_emergency(m):
    provider = api_for(m.provider)
    start = NOW + timedelta(hours=6)
    short = {"start": start.isoformat(), "end": (start + timedelta(hours=1)).isoformat()}
    pk = provider.post(URL, body(m, **short), format="json").data["id"]
    refused = provider.post(f"{URL}{pk}/submit/")
    # Localized: the API answers in Chinese unless the client asks otherwise.
    assert refused.status_code == 400 and "改为紧急维护" in str(refused.data["kind"])
    urgent = provider.post(URL, body(m, kind="emergency", **short), format="json").data["id"]
    assert provider.post(f"{URL}{urgent}/submit/").data["state"] == "submitted"


def test_other_departments_and_other_roles_get_nothing(m):
    window = approved(m, resources=[m.res_a])
    pending = draft(m, resources=[m.res_b])
    b, finance = api_for(m.b_head), api_for(m.finance)
    for client in (b, finance):
        assert window.pk not in ids(client.get(URL))
        assert client.get(f"{URL}{window.pk}/").status_code == 404
        assert client.post(f"{URL}{window.pk}/cancel/", {"comment": "x"}, format="json").status_code == 404
    assert b.get(f"{URL}{pending.pk}/").status_code == 404
    assert ids(finance.get(URL)) == []


def test_the_provider_cancels_starts_and_completes(m, frozen):
    provider = api_for(m.provider)
    window = approved(m)
    assert provider.post(f"{URL}{window.pk}/start/").status_code == 400  # not yet
    frozen.move_to(window.start + timedelta(minutes=1))
    assert provider.post(f"{URL}{window.pk}/start/").data["state"] == WindowState.IN_PROGRESS
    done = provider.post(f"{URL}{window.pk}/complete/", {"comment": "顺利"}, format="json")
    assert done.data["state"] == WindowState.COMPLETED and done.data["completed_at"]
    other = approved(m, days_ahead=8)
    assert provider.post(f"{URL}{other.pk}/cancel/", {}, format="json").status_code == 400
    assert provider.post(f"{URL}{other.pk}/cancel/", {"comment": "推迟"}, format="json").data["state"] == "cancelled"


@pytest.mark.parametrize(
    "query, expected",
    [("state=approved", {"a"}), ("state=draft", {"d"}), ("month=2026-06", {"a", "d"}), ("month=2026-08", set())],
)
def test_filters(m, query, expected):
    windows = {"a": approved(m), "d": draft(m)}
    got = set(ids(api_for(m.center).get(f"{URL}?{query}")))
    assert got == {windows[k].pk for k in expected}


@pytest.mark.parametrize("query", ["month=2026-13", "month=junk", "state=sleeping"])
def test_junk_filters_are_refused(m, query):
    assert api_for(m.center).get(f"{URL}?{query}").status_code == 400
