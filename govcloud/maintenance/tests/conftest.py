"""Fixtures of the maintenance tests: the people the rules talk about and ledger resources in
department A (one in its unit) and department B."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from govcloud.core.roles import Role
from govcloud.ledger.tests.helpers import adopt


@dataclass
class M:
    city: object
    center: object
    reviewer: object
    provider: object
    a_applicant: object
    a_head: object
    unit_head: object
    b_head: object
    finance: object
    res_a: object
    res_a2: object
    res_unit: object
    res_b: object


@pytest.fixture
def m(city) -> M:
    return M(
        city=city,
        center=city.user(Role.CENTER_ADMIN, full_name="中心管理员"),
        reviewer=city.user(Role.CENTER_REVIEWER, full_name="中心审核员"),
        provider=city.user(Role.PROVIDER_OPERATOR, full_name="运维甲"),
        a_applicant=city.user(Role.DEPARTMENT_APPLICANT, org=city.dept_a),
        a_head=city.user(Role.DEPARTMENT_HEAD, org=city.dept_a),
        unit_head=city.user(Role.DEPARTMENT_HEAD, org=city.unit_a),
        b_head=city.user(Role.DEPARTMENT_HEAD, org=city.dept_b),
        finance=city.user(Role.FINANCE_VIEWER),
        res_a=adopt(city.dept_a, name="甲局门户服务器"),
        res_a2=adopt(city.dept_a, name="甲局数据库服务器"),
        res_unit=adopt(city.unit_a, name="下属单位服务器"),
        res_b=adopt(city.dept_b, name="乙局门户服务器"),
    )
