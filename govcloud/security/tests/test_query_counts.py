"""The security lists (pages and endpoints) run a constant number of queries (≤ 10), whatever the
number of rows."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import login
from govcloud.core.actors import SYSTEM
from govcloud.security import services
from govcloud.security.models import PlanScope
from govcloud.security.selectors.calendar import add_months
from govcloud.security.tests.helpers import ledger_resource
from govcloud.systems.models import InformationSystem
from tests.test_query_counts import LIMIT, count

pytestmark = pytest.mark.django_db

_serial = itertools.count(1)


def grow(sec, n: int) -> None:
    """n more of everything the lists show, for department A, through the services."""
    today = timezone.localdate()
    for _ in range(n):
        i = next(_serial)
        system = InformationSystem.objects.create(
            organization=sec.city.dept_a, name=f"系统{i}", internet_facing=True, protection_level=2
        )
        filing = services.address_filing_create(
            actor=sec.a_applicant, system=system, address=f"58.{222 - i // 250}.{i % 250}.10"
        )
        services.address_filing_submit(actor=sec.a_applicant, filing=filing)
        services.address_filing_complete(actor=sec.center, filing=filing, reference=f"TZ-{i}")
        request = services.port_request_submit(actor=sec.a_applicant, filing=filing, port=443, reason="HTTPS")
        services.port_request_approve(actor=sec.center, request=request)
        services.port_request_submit(actor=sec.a_applicant, filing=filing, port=80, reason="HTTP")
        grant = services.access_grant_create(
            actor=sec.a_security,
            grantee=sec.provider,
            system=system,
            resources=[ledger_resource(sec.city.dept_a, f"host-{i}", system=system)],
            purpose="运维",
            ends_at=timezone.now() + timedelta(hours=8),
        )
        services.access_session_record(
            actor=sec.provider,
            grant=grant,
            system=system,
            started_at=grant.starts_at + timedelta(seconds=1),
            ended_at=grant.starts_at + timedelta(minutes=1),
            work_done="检查",
        )
        services.access_session_record(
            actor=sec.provider,
            system=system,
            started_at=timezone.now() - timedelta(hours=2),
            ended_at=timezone.now() - timedelta(hours=1),
            work_done="无授权",
        )
        bulletin = services.security_bulletin_create(
            actor=sec.provider, period=add_months(today.replace(day=1), -i), title=f"公告{i}", content="x", publish=True
        )
        services.security_bulletin_read(actor=sec.a_applicant, bulletin=bulletin)
        plan = services.emergency_plan_create(
            actor=sec.a_applicant, scope=PlanScope.SYSTEM, system=system, title=f"预案{i}", content="x"
        )
        services.emergency_drill_record(
            actor=sec.provider,
            plan_version=plan.current_version,
            held_on=today,
            scenario="x",
            participants="x",
            follow_ups=[{"description": "x", "owner": "y", "due_on": today}],
        )
        event = services.major_event_create(
            actor=SYSTEM, name=f"活动{i}", starts_on=today + timedelta(days=i), ends_on=today + timedelta(days=i)
        )
        services.protection_plan_file(actor=sec.provider, occasion_key=f"event:{event.pk}", title="保障", content="x")


CASES = [
    ("center", "security:overview"),
    ("a_head", "security:overview"),
    ("provider", "security:overview"),
    ("center", "security:filing_list"),
    ("a_applicant", "security:filing_list"),
    ("center", "security:port_request_list"),
    ("a_security", "security:grant_list"),
    ("provider", "security:grant_list"),
    ("a_security", "security:session_list"),
    ("a_applicant", "security:bulletin_list"),
    ("provider", "security:bulletin_list"),
    ("a_applicant", "security:plan_list"),
    ("center", "security:drill_list"),
    ("center", "security:event_list"),
    ("provider", "security:protection_list"),
    ("center", "address-filing-list"),
    ("a_applicant", "port-request-list"),
    ("a_security", "access-grant-list"),
    ("provider", "access-session-list"),
    ("a_applicant", "security-bulletin-list"),
    ("provider", "security-bulletin-list"),
    ("center", "emergency-plan-list"),
    ("a_applicant", "emergency-drill-list"),
    ("a_applicant", "drill-follow-up-list"),
    ("a_head", "major-event-list"),
    ("provider", "protection-plan-list"),
]


@pytest.mark.parametrize("who, name", CASES, ids=[f"{w}-{n}" for w, n in CASES])
def test_constant_queries(client, sec, who, name):
    login(client, getattr(sec, who))
    url = reverse(name)
    grow(sec, 2)
    # Each measurement follows a warm-up request: building the rows takes long enough for the
    # per-process caches (policies, calendar: 10 s) and the session's idle save (1 min) to lapse,
    # which a running server pays once, not per page.
    count(client, url)
    small = count(client, url)
    grow(sec, 12)
    count(client, url)
    large = count(client, url)
    paged = count(client, f"{url}?page_size=200") if name.endswith("-list") else large
    assert small == large == paged, (small, large, paged)
    assert large <= LIMIT, large
