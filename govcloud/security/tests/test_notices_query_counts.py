"""The lists of security notices, rectification records and security events (pages and endpoints),
a notice's page with many departments and a record's page with many reports run a constant number
of queries (≤ 10), whatever the number of rows."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import login
from govcloud.organizations.models import OrganizationLevel
from govcloud.security import services
from govcloud.security.models import NoticeRectification, SecurityNotice
from govcloud.security.tests.helpers import upload
from govcloud.systems.models import InformationSystem
from tests.factories import OrganizationFactory
from tests.test_query_counts import LIMIT, count

pytestmark = pytest.mark.django_db

_serial = itertools.count(1)


def grow(sec, n: int) -> None:
    """n more notices (to A with a new system, and to B), each answered, one of them returned and
    answered again, and n more security events — through the services."""
    for _ in range(n):
        i = next(_serial)
        system = InformationSystem.objects.create(organization=sec.city.dept_a, name=f"系统{i}", protection_level=2)
        notice = services.security_notice_issue(
            actor=sec.center,
            kind="vulnerability",
            severity="high",
            title=f"漏洞{i}",
            description="x",
            required_measures="y",
            systems=[system],
            organizations=[sec.city.dept_b],
        )
        for record in notice.rectifications.all():
            actor = sec.a_security if record.organization_id == sec.city.dept_a.pk else sec.b_security
            services.notice_rectification_submit(
                actor=actor, rectification=record, measures="m", result="r", evidence=[upload()]
            )
        services.notice_rectification_return(
            actor=sec.center, rectification=notice.rectifications.first(), comment="补充"
        )
        services.security_event_record(
            actor=sec.provider,
            kind="attack_blocked",
            occurred_at=timezone.now() - timedelta(hours=i),
            count=i,
            systems=[system],
            summary="x",
        )
        services.security_event_record(
            actor=sec.provider, kind="vulnerability", occurred_at=timezone.now(), count=1, summary="platform"
        )


CASES = [
    ("center", "security:notice_list"),
    ("a_head", "security:notice_list"),
    ("center", "security:rectification_list"),
    ("a_security", "security:rectification_list"),
    ("center", "security:security_event_list"),
    ("a_head", "security:security_event_list"),
    ("center", "security:security_event_stats"),
    ("provider", "security:security_event_stats"),
    ("center", "security-notice-list"),
    ("a_head", "security-notice-list"),
    ("center", "notice-rectification-list"),
    ("a_security", "notice-rectification-list"),
    ("provider", "security-event-list"),
    ("a_head", "security-event-list"),
    ("center", "security-event-statistics"),
]


@pytest.mark.parametrize("who, name", CASES, ids=[f"{w}-{n}" for w, n in CASES])
def test_constant_queries(client, sec, who, name):
    login(client, getattr(sec, who))
    url = reverse(name)
    grow(sec, 2)
    count(client, url)
    small = count(client, url)
    grow(sec, 10)
    count(client, url)
    large = count(client, url)
    paged = count(client, f"{url}?page_size=200") if name.endswith("-list") else large
    assert small == large == paged, (small, large, paged)
    assert large <= LIMIT, large


def _departments(sec, n: int) -> list:
    return [
        OrganizationFactory(parent=sec.city.root, level=OrganizationLevel.DEPARTMENT, name=f"部门{next(_serial)}")
        for _ in range(n)
    ]


@pytest.mark.parametrize("name", ["security:notice_detail", "security-notice-records", "security-notice-detail"])
def test_a_notice_to_many_departments(client, sec, name):
    login(client, sec.center)

    def notice_to(n: int) -> SecurityNotice:
        orgs = _departments(sec, n)
        systems = [InformationSystem.objects.create(organization=o, name="门户") for o in orgs]
        return services.security_notice_issue(
            actor=sec.center,
            kind="event",
            severity="medium",
            title="x",
            description="x",
            required_measures="x",
            organizations=orgs,
            systems=systems,
        )

    small_notice, large_notice = notice_to(2), notice_to(12)
    for notice in (small_notice, large_notice):
        for record in notice.rectifications.all()[:2]:
            services.notice_rectification_cancel(actor=sec.center, rectification=record, comment="x")
    count(client, reverse(name, args=[small_notice.pk]))
    small = count(client, reverse(name, args=[small_notice.pk]))
    large = count(client, reverse(name, args=[large_notice.pk]))
    assert small == large <= LIMIT, (small, large)


@pytest.mark.parametrize("name", ["security:rectification_detail", "notice-rectification-detail"])
def test_a_record_with_many_reports(client, sec, name):
    login(client, sec.center)

    def record_with(rounds: int) -> NoticeRectification:
        notice = services.security_notice_issue(
            actor=sec.center,
            kind="event",
            severity="low",
            title="x",
            description="x",
            required_measures="x",
            organizations=[sec.city.dept_a],
        )
        record = notice.rectifications.get()
        for _ in range(rounds):
            services.notice_rectification_submit(
                actor=sec.a_head, rectification=record, measures="m", result="r", evidence=[upload(), upload("b.pdf")]
            )
            services.notice_rectification_return(actor=sec.center, rectification=record, comment="补充")
        return record

    small_record, large_record = record_with(1), record_with(8)
    count(client, reverse(name, args=[small_record.pk]))
    small = count(client, reverse(name, args=[small_record.pk]))
    large = count(client, reverse(name, args=[large_record.pk]))
    assert small == large <= LIMIT, (small, large)
