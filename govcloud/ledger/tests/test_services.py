"""The ledger's writes: every change appends one history entry and one audit event, keeps the
numeric columns in step with the spec, and follows the state table; metering starts at
activation and a terminated resource stays with its end time."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from govcloud.audit.models import AuditEvent
from govcloud.catalog.tests.helpers import HOST_SPEC
from govcloud.core.actors import SYSTEM
from govcloud.core.roles import Role
from govcloud.ledger import services
from govcloud.ledger.models import HistoryKind, Resource, ResourceHistory, ResourceState
from govcloud.ledger.selectors import history_for
from govcloud.ledger.tests.helpers import DB_SPEC, INTERNET_SPEC, adopt, deliver, system_of

pytestmark = pytest.mark.django_db

TZ = timezone.get_default_timezone()


def events(resource, action=None):
    found = AuditEvent.objects.filter(object_type="ledger.resource", object_id=str(resource.pk))
    return found.filter(action=action) if action else found


def test_the_life_of_a_resource(city):
    applicant = city.user(Role.DEPARTMENT_APPLICANT)
    provider = city.user(Role.PROVIDER_OPERATOR)
    t0 = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)
    resource, app = deliver(
        city.dept_a,
        created_by=applicant,
        actor=provider,
        name="办事大厅应用服务器",
        addresses=[{"network": "extranet", "address": "10.32.1.15"}],
        at=t0,
    )
    assert resource.code == "TZ-VM-000001" and resource.state == ResourceState.TESTING
    assert (resource.vcpu, resource.memory_gb, resource.disk_gb, resource.os_image, resource.network) == (
        4,
        8,
        250,
        "centos-7.0-64",
        "extranet",
    )
    assert resource.origin_application == app and resource.in_service_at is None
    # The department accepts the test: in service, metering starts.
    services.resource_activate(actor=applicant, resource=resource, application=app, at=t0 + timedelta(days=3))
    services.resource_change_start(actor=provider, resource=resource, note="扩容", at=t0 + timedelta(days=5))
    assert Resource.objects.get(pk=resource.pk).state == ResourceState.CHANGING
    bigger = {**HOST_SPEC, "vcpu": 8, "memory_gb": 16, "data_disk_gb": 500}
    changed = services.resource_change(actor=provider, resource=resource, spec=bigger, at=t0 + timedelta(days=10))
    assert changed.state == ResourceState.IN_SERVICE
    assert (changed.vcpu, changed.memory_gb, changed.disk_gb) == (8, 16, 550)
    ended = services.resource_terminate(actor=provider, resource=resource, at=t0 + timedelta(days=40), note="系统下线")
    assert ended.state == ResourceState.TERMINATED and ended.terminated_at == t0 + timedelta(days=40)
    assert services.resource_terminate(actor=provider, resource=resource).terminated_at == ended.terminated_at

    history = list(ResourceHistory.objects.filter(resource=resource).order_by("at", "pk"))
    assert [h.kind for h in history] == [
        HistoryKind.DELIVERED,
        HistoryKind.ACTIVATED,
        HistoryKind.CHANGE_STARTED,
        HistoryKind.CHANGED,
        HistoryKind.TERMINATED,
    ]
    assert [(h.state_before, h.state_after) for h in history] == [
        ("", "testing"),
        ("testing", "in_service"),
        ("in_service", "changing"),
        ("changing", "in_service"),
        ("in_service", "terminated"),
    ]
    assert history[0].application == app and history[1].application == app
    assert history[3].spec_before == HOST_SPEC and history[3].spec_after == bigger
    assert history[1].actor_name == applicant.full_name
    # One audit event per change.
    assert [e.action for e in events(resource).order_by("seq")] == [
        "resource.deliver",
        "resource.activate",
        "resource.change_start",
        "resource.change",
        "resource.terminate",
    ]


def test_transitions_outside_the_table_are_refused(city):
    resource = adopt(city.dept_a)
    with pytest.raises(ValidationError, match="“Activate” is not possible for a resource that is “In service”"):
        services.resource_activate(actor=SYSTEM, resource=resource)
    with pytest.raises(ValidationError, match="“Cancel a change” is not possible"):
        services.resource_change_cancel(actor=SYSTEM, resource=resource)
    services.resource_terminate(actor=SYSTEM, resource=resource)
    with pytest.raises(ValidationError, match="“Change” is not possible for a resource that is “Terminated”"):
        services.resource_change(actor=SYSTEM, resource=resource, spec=HOST_SPEC)
    with pytest.raises(ValidationError):
        services.resource_change_start(actor=SYSTEM, resource=resource)


def test_a_started_change_can_be_cancelled(city):
    resource = adopt(city.dept_a)
    services.resource_change_start(actor=SYSTEM, resource=resource)
    back = services.resource_change_cancel(actor=SYSTEM, resource=resource, note="申请撤回")
    assert back.state == ResourceState.IN_SERVICE and back.spec == HOST_SPEC


def test_a_delivery_is_changed_during_its_test_and_stays_in_testing(city):
    resource, _app = deliver(city.dept_a, created_by=city.user(Role.DEPARTMENT_APPLICANT))
    fixed = services.resource_change(actor=SYSTEM, resource=resource, spec={**HOST_SPEC, "os_image": "ubuntu-14.04-64"})
    assert fixed.state == ResourceState.TESTING and fixed.os_image == "ubuntu-14.04-64"


def test_departments_change_only_their_own_resources_and_never_record_deliveries(city):
    a_resource = adopt(city.dept_a)
    unit_resource = adopt(city.unit_a)
    b_user = city.user(Role.DEPARTMENT_HEAD, org=city.dept_b)
    with pytest.raises(PermissionDenied):
        services.resource_terminate(actor=b_user, resource=a_resource)
    with pytest.raises(PermissionDenied):
        services.resource_terminate(actor=city.user(Role.FINANCE_VIEWER), resource=a_resource)
    a_head = city.user(Role.DEPARTMENT_HEAD)
    services.resource_terminate(actor=a_head, resource=unit_resource)  # its unit's resource
    with pytest.raises(PermissionDenied):
        adopt(city.dept_a, actor=a_head)
    with pytest.raises(PermissionDenied):
        services.resource_correct(actor=a_head, resource=a_resource, name="x", note="改名")
    assert Resource.objects.get(pk=a_resource.pk).state == ResourceState.IN_SERVICE


def test_codes_run_per_kind(city):
    codes = [adopt(city.dept_a).code, adopt(city.dept_a).code, adopt(city.dept_a, "db-mysql-5.6", DB_SPEC).code]
    assert codes == ["TZ-VM-000001", "TZ-VM-000002", "TZ-DB-000001"]


def test_adopted_resources_and_columns_of_every_kind(city):
    system = system_of(city.dept_a)
    since = datetime(2024, 6, 1, tzinfo=TZ)
    db = adopt(city.dept_a, "db-mysql-5.6", DB_SPEC, system=system, in_service_at=since, note="存量资源登记")
    assert (db.state, db.in_service_at, db.disk_gb, db.vcpu, db.os_image) == ("in_service", since, 100, 2, "")
    assert db.history.get().kind == HistoryKind.ADOPTED and db.history.get().note == "存量资源登记"
    storage = adopt(city.dept_a, "storage", {"storage_tb": "2.5"})
    assert (storage.storage_tb, storage.disk_gb, storage.vcpu) == (Decimal("2.5"), 0, 0)
    internet = adopt(city.dept_a, "network-internet", INTERNET_SPEC)
    assert (internet.network, internet.bandwidth_mbps, internet.public_addresses) == ("internet", 20, 2)
    with pytest.raises(ValidationError, match="another department"):
        adopt(city.dept_b, system=system)
    assert events(db, "resource.adopt").count() == 1


def test_correcting_the_record(city):
    resource = adopt(city.dept_a, addresses=[])
    addresses = [{"network": "internet", "address": "58.222.10.8", "domain": "yy.taizhou.gov.cn"}]
    fixed = services.resource_correct(
        actor=city.user(Role.PROVIDER_OPERATOR), resource=resource, addresses=addresses, note="补录公网地址"
    )
    assert fixed.network == "internet" and fixed.addresses_text == "58.222.10.8 yy.taizhou.gov.cn"
    entry = fixed.history.order_by("-pk").first()
    assert entry.kind == HistoryKind.CORRECTED and entry.note == "补录公网地址"
    assert events(resource, "resource.correct").count() == 1
    with pytest.raises(ValidationError, match="Say what was corrected"):
        services.resource_correct(actor=SYSTEM, resource=resource, name="x", note=" ")
    with pytest.raises(TypeError):
        services.resource_correct(actor=SYSTEM, resource=resource, spec={}, note="x")


def test_history_for_metering(city):
    t = [datetime(2026, 1, d, 12, tzinfo=TZ) for d in (1, 5, 10, 20, 25)]
    first = adopt(city.dept_a, in_service_at=t[0])
    services.resource_change(actor=SYSTEM, resource=first, spec={**HOST_SPEC, "vcpu": 8}, at=t[1])
    services.resource_change(actor=SYSTEM, resource=first, spec={**HOST_SPEC, "vcpu": 16}, at=t[3])
    second = adopt(city.dept_a, in_service_at=t[2])
    services.resource_terminate(actor=SYSTEM, resource=second, at=t[4])
    other = adopt(city.dept_b, in_service_at=t[0])

    window = history_for(Resource.objects.filter(organization=city.dept_a), t[2], t[4])
    assert [(e.resource_id, e.at, e.spec_after.get("vcpu")) for e in window] == [
        (first.pk, t[1], 8),  # the spec in force when the window opens
        (first.pk, t[3], 16),
        (second.pk, t[2], 4),
    ]
    assert [e.resource_id for e in history_for([other], t[1], t[4])] == [other.pk]
    assert history_for([other.pk], t[0], t[1])[0].kind == HistoryKind.ADOPTED


def test_history_is_append_only(city):
    entry = adopt(city.dept_a).history.get()
    entry.note = "改写"
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    with pytest.raises(ValueError, match="append-only"):
        entry.delete()
