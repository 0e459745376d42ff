"""The demo city has pools, the provider's reports, utilization reports and last month's analysis."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import login
from govcloud.organizations.models import User
from govcloud.reports.models import (
    AnalysisReport,
    ProviderReport,
    ProviderReportState,
    ReportPeriod,
    ResourcePool,
    UtilizationReport,
)
from govcloud.web.demo import load_demo

pytestmark = pytest.mark.django_db


def test_demo_reports(client):
    load_demo()
    assert ResourcePool.objects.count() == 4
    city = UtilizationReport.objects.get(period=ReportPeriod.MONTH, organization__isnull=True)
    assert city.resources > 5 and city.idle >= 1
    assert UtilizationReport.objects.filter(period=ReportPeriod.WEEK, organization__isnull=False).exists()
    analysis = AnalysisReport.objects.get()
    assert analysis.figures["capacity"]["kinds"] and analysis.figures["provider"]["advice"]
    states = set(ProviderReport.objects.values_list("state", flat=True))
    assert {ProviderReportState.ACKNOWLEDGED, ProviderReportState.SUBMITTED} <= states
    login(client, User.objects.get(username="wjw_applicant"))
    page = client.get(reverse("reports:utilization_list")).content.decode()
    own = UtilizationReport.objects.filter(organization__name__contains="卫生").first()
    assert own is not None and reverse("reports:utilization_detail", args=[own.pk]) in page
    assert reverse("reports:utilization_detail", args=[city.pk]) not in page
    load_demo()  # again: nothing doubles
    assert ProviderReport.objects.count() == 4 and AnalysisReport.objects.count() == 1
