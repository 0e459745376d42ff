"""Registering systems (Art. 3, 6, 16): who may, what a classified system may hold, responsible
people encrypted at rest, one audit event per change."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.http import Http404

from govcloud.audit.models import AuditEvent
from govcloud.core.actors import SYSTEM
from govcloud.core.roles import Role
from govcloud.systems import services
from govcloud.systems.models import HostingStatus, InformationSystem, ResponsiblePerson
from govcloud.systems.tests.helpers import people, register

pytestmark = pytest.mark.django_db


def test_department_registers_its_own_and_its_units_systems(city):
    applicant = city.user(Role.DEPARTMENT_APPLICANT)
    own = register(city.dept_a, "一网通办", actor=applicant)
    unit = register(city.unit_a, "下属单位系统", actor=applicant)
    assert {own.organization, unit.organization} == {city.dept_a, city.unit_a}
    with pytest.raises(ValidationError) as exc:
        register(city.dept_b, "别人的系统", actor=applicant)
    assert "organization" in exc.value.message_dict


def test_center_admin_registers_for_any_department_and_others_may_not(city):
    register(city.dept_b, "中心代录", actor=city.user(Role.CENTER_ADMIN))
    for role in (Role.PROVIDER_OPERATOR, Role.LEADING_GROUP, Role.EXPERT, Role.FINANCE_VIEWER, Role.CENTER_REVIEWER):
        with pytest.raises(PermissionDenied):
            register(city.dept_a, f"x{role}", actor=city.user(role))
    assert InformationSystem.objects.count() == 1


def test_another_department_cannot_change_a_system_it_cannot_see(city):
    system = register(city.dept_a)
    with pytest.raises(Http404):
        services.system_update(actor=city.user(Role.DEPARTMENT_HEAD, org=city.dept_b), system=system, purpose="x")
    with pytest.raises(Http404):
        services.system_update(actor=city.user(Role.DEPARTMENT_HEAD, org=city.unit_a), system=system, purpose="x")
    services.system_update(actor=city.user(Role.DEPARTMENT_SECURITY_OFFICER), system=system, purpose="新用途")
    assert InformationSystem.objects.get().purpose == "新用途"


def test_classified_system_takes_its_name_only(city):
    officer = city.user(Role.DEPARTMENT_SECURITY_OFFICER)
    for detail in (
        {"purpose": "指挥调度"},
        {"hosting_status": "own_room"},
        {"planned_migration_date": date(2027, 1, 1)},
        {"users_served": "民警"},
        {"internet_facing": True},
        {"holds_personal_information": True},
        {"holds_important_data": True},
        {"protection_level": 3},
    ):
        with pytest.raises(ValidationError) as exc:
            services.system_create(actor=officer, organization=city.dept_a, name="涉密", classified=True, **detail)
        assert set(exc.value.message_dict) == set(detail)
        assert "classified" in str(exc.value)
    with pytest.raises(ValidationError):
        services.system_create(
            actor=officer, organization=city.dept_a, name="涉密", classified=True, responsible_people=people()
        )
    assert not InformationSystem.objects.exists()
    system = services.system_create(actor=officer, organization=city.dept_a, name="涉密", classified=True)
    assert (system.purpose, system.hosting_status, system.protection_level) == ("", "", None)
    assert not ResponsiblePerson.objects.exists()
    with pytest.raises(ValidationError):
        services.system_update(actor=officer, system=system, purpose="不得记录")
    services.system_update(actor=officer, system=system, name="涉密系统（更名）")
    assert InformationSystem.objects.get().name == "涉密系统（更名）"


def test_classified_records_refuse_mlps_records(city):
    system = services.system_create(actor=SYSTEM, organization=city.dept_a, name="涉密", classified=True)
    with pytest.raises(ValidationError, match="classified"):
        services.filing_record(
            actor=SYSTEM, system=system, filing_number="1", filed_on=date(2026, 1, 1), filing_authority="x",
            protection_level=3,
        )  # fmt: skip
    with pytest.raises(ValidationError, match="classified"):
        services.rectification_create(actor=SYSTEM, system=system, description="x", owner="y", due_on=date(2026, 1, 1))
    with pytest.raises(ValidationError, match="classified"):
        services.exemption_create(actor=SYSTEM, system=system, reasons="涉密系统依法不迁移的说明")


@pytest.mark.parametrize(
    "field, value",
    [
        ("purpose", "x"),
        ("hosting_status", "own_room"),
        ("planned_migration_date", date(2027, 1, 1)),
        ("users_served", "x"),
        ("internet_facing", True),
        ("holds_personal_information", True),
        ("holds_important_data", True),
        ("protection_level", 2),
    ],
)
def test_the_database_refuses_details_on_a_classified_system(city, field, value):
    system = services.system_create(actor=SYSTEM, organization=city.dept_a, name="涉密", classified=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        InformationSystem.objects.filter(pk=system.pk).update(**{field: value})


def test_the_classification_is_fixed(city):
    system = register(city.dept_a)
    with pytest.raises(ValidationError) as exc:
        services.system_update(actor=SYSTEM, system=system, classified=True)
    assert "classified" in exc.value.message_dict


def test_three_responsible_people_are_required_and_the_auditor_is_not_the_manager(city):
    with pytest.raises(ValidationError) as exc:
        register(city.dept_a, responsible_people={"system_manager": {"name": "张明", "phone": "0523-86831001"}})
    assert {"security_confidentiality_name", "security_auditor_name"} <= set(exc.value.message_dict)
    same = people()
    same["security_auditor"] = dict(same["system_manager"])
    with pytest.raises(ValidationError, match="security auditor must be someone other"):
        register(city.dept_a, responsible_people=same)
    bad_phone = people()
    bad_phone["system_manager"]["phone"] = "call me"
    with pytest.raises(ValidationError) as exc:
        register(city.dept_a, responsible_people=bad_phone)
    assert "system_manager_phone" in exc.value.message_dict
    assert not InformationSystem.objects.exists()


def test_phones_are_encrypted_at_rest_and_masked_in_the_audit_trail(city):
    system = register(city.dept_a)
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM systems_responsibleperson WHERE system_id = %s", [system.pk])
        raw = [row[0] for row in cursor.fetchall()]
    assert len(raw) == 3
    assert all(value.startswith("sm4gcm1:") and "0523" not in value and "139" not in value for value in raw)
    assert {p.phone for p in system.responsible_people.all()} == {"0523-86831001", "0523-86831002", "13905231003"}
    event = AuditEvent.objects.get(action="system.create")
    assert "0523-86831001" not in event.changes and "******" in event.changes and "张明" in event.changes
    services.system_update(
        actor=SYSTEM,
        system=system,
        responsible_people={**people(), "system_manager": {"name": "张明", "phone": "0523-86839999"}},
    )
    update = AuditEvent.objects.get(action="system.update")
    assert "system_manager.phone" in update.changes and "86839999" not in update.changes


def test_exempted_is_set_only_by_the_workflow(city):
    with pytest.raises(ValidationError) as exc:
        register(city.dept_a, hosting_status=HostingStatus.EXEMPTED)
    assert "hosting_status" in exc.value.message_dict
    system = register(city.dept_a)
    with pytest.raises(ValidationError):
        services.system_update(actor=SYSTEM, system=system, hosting_status=HostingStatus.EXEMPTED)


def test_a_migrating_system_needs_its_planned_date(city):
    with pytest.raises(ValidationError) as exc:
        register(city.dept_a, hosting_status=HostingStatus.MIGRATING)
    assert "planned_migration_date" in exc.value.message_dict
    register(city.dept_a, hosting_status=HostingStatus.MIGRATING, planned_migration_date=date(2027, 3, 1))


def test_names_are_unique_per_owning_unit(city):
    register(city.dept_a, "重名")
    with pytest.raises(ValidationError) as exc:
        register(city.dept_a, "重名")
    assert "name" in exc.value.message_dict
    register(city.dept_b, "重名")


def test_every_registry_change_is_one_audit_event(city):
    applicant = city.user(Role.DEPARTMENT_APPLICANT)
    system = register(city.dept_a, actor=applicant)
    services.system_update(actor=applicant, system=system, purpose="改")
    services.system_update(actor=applicant, system=system, purpose="改")  # no change, no event
    services.system_set_active(actor=applicant, system=system, active=False)
    services.system_set_active(actor=applicant, system=system, active=True)
    actions = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))
    assert actions == ["system.create", "system.update", "system.retire", "system.reactivate"]
    event = AuditEvent.objects.get(action="system.update")
    assert event.actor_id == applicant.pk and event.subject_organization_path == city.dept_a.path
