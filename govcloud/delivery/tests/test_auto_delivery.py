"""Automatic fulfilment through the libvirt test hypervisor, end to end: approval → work order →
domain defined and running → delivered for testing → in service; a resize and a termination applied
to the domain; a failure in the middle leaves the order failed and retryable, and the retry
completes it exactly once; a duplicated task creates nothing twice."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from govcloud.applications import services
from govcloud.applications.models import ApplicationKind, ApplicationState
from govcloud.applications.tests.helpers import advance, api_for, finish_termination, host_row, new_application
from govcloud.audit.models import AuditEvent
from govcloud.delivery import provisioning
from govcloud.delivery.drivers.libvirt import LibvirtDriver
from govcloud.delivery.models import CloudRef, NoteKind, WorkOrder, WorkOrderState
from govcloud.ledger.models import Resource, ResourceState

pytestmark = pytest.mark.django_db
S = ApplicationState


def approved(wf, capture, app=None, **row):
    """Approve (the task runs after the commit, inline in tests) and return the work order."""
    app = advance(wf, app or new_application(wf, rows=[host_row(1, **row)]), S.ACCEPTED)
    with capture(execute=True):
        services.application_approve(actor=wf.admin, application=app)
    return WorkOrder.objects.get(application=app)


def test_an_approved_host_is_delivered_automatically_end_to_end(wf, libvirt_hosts, django_capture_on_commit_callbacks):
    order = approved(wf, django_capture_on_commit_callbacks)
    assert order.driver == "libvirt" and order.state == WorkOrderState.COMPLETED and order.attempts == 1
    resource = Resource.objects.get(origin_application=order.application)
    domain = libvirt_hosts.get(resource.code)
    assert domain.running and domain.spec["vcpu"] == 4 and domain.spec["memory_gb"] == 8
    assert domain.spec["system_disk_gb"] == 100 and domain.spec["data_disk_gb"] == 200
    assert resource.provider_ref == domain.provider_id and resource.state == ResourceState.TESTING
    assert CloudRef.objects.get(work_order=order).resource == resource
    app = order.application
    app.refresh_from_db()
    assert app.state == S.DELIVERED
    assert [n.kind for n in order.notes.all()] == [NoteKind.CREATED, NoteKind.CLAIMED, NoteKind.COMPLETED]
    app = services.application_accept_delivery(actor=wf.applicant, application=app)
    resource.refresh_from_db()
    assert app.state == S.IN_SERVICE and resource.state == ResourceState.IN_SERVICE
    # A second (duplicated) task does nothing.
    provisioning.work_order_execute(work_order=order.pk)
    assert Resource.objects.filter(origin_application=app).count() == 1
    assert sum(1 for i in libvirt_hosts.list() if i.managed) == 1


def test_a_resize_and_a_termination_are_applied_to_the_domain(wf, libvirt_hosts, django_capture_on_commit_callbacks):
    first = approved(wf, django_capture_on_commit_callbacks)
    resource = Resource.objects.get(origin_application=first.application)
    assert advance(wf, first.application, S.IN_SERVICE).state == S.IN_SERVICE
    resource.refresh_from_db()
    assert resource.state == ResourceState.IN_SERVICE, resource.state
    change = new_application(
        wf, kind=ApplicationKind.CHANGE, rows=[services.ItemInput(target_resource=resource, spec={"vcpu": 8})]
    )
    order = approved(wf, django_capture_on_commit_callbacks, app=change)
    assert order.state == WorkOrderState.COMPLETED, order.failure_reason
    resource.refresh_from_db()
    assert resource.spec["vcpu"] == 8 and resource.vcpu == 8
    assert libvirt_hosts.get(resource.code).spec["vcpu"] == 8
    advance(wf, order.application, S.COMPLETED)
    ending = new_application(
        wf,
        kind=ApplicationKind.TERMINATION,
        rows=[services.ItemInput(target_resource=resource)],
        termination_mode="destruction",
        termination_date=date.today(),
    )
    order = approved(wf, django_capture_on_commit_callbacks, app=ending)
    # The platform deleted the domain; the order waits for the destruction certificate and the
    # department's confirmation (Art. 18), and no later run or sweep takes it again.
    assert order.state == WorkOrderState.CLAIMED and order.platform_run == provisioning.PLATFORM_DONE
    assert libvirt_hosts.get(resource.code) is None
    resource.refresh_from_db()
    assert resource.state == ResourceState.IN_SERVICE
    assert provisioning.work_order_execute(work_order=order.pk).platform_run == provisioning.PLATFORM_DONE
    assert provisioning.work_orders_provision_sweep(now=timezone.now() + timedelta(hours=1)) == {"enqueued": 0}
    order = finish_termination(wf, order)
    assert order.state == WorkOrderState.COMPLETED
    resource.refresh_from_db()
    assert resource.state == ResourceState.TERMINATED
    order.application.refresh_from_db()
    assert order.application.state == S.COMPLETED


def test_a_failure_in_the_middle_is_recorded_and_the_retry_completes_exactly_once(
    wf, libvirt_hosts, django_capture_on_commit_callbacks, monkeypatch
):
    real_create = LibvirtDriver.create

    def define_then_fail(self, ref, spec):
        real_create(self, ref, spec)  # the domain is defined and running…
        raise RuntimeError("connection reset by qemu+ssh://ops:s3cret@kvm1/system")  # …then the worker fails

    monkeypatch.setattr(LibvirtDriver, "create", define_then_fail)
    order = approved(wf, django_capture_on_commit_callbacks)
    assert order.state == WorkOrderState.FAILED and order.attempts == 1
    assert "RuntimeError" in order.failure_reason and "s3cret" not in order.failure_reason
    assert not Resource.objects.filter(origin_application=order.application).exists()  # nothing half-recorded
    assert AuditEvent.objects.filter(action="work_order.fail").count() == 1
    order.application.refresh_from_db()
    assert order.application.state == S.IN_DELIVERY
    with pytest.raises(PermissionDenied):
        provisioning.work_order_retry(actor=wf.applicant, work_order=order)
    monkeypatch.setattr(LibvirtDriver, "create", real_create)
    with django_capture_on_commit_callbacks(execute=True):
        provisioning.work_order_retry(actor=wf.provider, work_order=order)
    order.refresh_from_db()
    assert order.state == WorkOrderState.COMPLETED and order.attempts == 2 and order.failure_reason == ""
    with pytest.raises(ValidationError):
        provisioning.work_order_retry(actor=wf.provider, work_order=order)
    provisioning.work_order_execute(work_order=order.pk)
    resource = Resource.objects.get(origin_application=order.application)
    assert [i.ref for i in libvirt_hosts.list() if i.managed] == [resource.code]  # one domain, adopted
    assert resource.provider_ref == libvirt_hosts.get(resource.code).provider_id
    order.application.refresh_from_db()
    assert order.application.state == S.DELIVERED


def test_a_driver_error_fails_the_order_with_the_reason_shown_and_retry_from_page_and_api(
    wf, libvirt_hosts, django_capture_on_commit_callbacks, monkeypatch, client, settings
):
    from govcloud.delivery.drivers.base import DriverError

    def refuse(self, ref, spec):
        raise DriverError("libvirt could not define it: no space left")

    monkeypatch.setattr(LibvirtDriver, "create", refuse)
    order = approved(wf, django_capture_on_commit_callbacks)
    assert order.failure_reason == "libvirt could not define it: no space left"
    client.force_login(wf.provider)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(f"/work-orders/{order.pk}/").content.decode()
    assert 'data-testid="retry"' in page and "no space left" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/work-orders/{order.pk}/retry/")
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.state == WorkOrderState.FAILED and order.attempts == 2  # still refused
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        answer = api_for(wf.admin).post(f"/api/v1/work-orders/{order.pk}/retry/")
    assert answer.status_code == 200, answer.content
    order.refresh_from_db()
    assert order.state == WorkOrderState.COMPLETED
    assert api_for(wf.admin).post(f"/api/v1/work-orders/{order.pk}/retry/").status_code == 400


def test_duplicate_execution_creates_nothing_twice(wf, libvirt_hosts):
    app = advance(wf, new_application(wf, rows=[host_row(2)]), S.IN_DELIVERY)  # tasks not run (no commit)
    order = WorkOrder.objects.get(application=app)
    assert order.state == WorkOrderState.OPEN and order.driver == "libvirt"
    for _ in range(3):
        provisioning.work_order_execute(work_order=order.pk)
    order.refresh_from_db()
    assert order.state == WorkOrderState.COMPLETED and order.attempts == 1
    assert Resource.objects.filter(origin_application=app).count() == 2
    assert sorted(i.ref for i in libvirt_hosts.list() if i.managed) == sorted(
        Resource.objects.filter(origin_application=app).values_list("code", flat=True)
    )
    assert AuditEvent.objects.filter(action="work_order.complete").count() == 1


def test_the_sweep_reruns_an_order_a_killed_worker_left_claimed(
    wf, libvirt_hosts, django_capture_on_commit_callbacks, time_machine
):
    app = advance(wf, new_application(wf, rows=[host_row(1)]), S.IN_DELIVERY)
    order = WorkOrder.objects.get(application=app)
    # A worker claimed the order, reserved the name and created the domain, then was killed.
    WorkOrder.objects.filter(pk=order.pk).update(state=WorkOrderState.CLAIMED)
    ref = provisioning._reserve(order)[0]
    libvirt_hosts.create(ref, provisioning._host_spec(order.item.approved_spec))
    assert provisioning.work_orders_provision_sweep()["enqueued"] == 0  # not stale yet
    time_machine.move_to(timezone.now() + timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert provisioning.work_orders_provision_sweep()["enqueued"] == 1
    order.refresh_from_db()
    assert order.state == WorkOrderState.COMPLETED
    assert Resource.objects.get(origin_application=app).code == ref
    assert [i.ref for i in libvirt_hosts.list() if i.managed] == [ref]
