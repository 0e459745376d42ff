from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from govcloud.audit.models import AuditEvent
from govcloud.core.actors import SYSTEM
from govcloud.core.roles import Role
from govcloud.organizations import services
from govcloud.organizations.credit_codes import make_credit_code
from govcloud.organizations.models import Organization, OrganizationKind, OrganizationLevel, RoleAssignment, User
from govcloud.organizations.validators import GovCloudPasswordValidator, validate_credit_code

pytestmark = pytest.mark.django_db


# --- 三员分立 -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pair",
    [
        {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN},
        {Role.SYSTEM_ADMIN, Role.AUDIT_ADMIN},
        {Role.SECURITY_ADMIN, Role.AUDIT_ADMIN},
    ],
)
def test_separation_of_duties_refuses_two_admin_roles(city, pair):
    security_admin = city.user(Role.SECURITY_ADMIN)
    target = city.user(org=city.center)
    with pytest.raises(ValidationError, match="三员分立"):
        services.user_set_roles(actor=security_admin, user=target, roles=pair)
    assert not RoleAssignment.objects.filter(user=target).exists()


def test_separation_of_duties_refuses_adding_a_second_admin_role(city):
    security_admin = city.user(Role.SECURITY_ADMIN)
    target = city.user(Role.AUDIT_ADMIN)
    with pytest.raises(ValidationError):
        services.role_grant(actor=security_admin, user=target, role=Role.SYSTEM_ADMIN)
    assert target.role_assignments.get().role == Role.AUDIT_ADMIN


def test_database_refuses_two_admin_roles_even_past_the_service(city):
    """The partial unique index holds even if two requests race past the service's check."""
    target = city.user(Role.SYSTEM_ADMIN)
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=target, role=Role.AUDIT_ADMIN)


def test_admin_role_with_business_role_is_allowed(city):
    security_admin = city.user(Role.SECURITY_ADMIN)
    target = city.user(org=city.center)
    services.user_set_roles(actor=security_admin, user=target, roles={Role.AUDIT_ADMIN, Role.CENTER_REVIEWER})
    assert User.objects.get(pk=target.pk).roles == {Role.AUDIT_ADMIN, Role.CENTER_REVIEWER}


def test_nobody_changes_their_own_roles(city):
    security_admin = city.user(Role.SECURITY_ADMIN)
    with pytest.raises(PermissionDenied):
        services.user_set_roles(
            actor=security_admin, user=security_admin, roles={Role.SECURITY_ADMIN, Role.CENTER_ADMIN}
        )


def test_only_the_security_admin_assigns_roles(city):
    target = city.user(org=city.dept_a)
    for role in (Role.SYSTEM_ADMIN, Role.CENTER_ADMIN, Role.DEPARTMENT_HEAD):
        with pytest.raises(PermissionDenied):
            services.user_set_roles(actor=city.user(role), user=target, roles={Role.DEPARTMENT_APPLICANT})


def test_role_must_fit_the_organization_kind(city):
    security_admin = city.user(Role.SECURITY_ADMIN)
    dept_user = city.user(org=city.dept_a)
    with pytest.raises(ValidationError):
        services.user_set_roles(actor=security_admin, user=dept_user, roles={Role.CENTER_ADMIN})
    with pytest.raises(ValidationError):
        services.user_set_roles(actor=security_admin, user=dept_user, roles={Role.PROVIDER_OPERATOR})


def test_role_changes_are_audited_one_event_each(city):
    security_admin = city.user(Role.SECURITY_ADMIN)
    target = city.user(Role.DEPARTMENT_APPLICANT)
    services.user_set_roles(
        actor=security_admin, user=target, roles={Role.DEPARTMENT_HEAD, Role.DEPARTMENT_SECURITY_OFFICER}
    )
    grants = AuditEvent.objects.filter(action="role.grant", object_id=str(target.pk))
    revokes = AuditEvent.objects.filter(action="role.revoke", object_id=str(target.pk))
    assert grants.count() == 2 and revokes.count() == 1
    assert all(e.actor_username == security_admin.username for e in [*grants, *revokes])


