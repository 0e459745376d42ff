"""Alert pages and API: scoping, the center's rule edits, forbidden cases, links, query counts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import login
from govcloud.catalog.tests.helpers import api_for
from govcloud.core.actors import SYSTEM
from govcloud.monitoring.alerts import alerts_evaluate
from govcloud.monitoring.models import Alert, AlertKind, AlertRule
from govcloud.monitoring.tests.alerting import daily
from govcloud.monitoring.tests.conftest import host
from tests.test_query_counts import LIMIT, count

pytestmark = pytest.mark.django_db

ALERTS_API = reverse("monitoring-alert-list")


def _alerts(mon):
    daily(mon.a_host, [3.0] * 30, peak=8.0)
    daily(mon.b_host, [85.0, 90.0, 95.0, 88.0, 86.0, 91.0, 84.0])
    alerts_evaluate(actor=SYSTEM)
    return Alert.objects.get(resource=mon.a_host), Alert.objects.get(resource=mon.b_host)


def test_a_department_sees_only_its_alerts_with_links(client, mon):
    idle, overloaded = _alerts(mon)
    login(client, mon.a_user)
    body = client.get(reverse("monitoring:alert_list")).content.decode()
    assert mon.a_host.name in body and mon.b_host.name not in body
    assert reverse("monitoring:resource_utilization", args=[mon.a_host.pk]) in body
    assert client.get(reverse("monitoring:alert_detail", args=[overloaded.pk])).status_code == 404
    detail = client.get(reverse("monitoring:alert_detail", args=[idle.pk])).content.decode()
    assert reverse("monitoring:resource_utilization", args=[mon.a_host.pk]) in detail

    login(client, mon.center)
    body = client.get(reverse("monitoring:alert_list")).content.decode()
    assert mon.a_host.name in body and mon.b_host.name in body
    detail = client.get(reverse("monitoring:alert_detail", args=[overloaded.pk])).content.decode()
    assert reverse("incidents:incident_detail", args=[overloaded.incident_id]) in detail
    only_b = client.get(reverse("monitoring:alert_list") + f"?organization={mon.city.dept_b.pk}").content.decode()
    assert mon.a_host.name not in only_b and mon.b_host.name in only_b
    closed = client.get(reverse("monitoring:alert_list") + "?state=closed").content.decode()
    assert mon.a_host.name not in closed


def test_the_center_edits_a_rule_on_its_page_and_others_may_not(client, mon):
    rule = AlertRule.objects.get(kind=AlertKind.OVERLOADED)
    url = reverse("monitoring:alert_rule_edit", args=[rule.pk])
    login(client, mon.provider)
    assert client.get(url).status_code == 403
    login(client, mon.center)
    assert client.get(reverse("monitoring:alert_rule_list")).status_code == 200
    response = client.post(url, {"threshold": "85", "window_days": "5", "enabled": "on"})
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.threshold, rule.window_days, rule.enabled, rule.opens_incident) == (85, 5, True, False)
    response = client.post(url, {"threshold": "185", "window_days": "5"})
    assert response.status_code == 200
    rule.refresh_from_db()
    assert rule.threshold == 85


def test_api_alerts_are_scoped_and_rules_are_the_centers(mon):
    idle, overloaded = _alerts(mon)
    rows = api_for(mon.a_user).get(ALERTS_API).json()["results"]
    assert [r["id"] for r in rows] == [idle.pk]
    assert api_for(mon.a_user).get(reverse("monitoring-alert-detail", args=[overloaded.pk])).status_code == 404
    everyone = api_for(mon.provider).get(ALERTS_API + "?kind=overloaded").json()["results"]
    assert [r["id"] for r in everyone] == [overloaded.pk] and everyone[0]["incident"] == overloaded.incident_id

    rule = AlertRule.objects.get(kind=AlertKind.IDLE)
    url = reverse("monitoring-alert-rule-detail", args=[rule.pk])
    for user in (mon.a_user, mon.provider, mon.finance):
        assert api_for(user).patch(url, {"threshold": 5}, format="json").status_code == 403
    bad = api_for(mon.center).patch(url, {"threshold": 500}, format="json")
    assert bad.status_code == 400 and "threshold" in bad.json()
    ok = api_for(mon.center).patch(url, {"threshold": 5, "window_days": 14}, format="json")
    assert ok.status_code == 200 and ok.json()["threshold"] == 5 and ok.json()["window_days"] == 14
    assert api_for(mon.a_user).get(reverse("monitoring-alert-rule-list")).status_code == 200


def test_query_counts_do_not_grow_with_alerts(client, mon):
    _alerts(mon)
    api = api_for(mon.center)
    login(client, mon.center)
    page = reverse("monitoring:alert_list")
    count(api, ALERTS_API), count(client, page)  # warm: the token's and session's first use
    small_api, small_page = count(api, ALERTS_API), count(client, page)
    for i in range(12):
        resource = host(mon.city.dept_a if i % 2 else mon.city.dept_b, f"主机{i}")
        daily(resource, [2.0] * 30, peak=5.0)
    alerts_evaluate(actor=SYSTEM)
    assert Alert.objects.count() == 14
    large_api, large_page = count(api, ALERTS_API), count(client, page)
    assert small_api == large_api <= LIMIT, (small_api, large_api)
    assert small_page == large_page <= LIMIT, (small_page, large_page)
