"""Fixtures shared by every test: a small city, users per role, logged-in clients."""

from __future__ import annotations

import os

import pytest
from django.core.cache import cache
from django.utils import translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from govcloud.audit import guard
from govcloud.core import policy
from govcloud.core.roles import TOTP_REQUIRED_ROLES, Role
from govcloud.organizations.middleware import SESSION_2FA
from govcloud.organizations.models import OrganizationKind, OrganizationLevel
from govcloud.workdays import selectors as workday_selectors
from tests.factories import OrganizationFactory, UserFactory


def pytest_collection_modifyitems(config, items):
    # Redis tests run in .ci/run's PostgreSQL and Redis suite, which sets REDIS_URL.
    if os.environ.get("REDIS_URL"):
        return
    skip = pytest.mark.skip(reason="needs REDIS_URL (run by .ci/run's PostgreSQL and Redis suite)")
    for item in items:
        if "redis" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _english_messages():
    # Services' messages are asserted in English; pages choose their language per request (Chinese
    # unless switched), which the page tests check.
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_caches(monkeypatch):
    # The per-process caches of policies and the calendar lapse after 10 s so that other
    # processes see a change; in a test the changing process is this one, which clears them at
    # once. Kept for the whole test, because a cache lapsing between the two requests of a
    # query-count measurement added its reload (one query) to the page's count when slow
    # test data took about those 10 s (it happened in two parallel processes).
    monkeypatch.setattr(policy, "_CACHE_SECONDS", 3600.0)
    monkeypatch.setattr(workday_selectors, "_RECHECK_SECONDS", 3600.0)
    policy.clear_cache()
    workday_selectors.clear_cache()
    cache.clear()
    yield
    policy.clear_cache()
    workday_selectors.clear_cache()


@pytest.fixture(autouse=True)
def _allow_test_database_flush():
    # Transactional tests end by wiping the database; the SQLite guard must let that through.
    guard.maintenance["allow_delete"] = True
    yield
    guard.maintenance["allow_delete"] = True


class City:
    """A small city: the center, the provider, finance, the leading group, two departments (A with a
    unit) and a district; `user(role, org)` makes a user."""

    def __init__(self):
        self.root = OrganizationFactory(name="测试市人民政府", level=OrganizationLevel.CITY)
        self.center = OrganizationFactory(
            name="测试市电子政务中心",
            kind=OrganizationKind.CENTER,
            parent=self.root,
            level=OrganizationLevel.DEPARTMENT,
        )
        self.provider = OrganizationFactory(
            name="测试云服务商", kind=OrganizationKind.PROVIDER, parent=self.root, level=OrganizationLevel.DEPARTMENT
        )
        self.finance = OrganizationFactory(
            name="测试市财政局", kind=OrganizationKind.FINANCE, parent=self.root, level=OrganizationLevel.DEPARTMENT
        )
        self.leading = OrganizationFactory(
            name="测试领导小组",
            kind=OrganizationKind.LEADING_GROUP,
            parent=self.root,
            level=OrganizationLevel.DEPARTMENT,
        )
        self.dept_a = OrganizationFactory(name="甲局", parent=self.root, level=OrganizationLevel.DEPARTMENT)
        self.unit_a = OrganizationFactory(name="甲局下属单位", parent=self.dept_a, level=OrganizationLevel.UNIT)
        self.dept_b = OrganizationFactory(name="乙局", parent=self.root, level=OrganizationLevel.DEPARTMENT)
        self.district = OrganizationFactory(name="丙区", parent=self.root, level=OrganizationLevel.DISTRICT)

    def org_for(self, role: Role):
        return {
            Role.CENTER_ADMIN: self.center,
            Role.CENTER_REVIEWER: self.center,
            Role.SYSTEM_ADMIN: self.center,
            Role.SECURITY_ADMIN: self.center,
            Role.AUDIT_ADMIN: self.center,
            Role.EXPERT: self.center,
            Role.PROVIDER_OPERATOR: self.provider,
            Role.FINANCE_VIEWER: self.finance,
            Role.LEADING_GROUP: self.leading,
        }.get(role, self.dept_a)

    def user(self, role: Role | None = None, org=None, **kwargs):
        roles = [role] if role else []
        return UserFactory(organization=org or (self.org_for(role) if role else self.dept_a), roles=roles, **kwargs)


@pytest.fixture
def city(db):
    return City()


def login(client, user):
    """Sign `user` in as the login page would, second factor included where the role needs one."""
    client.force_login(user)
    session = client.session
    session[SESSION_2FA] = ""
    if user.roles & TOTP_REQUIRED_ROLES:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session[SESSION_2FA] = "verify"
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def login_as(client):
    def _login(user):
        return login(client, user)

    return _login
