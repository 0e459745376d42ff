"""Fixtures of the monitoring tests: a city with the provider, the center, two departments' users,
and cloud hosts in service in department A and B since 2026-11-01 (the clock is frozen on
2026-12-05 10:30 Asia/Shanghai)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from govcloud.core.roles import Role
from govcloud.delivery.tests.cloud import cloud, libvirt_hosts  # noqa: F401  (libvirt test hypervisor)
from govcloud.ledger.models import Resource

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 5, 10, 30, tzinfo=TZ)
SINCE = datetime(2026, 11, 1, 9, 0, tzinfo=TZ)


def host(
    org, name: str, *, since: datetime = SINCE, vcpu: int = 4, memory: int = 8, provider_ref: str = ""
) -> Resource:
    from govcloud.catalog.models import CatalogItem
    from govcloud.catalog.seed import seed_annex1
    from govcloud.catalog.tests.helpers import HOST_SPEC
    from govcloud.core.actors import SYSTEM
    from govcloud.ledger import services

    seed_annex1()
    return services.resource_adopt(
        actor=SYSTEM,
        organization=org,
        catalog_item=CatalogItem.objects.get(code="host"),
        spec=dict(HOST_SPEC, vcpu=vcpu, memory_gb=memory),
        name=name,
        in_service_at=since,
        provider_ref=provider_ref,
    )


@dataclass
class Mon:
    city: object
    provider: object
    center: object
    finance: object
    a_user: object
    b_user: object
    a_host: Resource
    b_host: Resource


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def mon(city, frozen) -> Mon:
    return Mon(
        city=city,
        provider=city.user(Role.PROVIDER_OPERATOR, full_name="运维甲"),
        center=city.user(Role.CENTER_ADMIN, full_name="中心管理员"),
        finance=city.user(Role.FINANCE_VIEWER),
        a_user=city.user(Role.DEPARTMENT_APPLICANT, org=city.dept_a),
        b_user=city.user(Role.DEPARTMENT_APPLICANT, org=city.dept_b),
        a_host=host(city.dept_a, "甲局门户服务器"),
        b_host=host(city.dept_b, "乙局业务服务器"),
    )
