"""List pages and endpoints run a constant number of queries (≤ 10), whatever the page size or the
data volume."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import login
from govcloud.audit.services import audit_record
from govcloud.core.models import Job
from govcloud.core.roles import Role
from govcloud.organizations import services
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

LIMIT = 10


def grow(city, n: int, actor):
    for _ in range(n):
        org = OrganizationFactory(parent=city.dept_a)
        user = UserFactory(organization=org, roles=[Role.DEPARTMENT_APPLICANT, Role.DEPARTMENT_HEAD])
        audit_record(actor=user, action="test.volume", target=org)
        services.token_create(actor=actor, name="t", expires_in_days=5)
        Job.objects.create(kind="t", label="t", owner=actor)


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


CASES = [
    (Role.CENTER_ADMIN, "organizations:organization_list"),
    (Role.SYSTEM_ADMIN, "organizations:user_list"),
    (Role.AUDIT_ADMIN, "audit:event_list"),
    (Role.DEPARTMENT_HEAD, "organizations:user_list"),
    (Role.CENTER_ADMIN, "organization-list"),
    (Role.SYSTEM_ADMIN, "user-list"),
    (Role.AUDIT_ADMIN, "audit-event-list"),
    (Role.DEPARTMENT_APPLICANT, "token-list"),
    (Role.DEPARTMENT_APPLICANT, "job-list"),
    (Role.CENTER_ADMIN, "web:home"),
]


@pytest.mark.parametrize("role, name", CASES, ids=[f"{r.value}-{n}" for r, n in CASES])
def test_constant_queries(client, city, role, name):
    user = city.user(role)
    login(client, user)
    url = reverse(name)
    grow(city, 3, user)
    count(client, url)  # warm caches (policies, calendar) as a running server has them
    small = count(client, url)
    grow(city, 40, user)
    count(client, url)  # growing can outlast the caches and the idle-session save: warm again
    large = count(client, url)
    sep = "&" if "?" in url else "?"
    paged = count(client, f"{url}{sep}page_size=200") if name.endswith("-list") else large
    assert small == large == paged, (small, large, paged)
    assert large <= LIMIT, large
