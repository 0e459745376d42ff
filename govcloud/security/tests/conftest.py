"""Fixtures of the security tests: a city with the people the rules talk about and an
internet-facing system in department A."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from govcloud.core.roles import Role
from govcloud.systems.models import InformationSystem


@dataclass
class Sec:
    city: object
    center: object
    reviewer: object
    provider: object
    provider2: object
    a_applicant: object
    a_head: object
    a_security: object
    b_head: object
    b_applicant: object
    b_security: object
    system_a: InformationSystem
    intranet_a: InformationSystem
    system_b: InformationSystem


@pytest.fixture
def sec(city) -> Sec:
    return Sec(
        city=city,
        center=city.user(Role.CENTER_ADMIN, full_name="中心管理员"),
        reviewer=city.user(Role.CENTER_REVIEWER),
        provider=city.user(Role.PROVIDER_OPERATOR, full_name="运维甲"),
        provider2=city.user(Role.PROVIDER_OPERATOR, full_name="运维乙"),
        a_applicant=city.user(Role.DEPARTMENT_APPLICANT, org=city.dept_a),
        a_head=city.user(Role.DEPARTMENT_HEAD, org=city.dept_a),
        a_security=city.user(Role.DEPARTMENT_SECURITY_OFFICER, org=city.dept_a),
        b_head=city.user(Role.DEPARTMENT_HEAD, org=city.dept_b),
        b_applicant=city.user(Role.DEPARTMENT_APPLICANT, org=city.dept_b),
        b_security=city.user(Role.DEPARTMENT_SECURITY_OFFICER, org=city.dept_b),
        system_a=InformationSystem.objects.create(
            organization=city.dept_a, name="甲局门户", internet_facing=True, protection_level=3
        ),
        intranet_a=InformationSystem.objects.create(organization=city.dept_a, name="甲局内网办公", protection_level=2),
        system_b=InformationSystem.objects.create(
            organization=city.dept_b, name="乙局门户", internet_facing=True, protection_level=2
        ),
    )
