"""Fixtures of the service desk tests: the people, a system and a resource of each department, and
a duty roster with a primary and a backup engineer on shift around the clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from govcloud.core.actors import SYSTEM
from govcloud.core.roles import Role
from govcloud.incidents import services
from govcloud.incidents.models import IncidentSeverity
from govcloud.incidents.severities import severities_seed
from govcloud.ledger.tests.helpers import adopt
from govcloud.systems.models import InformationSystem


@dataclass
class Desk:
    city: object
    center: object
    primary: object
    backup: object
    engineer: object
    a_applicant: object
    a_head: object
    b_applicant: object
    b_head: object
    system_a: object
    system_b: object
    resource_a: object
    resource_b: object
    team: object

    def severity(self, code: str = "general") -> IncidentSeverity:
        return IncidentSeverity.objects.get(code=code)


@pytest.fixture(autouse=True)
def _severities(db):
    # A transactional test elsewhere may have flushed the levels migration 0002 seeded.
    severities_seed()


@pytest.fixture
def desk(city) -> Desk:
    primary = city.user(Role.PROVIDER_OPERATOR, full_name="值班甲")
    backup = city.user(Role.PROVIDER_OPERATOR, full_name="备班乙")
    team = services.duty_team_create(actor=SYSTEM, name="一线值班组")
    now = timezone.now()
    services.duty_shift_add(
        actor=SYSTEM,
        team=team,
        starts_at=now - timedelta(days=400),
        ends_at=now + timedelta(days=400),
        primary=primary,
        backup=backup,
    )
    return Desk(
        city=city,
        center=city.user(Role.CENTER_ADMIN, full_name="中心值守"),
        primary=primary,
        backup=backup,
        engineer=city.user(Role.PROVIDER_OPERATOR, full_name="运维丙"),
        a_applicant=city.user(Role.DEPARTMENT_APPLICANT, org=city.dept_a, full_name="甲局报障人"),
        a_head=city.user(Role.DEPARTMENT_HEAD, org=city.dept_a, full_name="甲局局长"),
        b_applicant=city.user(Role.DEPARTMENT_APPLICANT, org=city.dept_b),
        b_head=city.user(Role.DEPARTMENT_HEAD, org=city.dept_b),
        system_a=InformationSystem.objects.create(organization=city.dept_a, name="甲局门户", protection_level=3),
        system_b=InformationSystem.objects.create(organization=city.dept_b, name="乙局门户", protection_level=2),
        resource_a=adopt(city.dept_a, name="甲局主机"),
        resource_b=adopt(city.dept_b, name="乙局主机"),
        team=team,
    )


def report(desk: Desk, actor=None, severity: str = "general", **kwargs):
    data = {
        "title": "门户无法访问",
        "symptom": "首页 502",
        "severity": desk.severity(severity),
        "system": desk.system_a,
        "resources": [desk.resource_a],
        "contact_phone": "13800000000",
    }
    data.update(kwargs)
    return services.incident_report(actor=actor or desk.a_applicant, **data)
