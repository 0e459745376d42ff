"""Fixtures of the waste-control tests: department A's applicant (with a phone) and head, B's
applicant, the center; a price list in effect; the clock frozen on 2026-12-05 10:30 Asia/Shanghai."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import time_machine

from govcloud.catalog.tests.helpers import price_list_in_effect
from govcloud.core.roles import Role
from govcloud.waste.tests.helpers import NOW


@dataclass
class W:
    city: object
    a_user: object
    a_head: object
    b_user: object
    center: object
    provider: object


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def w(city, frozen) -> W:
    from govcloud.catalog.seed import seed_annex1

    seed_annex1()
    price_list_in_effect(effective_from=NOW.date().replace(day=1))
    return W(
        city=city,
        a_user=city.user(Role.DEPARTMENT_APPLICANT, org=city.dept_a, full_name="甲局申请人", phone="13800000001"),
        a_head=city.user(Role.DEPARTMENT_HEAD, org=city.dept_a, full_name="甲局负责人"),
        b_user=city.user(Role.DEPARTMENT_APPLICANT, org=city.dept_b, full_name="乙局申请人"),
        center=city.user(Role.CENTER_ADMIN, full_name="中心管理员"),
        provider=city.user(Role.PROVIDER_OPERATOR, full_name="运维甲"),
    )
