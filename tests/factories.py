"""Factories for test fixtures. Organizations get their tree path as the service gives it."""

from __future__ import annotations

import itertools

import factory
from django.utils import timezone

from govcloud.core.roles import TOTP_REQUIRED_ROLES, Role
from govcloud.organizations.credit_codes import make_credit_code
from govcloud.organizations.models import (
    Organization,
    OrganizationKind,
    OrganizationLevel,
    RoleAssignment,
    User,
)

_serial = itertools.count(10_000)

TEST_PASSWORD = "Test#Passw0rd-2026"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"测试部门{n}")
    kind = OrganizationKind.DEPARTMENT
    level = factory.LazyAttribute(lambda o: OrganizationLevel.UNIT if o.parent else OrganizationLevel.DEPARTMENT)
    parent = None
    credit_code = factory.LazyFunction(lambda: make_credit_code(next(_serial)))
    contact_name = "联系人"
    contact_phone = "0523-86830000"

    @factory.post_generation
    def tree(obj, create, extracted, **kwargs):
        if not create:
            return
        parent = obj.parent
        obj.path = f"{parent.path if parent else '/'}{obj.pk}/"
        obj.depth = parent.depth + 1 if parent else 0
        Organization.objects.filter(pk=obj.pk).update(path=obj.path, depth=obj.depth)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    organization = factory.SubFactory(OrganizationFactory)
    must_change_password = False
    password_changed_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or TEST_PASSWORD)
        if create:
            User.objects.filter(pk=obj.pk).update(password=obj.password)

    @factory.post_generation
    def roles(obj, create, extracted, **kwargs):
        if create and extracted:
            RoleAssignment.objects.bulk_create([RoleAssignment(user=obj, role=Role(r)) for r in extracted])
            obj.__dict__.pop("roles", None)


def api_token_for(user: User) -> str:
    """A personal access token for `user`, as the product makes one: from a session that has given
    the second factor — so an account whose role needs one has enrolled it first."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from govcloud.organizations.services import token_create

    if user.roles & TOTP_REQUIRED_ROLES:
        TOTPDevice.objects.get_or_create(user=user, confirmed=True, defaults={"name": "test"})
    _token, raw = token_create(actor=user, name="test", expires_in_days=7)
    return raw


def org_of_kind(kind: str, **kwargs) -> Organization:
    return OrganizationFactory(kind=kind, **kwargs)


def xlsx_bytes(rows, headers=("date", "kind", "name")) -> bytes:
    """A small XLSX workbook, as a person would upload it."""
    import io

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