# --- Organizations ----------------------------------------------------------------------------------


def test_organization_tree_and_move(city):
    admin = city.user(Role.SYSTEM_ADMIN)
    bureau = services.organization_create(
        actor=admin,
        name="丁局",
        kind=OrganizationKind.DEPARTMENT,
        level=OrganizationLevel.DEPARTMENT,
        parent=city.root,
        credit_code=make_credit_code(424242),
        contact_name="张三",
        contact_phone="13800000000",
    )
    unit = services.organization_create(
        actor=admin,
        name="丁局下属",
        kind=OrganizationKind.DEPARTMENT,
        level=OrganizationLevel.UNIT,
        parent=bureau,
        credit_code=make_credit_code(424243),
        contact_name="李四",
        contact_phone="13800000001",
    )
    assert unit.path == f"{city.root.path}{bureau.pk}/{unit.pk}/"
    services.organization_update(actor=admin, organization=bureau, parent=city.district)
    unit.refresh_from_db()
    assert unit.path == f"{city.district.path}{bureau.pk}/{unit.pk}/"
    assert unit.depth == city.district.depth + 2
    assert AuditEvent.objects.filter(action="organization.update", object_id=str(bureau.pk)).exists()


def test_organization_cannot_move_under_itself(city):
    admin = city.user(Role.SYSTEM_ADMIN)
    with pytest.raises(ValidationError):
        services.organization_update(actor=admin, organization=city.dept_a, parent=city.unit_a)


def test_level_must_fit_the_tree(city):
    admin = city.user(Role.SYSTEM_ADMIN)
    with pytest.raises(ValidationError):
        services.organization_create(
            actor=admin,
            name="错误",
            kind=OrganizationKind.DEPARTMENT,
            level=OrganizationLevel.DISTRICT,
            parent=city.dept_a,
            credit_code=make_credit_code(5151),
            contact_name="x",
            contact_phone="1",
        )


def test_only_the_system_admin_creates_organizations(city):
    with pytest.raises(PermissionDenied):
        services.organization_create(
            actor=city.user(Role.CENTER_ADMIN),
            name="x",
            kind=OrganizationKind.DEPARTMENT,
            level=OrganizationLevel.DEPARTMENT,
            parent=city.root,
            credit_code=make_credit_code(7),
            contact_name="x",
            contact_phone="1",
        )


def test_invalid_credit_code_changes_nothing(city):
    admin = city.user(Role.SYSTEM_ADMIN)
    code = make_credit_code(99)
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    count = Organization.objects.count()
    with pytest.raises(ValidationError):
        services.organization_create(
            actor=admin,
            name="x",
            kind=OrganizationKind.DEPARTMENT,
            level=OrganizationLevel.DEPARTMENT,
            parent=city.root,
            credit_code=wrong,
            contact_name="x",
            contact_phone="1",
        )
    assert Organization.objects.count() == count


@pytest.mark.parametrize("code", ["91110000802100433B", "914403001922038216", "9144030071526726XG"])
def test_real_credit_codes_validate(code):
    validate_credit_code(code)


@pytest.mark.parametrize("code", ["91110000802100433C", "9111000080210043", "91110000802100433b", "91110000802I00433B"])
def test_bad_credit_codes_fail(code):
    with pytest.raises(ValidationError):
        validate_credit_code(code)


# --- Sensitive data at rest -------------------------------------------------------------------------


def test_phone_numbers_are_sm4_ciphertext_in_the_database(city):
    user = city.user(Role.DEPARTMENT_APPLICANT, phone="13912345678")
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM organizations_user WHERE id = %s", [user.pk])
        raw = cursor.fetchone()[0]
        cursor.execute("SELECT contact_phone FROM organizations_organization WHERE id = %s", [city.dept_a.pk])
        raw_org = cursor.fetchone()[0]
    assert raw.startswith("sm4gcm1:") and "13912345678" not in raw
    assert raw_org.startswith("sm4gcm1:")
    assert User.objects.get(pk=user.pk).phone == "13912345678"


