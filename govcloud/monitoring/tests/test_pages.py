"""The utilization pages: a department's resources with latest, average and peak and its daily
charts (data-chart JSON, no inline script); the center sees every department with a filter; each
resource's page; constant query counts."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse

from conftest import login
from govcloud.core.actors import SYSTEM
from govcloud.monitoring import services
from govcloud.monitoring.models import Period
from govcloud.monitoring.tests.conftest import NOW, host
from tests.test_query_counts import LIMIT, count

pytestmark = pytest.mark.django_db

LIST = reverse("monitoring:utilization")


def feed(resources, days=3, cpu=20.0):
    """Every hour of the last `days` days: CPU rising with the hour, memory flat; rolled up."""
    samples = []
    for r in resources:
        for h in range(1, days * 24):
            at = (NOW - timedelta(hours=h)).isoformat()
            samples.append({"resource": r.code, "metric": "cpu_percent", "time": at, "value": cpu + (h % 24)})
            samples.append({"resource": r.code, "metric": "memory_percent", "time": at, "value": 50.0})
    for start in range(0, len(samples), 5000):
        services.samples_ingest(actor=SYSTEM, source="push", samples=samples[start : start + 5000])
    services.rollups_run(actor=SYSTEM, period=Period.HOUR)
    services.rollups_run(actor=SYSTEM, period=Period.DAY)


def charts(html: str) -> dict[str, dict]:
    found = {}
    for element_id in re.findall(r'data-chart="([^"]+)"', html):
        match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
        found[element_id] = json.loads(match.group(1))
    return found


def test_a_department_sees_its_resources_figures_and_charts(client, mon):
    feed([mon.a_host, mon.b_host])
    html = login(client, mon.a_user).get(LIST).content.decode()
    assert mon.a_host.code in html and mon.b_host.code not in html and "乙局" not in html
    found = charts(html)
    assert set(found) == {"department-chart-cpu_percent", "department-chart-memory_percent"}
    cpu = found["department-chart-cpu_percent"]
    assert len(cpu["xAxis"]["data"]) == 30 and [s["type"] for s in cpu["series"]] == ["line", "line"]
    assert cpu["series"][1]["data"][-2] == 43.0  # yesterday's peak: 20 + 23
    # No inline script or style under the Content-Security-Policy.
    assert "style=" not in html and not re.search(r"<script(?![^>]*(src=|application/json))", html)


def test_the_center_sees_every_department_and_filters_by_one(client, mon):
    feed([mon.a_host, mon.b_host])
    login(client, mon.center)
    html = client.get(LIST).content.decode()
    assert mon.a_host.code in html and mon.b_host.code in html
    only_b = client.get(LIST, {"organization": mon.city.dept_b.pk}).content.decode()
    assert mon.b_host.code in only_b and mon.a_host.code not in only_b


def test_a_department_may_not_filter_for_another(client, mon):
    feed([mon.a_host, mon.b_host])
    html = login(client, mon.a_user).get(LIST, {"organization": mon.city.dept_b.pk}).content.decode()
    assert mon.b_host.code not in html


def test_a_resource_page_has_figures_and_a_chart_per_metric(client, mon):
    feed([mon.a_host])
    url = reverse("monitoring:resource_utilization", args=[mon.a_host.pk])
    response = login(client, mon.a_user).get(url)
    html = response.content.decode()
    assert response.status_code == 200 and mon.a_host.code in html
    found = charts(html)
    assert set(found) == {"chart-cpu_percent", "chart-memory_percent"}
    names = [s["name"] for s in found["chart-cpu_percent"]["series"]]
    assert len(names) == 3  # average, 95th percentile, peak
    assert found["chart-memory_percent"]["series"][0]["data"][-2] == 50.0
    # Another department's resource: 404 as for a missing one.
    other = reverse("monitoring:resource_utilization", args=[mon.b_host.pk])
    assert client.get(other).status_code == 404


def test_the_ledger_links_to_the_resource_utilization(client, mon):
    html = login(client, mon.a_user).get(reverse("ledger:resource_detail", args=[mon.a_host.pk])).content.decode()
    assert reverse("monitoring:resource_utilization", args=[mon.a_host.pk]) in html


def test_page_queries_do_not_grow_with_resources_or_samples(client, mon):
    feed([mon.a_host, mon.b_host], days=2)
    login(client, mon.center)
    detail = reverse("monitoring:resource_utilization", args=[mon.a_host.pk])
    count(client, LIST)
    small, small_detail = count(client, LIST), count(client, detail)
    more = [host(mon.city.dept_a, f"主机{i}") for i in range(60)]
    feed(more[:20], days=4)
    feed([mon.a_host], days=6)
    count(client, LIST)
    large, large_detail = count(client, LIST), count(client, detail)
    assert small == large <= LIMIT, (small, large)
    assert small_detail == large_detail <= LIMIT, (small_detail, large_detail)
    login(client, mon.a_user)
    count(client, LIST)
    assert count(client, LIST) <= LIMIT
