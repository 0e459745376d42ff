"""Reconciliation services: what a run finds (shadow, missing, drift), deduplication and automatic
resolution across runs, and the decisions (adopt, incident, deletion only after the owner
confirms, dismiss) with their roles and scope."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from govcloud.audit.models import AuditEvent
from govcloud.core.actors import SYSTEM
from govcloud.core.roles import Role
from govcloud.incidents.models import Incident
from govcloud.ledger import services as ledger_services
from govcloud.ledger.models import HistoryKind, Resource, ResourceState
from govcloud.ledger.tests.helpers import DB_SPEC, adopt, catalog_item, system_of
from govcloud.notifications.models import Notification
from govcloud.reconciliation import services
from govcloud.reconciliation.models import (
    Discrepancy,
    DiscrepancyKind,
    DiscrepancyState,
    ReconciliationRun,
    RunStatus,
)
from govcloud.reconciliation.tasks import reconciliation_run_task
from govcloud.reconciliation.tests.fakes import FakeCloud

pytestmark = pytest.mark.django_db

K = DiscrepancyKind
S = DiscrepancyState


def run():
    (result,) = services.reconciliation_run(actor=SYSTEM)
    return result


def only(**filters) -> Discrepancy:
    return Discrepancy.objects.get(**filters)


def test_a_domain_created_behind_the_platforms_back_is_a_shadow(city, cloud):
    known = adopt(city.dept_a, provider_ref="uuid-known")
    cloud.put(known.code, "uuid-known")
    cloud.put("rogue-vm", "uuid-rogue", vcpu=16)
    result = run()
    assert result.status == RunStatus.SUCCEEDED
    assert (result.cloud_count, result.ledger_count, result.shadow_count, result.drift_count) == (2, 1, 1, 0)
    shadow = only(kind=K.SHADOW)
    assert (shadow.ref, shadow.provider_id, shadow.driver, shadow.state) == ("rogue-vm", "uuid-rogue", "fake", S.OPEN)
    assert shadow.resource is None and shadow.organization is None
    assert shadow.observed["spec"]["vcpu"] == 16
    assert shadow.events.get().state_after == S.OPEN
    assert AuditEvent.objects.filter(action="reconciliation.run").count() == 1


def test_matching_by_code_when_the_ledger_has_no_cloud_id(city, cloud):
    resource = adopt(city.dept_a)
    cloud.put(resource.code, "uuid-x")
    assert run().shadow_count == 0
    assert not Discrepancy.objects.exists()


def test_a_vcpu_changed_outside_the_platform_is_drift(city, cloud):
    resource = adopt(city.dept_a, provider_ref="uuid-1")
    cloud.put(resource.code, "uuid-1", vcpu=8)
    assert run().drift_count == 1
    drift = only(kind=K.DRIFT)
    assert drift.fields == ["vcpu"]
    assert drift.resource == resource and drift.organization == city.dept_a
    assert drift.expected["columns"] == {"vcpu": 4, "memory_gb": 8, "disk_gb": 250}
    assert drift.observed["columns"]["vcpu"] == 8


def test_memory_and_disk_drift_too(city, cloud):
    resource = adopt(city.dept_a, provider_ref="uuid-1")
    cloud.put(resource.code, "uuid-1", memory_gb=16, data_disk_gb=500)
    run()
    assert only(kind=K.DRIFT).fields == ["memory_gb", "disk_gb"]


def test_a_resource_in_use_the_cloud_no_longer_has_is_missing(city, cloud):
    missing = adopt(city.dept_b, provider_ref="uuid-gone")
    adopt(city.dept_a)  # manual delivery without a cloud id: nothing to compare
    adopt(city.dept_a, "db-mysql-5.6", DB_SPEC, provider_ref="rds-1")  # not a kind this cloud runs
    ended = adopt(city.dept_a, provider_ref="uuid-ended")
    ledger_services.resource_terminate(actor=SYSTEM, resource=ended)
    result = run()
    assert result.missing_count == 1
    d = only(kind=K.MISSING)
    assert (d.ref, d.provider_id, d.resource, d.organization) == (missing.code, "uuid-gone", missing, city.dept_b)
    assert d.observed == {}


def test_a_terminated_resource_still_running_is_a_shadow_of_its_old_department(city, cloud):
    ended = adopt(city.dept_a, provider_ref="uuid-ended")
    ledger_services.resource_terminate(actor=SYSTEM, resource=ended)
    cloud.put(ended.code, "uuid-ended")
    run()
    shadow = only(kind=K.SHADOW)
    assert shadow.resource == ended and shadow.organization == city.dept_a


def test_later_runs_update_the_same_discrepancy_and_resolve_what_disappeared(city, cloud):
    resource = adopt(city.dept_a, provider_ref="uuid-1")
    cloud.put(resource.code, "uuid-1", vcpu=8)
    cloud.put("rogue", "uuid-rogue")
    first = run()
    cloud.put(resource.code, "uuid-1", vcpu=12)
    second = run()
    assert Discrepancy.objects.count() == 2
    drift = only(kind=K.DRIFT)
    assert drift.run == first and drift.last_run == second
    assert drift.observed["columns"]["vcpu"] == 12
    assert drift.last_seen_at >= drift.first_seen_at
    assert drift.events.count() == 1

    cloud.remove("uuid-rogue")
    cloud.put(resource.code, "uuid-1", vcpu=4)
    third = run()
    assert third.resolved_count == 2
    assert set(Discrepancy.objects.values_list("state", flat=True)) == {S.RESOLVED}
    assert only(kind=K.SHADOW).closed_at is not None

    cloud.put("rogue", "uuid-rogue")
    run()
    assert Discrepancy.objects.filter(kind=K.SHADOW).count() == 2  # it came back: a new one


def test_a_dismissed_discrepancy_stays_quiet_until_it_changes(city, cloud):
    admin = city.user(Role.CENTER_ADMIN)
    resource = adopt(city.dept_a, provider_ref="uuid-1")
    cloud.put(resource.code, "uuid-1", vcpu=8)
    run()
    services.discrepancy_dismiss(actor=admin, discrepancy=only(kind=K.DRIFT), reason="临时扩容，已知")
    run()
    assert Discrepancy.objects.count() == 1
    cloud.put(resource.code, "uuid-1", vcpu=16)
    run()
    assert Discrepancy.objects.filter(kind=K.DRIFT, state=S.OPEN).count() == 1


def test_adopt_creates_a_ledger_resource_for_a_department(city, cloud):
    admin = city.user(Role.CENTER_ADMIN)
    cloud.put("rogue", "uuid-rogue", vcpu=2, memory_gb=4)
    run()
    shadow = only(kind=K.SHADOW)
    system = system_of(city.dept_a)
    resource = services.discrepancy_adopt(
        actor=admin,
        discrepancy=shadow,
        organization=city.dept_a,
        system=system,
        catalog_item=catalog_item("host"),
    )
    assert (resource.organization, resource.system, resource.provider_ref) == (city.dept_a, system, "uuid-rogue")
    assert resource.state == ResourceState.IN_SERVICE and (resource.vcpu, resource.memory_gb) == (2, 4)
    entry = resource.history.get()
    assert entry.kind == HistoryKind.ADOPTED and "Adopted by reconciliation" in entry.note
    shadow.refresh_from_db()
    assert (shadow.state, shadow.resource, shadow.organization) == (S.ADOPTED, resource, city.dept_a)
    assert AuditEvent.objects.filter(action="reconciliation.discrepancy_adopt").count() == 1
    result = run()
    assert (result.shadow_count, result.drift_count) == (0, 0)


def test_adopt_is_the_center_administrators_and_checks_the_kind(city, cloud):
    cloud.put("rogue", "uuid-rogue")
    run()
    shadow = only(kind=K.SHADOW)
    for role in (Role.CENTER_REVIEWER, Role.PROVIDER_OPERATOR):
        with pytest.raises(PermissionDenied):
            services.discrepancy_adopt(
                actor=city.user(role), discrepancy=shadow, organization=city.dept_a, catalog_item=catalog_item("host")
            )
    with pytest.raises(Http404):
        services.discrepancy_adopt(
            actor=city.user(Role.DEPARTMENT_HEAD),
            discrepancy=shadow,
            organization=city.dept_a,
            catalog_item=catalog_item("host"),
        )
    with pytest.raises(ValidationError, match="kind the cloud reports"):
        services.discrepancy_adopt(
            actor=city.user(Role.CENTER_ADMIN),
            discrepancy=shadow,
            organization=city.dept_a,
            catalog_item=catalog_item("db-mysql-5.6"),
        )
    assert not Resource.objects.exists()
    shadow.refresh_from_db()
    assert shadow.state == S.OPEN


def _owned_shadow(city, cloud) -> Discrepancy:
    ended = adopt(city.dept_a, provider_ref="uuid-ended")
    ledger_services.resource_terminate(actor=SYSTEM, resource=ended)
    cloud.put(ended.code, "uuid-ended")
    run()
    return only(kind=K.SHADOW)


def test_deletion_happens_only_after_the_department_confirms(city, cloud, django_capture_on_commit_callbacks):
    admin = city.user(Role.CENTER_ADMIN)
    head = city.user(Role.DEPARTMENT_HEAD, org=city.dept_a)
    other_head = city.user(Role.DEPARTMENT_HEAD, org=city.dept_b)
    shadow = _owned_shadow(city, cloud)
    with django_capture_on_commit_callbacks(execute=True):
        services.discrepancy_request_deletion(actor=admin, discrepancy=shadow, note="无人使用，建议删除")
    shadow.refresh_from_db()
    assert shadow.state == S.DELETION_REQUESTED and cloud.deleted == []
    assert Notification.objects.filter(recipient=head, kind="reconciliation.deletion_requested").count() == 1
    assert not Notification.objects.filter(recipient=other_head).exists()

    for actor in (admin, city.user(Role.DEPARTMENT_APPLICANT, org=city.dept_a), city.user(Role.PROVIDER_OPERATOR)):
        with pytest.raises(PermissionDenied):
            services.discrepancy_confirm_deletion(actor=actor, discrepancy=shadow)
    with pytest.raises(Http404):
        services.discrepancy_confirm_deletion(actor=other_head, discrepancy=shadow)
    assert cloud.deleted == []

    with django_capture_on_commit_callbacks(execute=True):
        services.discrepancy_confirm_deletion(actor=head, discrepancy=shadow)
    shadow.refresh_from_db()
    assert cloud.deleted == [shadow.ref]
    assert shadow.state == S.DELETED and shadow.deletion_confirmed_by_name
    assert [e.state_after for e in shadow.events.order_by("at", "pk")] == [
        S.OPEN,
        S.DELETION_REQUESTED,
        S.DELETION_CONFIRMED,
        S.DELETED,
    ]
    assert run().shadow_count == 0


def test_an_unowned_shadow_is_confirmed_by_the_center_administrator(city, cloud, django_capture_on_commit_callbacks):
    admin = city.user(Role.CENTER_ADMIN)
    cloud.put("rogue", "uuid-rogue")
    run()
    shadow = only(kind=K.SHADOW)
    services.discrepancy_request_deletion(actor=admin, discrepancy=shadow, note="来源不明")
    with pytest.raises(Http404):  # no department owns it: no department sees it
        services.discrepancy_confirm_deletion(actor=city.user(Role.DEPARTMENT_HEAD), discrepancy=shadow)
    with pytest.raises(PermissionDenied):
        services.discrepancy_confirm_deletion(actor=city.user(Role.CENTER_REVIEWER), discrepancy=shadow)
    with django_capture_on_commit_callbacks(execute=True):
        services.discrepancy_confirm_deletion(actor=admin, discrepancy=shadow)
    assert cloud.deleted == ["rogue"]
    shadow.refresh_from_db()
    assert shadow.state == S.DELETED


def test_a_failed_deletion_stays_confirmed_and_says_why(city, cloud, django_capture_on_commit_callbacks):
    admin = city.user(Role.CENTER_ADMIN)
    cloud.put("rogue", "uuid-rogue")
    run()
    shadow = only(kind=K.SHADOW)
    services.discrepancy_request_deletion(actor=admin, discrepancy=shadow, note="来源不明")
    cloud.fail = "connection refused"
    with django_capture_on_commit_callbacks(execute=True):
        services.discrepancy_confirm_deletion(actor=admin, discrepancy=shadow)
    shadow.refresh_from_db()
    assert shadow.state == S.DELETION_CONFIRMED
    assert "connection refused" in shadow.events.order_by("-pk").first().note


def test_deletion_is_only_for_shadows_and_needs_a_note(city, cloud):
    admin = city.user(Role.CENTER_ADMIN)
    resource = adopt(city.dept_a, provider_ref="uuid-1")
    cloud.put(resource.code, "uuid-1", vcpu=8)
    run()
    drift = only(kind=K.DRIFT)
    with pytest.raises(ValidationError, match="not possible"):
        services.discrepancy_request_deletion(actor=admin, discrepancy=drift, note="x")
    with pytest.raises(ValidationError):
        services.discrepancy_dismiss(actor=admin, discrepancy=drift, reason="  ")
    with pytest.raises(PermissionDenied):
        services.discrepancy_dismiss(actor=city.user(Role.CENTER_REVIEWER), discrepancy=drift, reason="ok")


def test_open_incident_notifies_the_provider(city, cloud):
    operator = city.user(Role.PROVIDER_OPERATOR)
    resource = adopt(city.dept_a, provider_ref="uuid-1")
    run()  # the cloud is empty: missing
    d = only(kind=K.MISSING)
    with pytest.raises(PermissionDenied):
        services.discrepancy_open_incident(actor=city.user(Role.DEPARTMENT_HEAD), discrepancy=d, note="主机不见了")
    services.discrepancy_open_incident(actor=city.user(Role.CENTER_REVIEWER), discrepancy=d, note="主机不见了")
    d.refresh_from_db()
    assert d.state == S.INCIDENT_OPENED and d.note == "主机不见了"
    # A real incident on the service desk, which calls the provider's engineers (no roster: all).
    incident = Incident.objects.get(source_key=f"reconciliation:{d.pk}")
    assert incident.channel == "reconciliation" and incident.organization == city.dept_a
    assert list(incident.resources.all()) == [resource]
    opened = AuditEvent.objects.get(action="reconciliation.discrepancy_open_incident", object_id=str(d.pk))
    assert incident.number in opened.message
    assert Notification.objects.get(recipient=operator).kind == "incidents.new"
    assert AuditEvent.objects.filter(action="reconciliation.discrepancy_open_incident", object_id=str(d.pk)).exists()
    assert resource.code in d.ref


def test_departments_see_their_own_discrepancies_only(city, cloud):
    from govcloud.reconciliation import selectors

    adopt(city.dept_a, provider_ref="uuid-a")
    adopt(city.dept_b, provider_ref="uuid-b")
    cloud.put("rogue", "uuid-rogue")
    run()
    assert selectors.discrepancies_for(user=city.user(Role.CENTER_REVIEWER)).count() == 3
    assert selectors.discrepancies_for(user=city.user(Role.PROVIDER_OPERATOR)).count() == 3
    mine = selectors.discrepancies_for(user=city.user(Role.DEPARTMENT_APPLICANT, org=city.dept_a))
    assert [d.organization for d in mine] == [city.dept_a]
    assert not selectors.discrepancies_for(user=city.user(Role.FINANCE_VIEWER)).exists()


def test_running_is_the_center_administrators_and_a_failing_cloud_is_recorded(city, cloud, settings):
    with pytest.raises(PermissionDenied):
        services.reconciliation_run(actor=city.user(Role.CENTER_REVIEWER))
    broken = FakeCloud("broken")
    broken.fail = "libvirt: connection refused"
    settings.RECONCILIATION_DRIVERS = {"broken": broken, "fake": cloud}
    cloud.put("rogue", "uuid-rogue")
    runs = {r.driver: r for r in services.reconciliation_run(actor=city.user(Role.CENTER_ADMIN))}
    assert runs["broken"].status == RunStatus.FAILED and "connection refused" in runs["broken"].error
    assert runs["fake"].status == RunStatus.SUCCEEDED and runs["fake"].shadow_count == 1
    (named,) = services.reconciliation_run(actor=SYSTEM, driver_name="fake")
    assert named.driver == "fake"
    with pytest.raises(ValidationError, match="not a configured cloud driver"):
        services.reconciliation_run(actor=SYSTEM, driver_name="nope")


def test_the_task_runs_every_driver(city, cloud):
    cloud.put("rogue", "uuid-rogue")
    result = reconciliation_run_task.enqueue()
    assert len(result.return_value) == 1
    assert ReconciliationRun.objects.get().shadow_count == 1


def test_drivers_come_from_the_delivery_settings_when_reconciliation_names_none(settings):
    from govcloud.reconciliation import drivers

    del settings.RECONCILIATION_DRIVERS
    settings.DELIVERY_DRIVERS = {"*": {"*": "manual"}}
    assert drivers.cloud_drivers() == {}
    assert drivers.driver_names() == []
    settings.DELIVERY_DRIVERS = {"*": {"*": "manual"}, "taizhou": {"host": "libvirt"}}
    assert drivers.driver_names() == ["libvirt"]
    settings.RECONCILIATION_DRIVERS = {"fake": "govcloud.reconciliation.tests.fakes.FakeCloud", "bad": object()}
    assert list(drivers.cloud_drivers()) == ["fake"]


def test_an_instance_the_platform_did_not_create_has_no_kind_and_is_a_shadow(city, cloud):
    cloud.put("hand-made", "uuid-hand", kind="")
    run()
    shadow = only(kind=K.SHADOW)
    resource = services.discrepancy_adopt(
        actor=city.user(Role.CENTER_ADMIN),
        discrepancy=shadow,
        organization=city.dept_b,
        catalog_item=catalog_item("host"),
    )
    assert resource.kind == "host" and resource.organization == city.dept_b
