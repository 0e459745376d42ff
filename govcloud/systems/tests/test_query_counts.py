"""The systems lists run a constant number of queries (≤ 10), whatever the data volume."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import login
from govcloud.core.actors import SYSTEM
from govcloud.core.roles import Role
from govcloud.systems import services
from govcloud.systems.models import AttachmentKind
from govcloud.systems.tests.helpers import experts, make_compliant, register, upload
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

LIMIT = 10
_serial = iter(range(10_000))


def grow(city, panel, n: int) -> None:
    """n more systems, each with a full MLPS record, an attachment and an exemption under review."""
    for _ in range(n):
        i = next(_serial)
        unit = OrganizationFactory(parent=city.dept_a)
        system = register(unit, f"系统{i}", planned_migration_date=date(2025, 1, 1))
        filing, assessment = make_compliant(system, filed_on=date(2025, 1, 1), assessed_on=date(2025, 2, 1))
        services.attachment_add(
            actor=SYSTEM, system=system, kind=AttachmentKind.FILING_CERTIFICATE, upload=upload(), filing=filing
        )
        services.rectification_create(
            actor=SYSTEM,
            system=system,
            assessment=assessment,
            description="整改",
            owner="王强",
            due_on=date(2025, 3, 1),
        )
        exemption = services.exemption_create(actor=SYSTEM, system=system, reasons="依赖专用硬件无法迁移的说明")
        services.exemption_submit(actor=SYSTEM, exemption=exemption)
        services.exemption_assign_experts(actor=SYSTEM, exemption=exemption, experts=panel)
        services.exemption_vote(actor=panel[0], exemption=exemption, vote="approve", opinion="同意")


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


CASES = [
    (Role.DEPARTMENT_APPLICANT, "systems:system_list"),
    (Role.CENTER_ADMIN, "systems:system_list"),
    (Role.CENTER_ADMIN, "systems:migration_dashboard"),
    (Role.DEPARTMENT_HEAD, "systems:migration_dashboard"),
    (Role.CENTER_ADMIN, "systems:exemption_list"),
    (Role.EXPERT, "systems:exemption_list"),
    (Role.CENTER_REVIEWER, "information-system-list"),
    (Role.DEPARTMENT_APPLICANT, "information-system-list"),
    (Role.CENTER_ADMIN, "information-system-migration-stats"),
    (Role.CENTER_ADMIN, "mlps-filing-list"),
    (Role.CENTER_ADMIN, "mlps-assessment-list"),
    (Role.CENTER_ADMIN, "mlps-rectification-list"),
    (Role.CENTER_ADMIN, "system-attachment-list"),
    (Role.CENTER_ADMIN, "exemption-list"),
    (Role.EXPERT, "exemption-list"),
]


@pytest.mark.parametrize("role, name", CASES, ids=[f"{r.value}-{n}" for r, n in CASES])
def test_constant_queries(client, city, role, name):
    panel = experts(city)
    user = panel[0] if role == Role.EXPERT else city.user(role)
    login(client, user)
    url = reverse(name)
    grow(city, panel, 3)
    count(client, url)  # warm caches (policies, calendar) as a running server has them
    small = count(client, url)
    grow(city, panel, 25)
    count(client, url)  # growing can outlast the caches and the idle-session save: warm again
    large = count(client, url)
    sep = "&" if "?" in url else "?"
    paged = count(client, f"{url}{sep}page_size=200") if name.endswith("-list") else large
    assert small == large == paged, (small, large, paged)
    assert large <= LIMIT, large
