"""The demo city has thirty days of utilization, so `make run` shows charts at once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import login
from govcloud.ledger.models import Resource
from govcloud.monitoring.models import Metric, Period, Rollup
from govcloud.organizations.models import User
from govcloud.web.demo import load_demo

pytestmark = pytest.mark.django_db


def test_demo_resources_have_a_month_of_daily_rollups_and_the_pages_show_charts(client):
    load_demo()
    server = Resource.objects.get(name="预约挂号-应用服务器01")
    days = Rollup.objects.filter(resource=server, metric=Metric.CPU_PERCENT, period=Period.DAY)
    assert days.count() >= 30
    assert Rollup.objects.filter(resource=server, period=Period.HOUR, metric=Metric.CPU_PERCENT).count() >= 24 * 29
    login(client, User.objects.get(username="wjw_applicant"))
    html = client.get(reverse("monitoring:utilization")).content.decode()
    assert server.code in html and 'data-chart="department-chart-cpu_percent"' in html
    page = client.get(reverse("monitoring:resource_utilization", args=[server.pk])).content.decode()
    assert 'data-chart="chart-cpu_percent"' in page and 'data-chart="chart-network_out_mbps"' in page


def test_the_demo_city_has_an_idle_alert_and_an_overloaded_one_with_its_incident():
    from govcloud.monitoring.models import Alert, AlertKind, AlertState

    load_demo()
    idle = Alert.objects.filter(kind=AlertKind.IDLE, state=AlertState.OPEN, resource__name="交通违法-前置服务器")
    assert idle.exists()
    overloaded = Alert.objects.get(
        kind=AlertKind.OVERLOADED, state=AlertState.OPEN, resource__name="预约挂号-应用服务器01"
    )
    assert overloaded.incident is not None and overloaded.incident.source_key == f"alert:{overloaded.pk}"
    load_demo()  # again: nothing doubles
    assert Alert.objects.filter(kind=AlertKind.OVERLOADED, resource=overloaded.resource).count() == 1