def test_audit_never_records_a_sensitive_value(city):
    admin = city.user(Role.SYSTEM_ADMIN)
    user = city.user(Role.DEPARTMENT_APPLICANT, phone="13912345678")
    services.user_update(actor=admin, user=user, phone="13700000000")
    event = AuditEvent.objects.get(action="user.update")
    assert "13700000000" not in event.changes and "13912345678" not in event.changes
    assert "phone" in event.changes


# --- Passwords --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password, ok",
    [
        ("Short1!", False),  # too short
        ("alllowercaseletters", False),  # one class
        ("lowercase12345", False),  # two classes
        ("Lowercase12345", True),  # three classes
        ("lower case 123", True),  # lower, digit, symbol (space)
    ],
)
def test_password_policy(password, ok):
    validator = GovCloudPasswordValidator()
    if ok:
        validator.validate(password)
    else:
        with pytest.raises(ValidationError):
            validator.validate(password)


def test_password_may_not_be_the_username(city):
    user = city.user(Role.DEPARTMENT_APPLICANT, username="Admin12345x")
    with pytest.raises(ValidationError):
        GovCloudPasswordValidator().validate("admin12345X", user)


def test_new_user_gets_a_temporary_password_and_must_change_it(city):
    admin = city.user(Role.SYSTEM_ADMIN)
    user, password = services.user_create(actor=admin, username="newbie", full_name="新人", organization=city.dept_a)
    assert user.must_change_password
    assert user.check_password(password)
    services.user_change_password(actor=user, old_password=password, new_password="Brand-New-Pass-77")
    user.refresh_from_db()
    assert not user.must_change_password


def test_production_hashes_with_argon2(settings, city):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user = city.user(Role.DEPARTMENT_APPLICANT)
    user.set_password("Another-Pass-2026")
    assert user.password.startswith("argon2$")


# --- Tokens -------------------------------------------------------------------------------------------


def test_token_is_shown_once_and_stored_hashed(city):
    user = city.user(Role.DEPARTMENT_APPLICANT)
    token, raw = services.token_create(actor=user, name="script", expires_in_days=30)
    assert raw.startswith(f"gct_{token.prefix}_")
    secret = raw.split("_", 2)[2]
    assert secret not in token.token_hash
    found = services.token_authenticate(raw=raw, source_ip="10.0.0.1")
    assert found is not None and found[0] == user


def test_revoked_expired_and_wrong_tokens_fail(city, time_machine):
    time_machine.move_to("2026-11-26 10:00:00+08:00", tick=False)
    user = city.user(Role.DEPARTMENT_APPLICANT)
    token, raw = services.token_create(actor=user, name="a", expires_in_days=1)
    assert services.token_authenticate(raw=raw[:-1] + ("A" if raw[-1] != "A" else "B"), source_ip="") is None
    time_machine.shift(86400 * 2)
    assert services.token_authenticate(raw=raw, source_ip="") is None
    token2, raw2 = services.token_create(actor=user, name="b", expires_in_days=7)
    services.token_revoke(actor=user, token=token2)
    assert services.token_authenticate(raw=raw2, source_ip="") is None


def test_deactivating_a_user_revokes_their_tokens(city):
    admin = city.user(Role.SYSTEM_ADMIN)
    user = city.user(Role.DEPARTMENT_APPLICANT)
    _token, raw = services.token_create(actor=user, name="a", expires_in_days=7)
    services.user_set_active(actor=admin, user=user, active=False)
    assert services.token_authenticate(raw=raw, source_ip="") is None


def test_token_use_is_audited_once_per_quiet_period(city):
    user = city.user(Role.DEPARTMENT_APPLICANT)
    _token, raw = services.token_create(actor=user, name="a", expires_in_days=7)
    for _ in range(5):
        services.token_authenticate(raw=raw, source_ip="10.1.1.1")
    assert AuditEvent.objects.filter(action="token.use").count() == 1


def test_system_actor_passes_role_checks(city):
    user, _ = services.user_create(actor=SYSTEM, username="sys-made", full_name="x", organization=city.dept_a)
    assert AuditEvent.objects.get(action="user.create", object_id=str(user.pk)).actor_username == "system"
