"""Issue 13's utilization pages in a real browser: a department opens its utilization page and a
resource's page and sees ECharts drawn from the data-chart attributes (under the site's
Content-Security-Policy: no inline script or style), with thirty days of rolled-up samples."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from govcloud.core.actors import SYSTEM
from govcloud.core.roles import Role
from govcloud.monitoring import services
from govcloud.monitoring.demo import _samples
from govcloud.monitoring.models import Period, SampleSource
from govcloud.monitoring.tests.conftest import host
from tests.browser.conftest import shot
from tests.browser.test_journeys import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_department_reads_its_utilization_with_charts(page, city):
    now = timezone.now()
    since = now - timedelta(days=40)
    web = host(city.dept_a, "门户网站应用服务器", since=since)
    db = host(city.dept_a, "门户网站数据库服务器", since=since, vcpu=8, memory=32)
    other = host(city.dept_b, "乙局业务服务器", since=since)
    start = (now - timedelta(days=30)).replace(minute=0, second=0, microsecond=0)
    samples = _samples(web, start, now) + _samples(db, start, now) + _samples(other, start, now)
    for i in range(0, len(samples), 5000):
        services.samples_ingest(actor=SYSTEM, source=SampleSource.DEMO, samples=samples[i : i + 5000])
    services.rollups_run(actor=SYSTEM, period=Period.HOUR)
    services.rollups_run(actor=SYSTEM, period=Period.DAY)
    user = city.user(Role.DEPARTMENT_APPLICANT, org=city.dept_a, username="jia_applicant", full_name="吴静")

    log_in(page, user.username)
    page.goto(page.base + "/monitoring/")
    expect(page.locator("[data-testid=utilization-row]")).to_have_count(2)
    expect(page.locator("body")).not_to_contain_text("乙局业务服务器")
    # Both department charts are drawn (ECharts renders SVG inside each data-chart element).
    expect(page.locator("[data-testid=department-chart] svg")).to_have_count(2)
    shot(page, "utilization-department")

    page.click(f"text={web.code}")
    expect(page.locator("h1")).to_contain_text(web.code)
    expect(page.locator("[data-testid=resource-chart] svg")).to_have_count(6)
    shot(page, "utilization-resource")


def test_the_provider_reads_the_prometheus_collections_from_the_utilization_page(page, city):
    from govcloud.monitoring.demo import _collection_runs

    now = timezone.now()
    host(city.dept_a, "门户网站应用服务器", since=now - timedelta(days=40))
    _collection_runs(now)
    user = city.user(Role.PROVIDER_OPERATOR, username="yunwei", full_name="运维甲")

    log_in(page, user.username)
    page.goto(page.base + "/monitoring/")
    page.click("[data-testid=collection-runs-link]")
    runs = page.locator("[data-testid=collection-run]")
    expect(runs).to_have_count(2)
    expect(runs.first).to_contain_text("184")
    expect(page.locator("[data-testid=collection-run][data-status=failed]")).to_contain_text("timed out")
    shot(page, "utilization-collections")
