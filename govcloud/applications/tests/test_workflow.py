"""The lifecycle end to end through the services (Art. 8-10): approval (perhaps less than asked)
creates the work orders; their completion writes the ledger and moves the application; the
department's acceptance starts metering; a failed test reopens the work; changes and terminations
reach the ledger."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from govcloud.applications import services
from govcloud.applications.models import ApplicationKind, ApplicationState
from govcloud.applications.tests.helpers import (
    advance,
    deliver,
    finish_termination,
    host_row,
    in_service_resource,
    item,
    new_application,
)
from govcloud.audit.models import AuditEvent
from govcloud.core.errors import StateConflict
from govcloud.delivery.models import WorkOrder, WorkOrderKind, WorkOrderState
from govcloud.ledger.models import HistoryKind, Resource, ResourceHistory, ResourceState
from govcloud.notifications.models import Notification

pytestmark = pytest.mark.django_db
S = ApplicationState


def test_from_draft_to_service_with_the_ledger(wf):
    app = new_application(
        wf, rows=[host_row(2), services.ItemInput(catalog_item=item("storage"), spec={"storage_tb": "2"})]
    )
    app = advance(wf, app, S.ACCEPTED)
    app = services.application_approve(actor=wf.admin, application=app, comment="同意")
    assert app.state == S.IN_DELIVERY and app.delivery_due_at is not None
    orders = list(WorkOrder.objects.filter(application=app).order_by("pk"))
    assert [o.kind for o in orders] == [WorkOrderKind.PROVISION] * 2
    assert all(o.due_at == app.delivery_due_at and o.state == WorkOrderState.OPEN for o in orders)
    assert Notification.objects.filter(recipient=wf.provider, title__contains=app.number).exists()

    deliver(wf, orders[0])
    app.refresh_from_db()
    assert app.state == S.IN_DELIVERY  # one order still open
    deliver(wf, orders[1])
    app.refresh_from_db()
    assert app.state == S.DELIVERED and app.test_due_at is not None
    resources = list(Resource.objects.filter(origin_application=app))
    assert len(resources) == 3 and {r.state for r in resources} == {ResourceState.TESTING}
    assert all(r.in_service_at is None for r in resources), "the test period is not billed"

    app = services.application_accept_delivery(actor=wf.applicant, application=app, comment="测试通过")
    assert app.state == S.IN_SERVICE and app.in_service_at
    for resource in Resource.objects.filter(origin_application=app):
        assert resource.state == ResourceState.IN_SERVICE
        assert resource.in_service_at == app.in_service_at, "metering starts when the department accepts"
        assert resource.history.filter(kind=HistoryKind.ACTIVATED).count() == 1
    actions = list(app.events.values_list("action", flat=True))
    assert actions[:6] == ["create", "submit", "sign_off", "accept", "approve", "work_order"]
    assert actions[-2:] == ["mark_delivered", "accept_delivery"]


def test_the_center_approves_less_than_asked_with_a_reason(wf):
    app = advance(wf, new_application(wf, rows=[host_row(3)]), S.ACCEPTED)
    row = app.items.get()
    decision = services.ItemDecision(approved_quantity=2, approved_spec={"vcpu": 2}, approval_note="按实际负载核减")
    with pytest.raises(ValidationError, match="say why"):
        services.application_approve(
            actor=wf.admin, application=app, decisions={row.pk: services.ItemDecision(approved_quantity=2)}
        )
    with pytest.raises(ValidationError, match="at most what was asked"):
        services.application_approve(
            actor=wf.admin,
            application=app,
            decisions={row.pk: services.ItemDecision(approved_spec={"vcpu": 8}, approval_note="多给")},
        )
    with pytest.raises(ValidationError, match="allowed: 1, 2, 4"):
        services.application_approve(
            actor=wf.admin,
            application=app,
            decisions={row.pk: services.ItemDecision(approved_spec={"vcpu": 3}, approval_note="x")},
        )
    with pytest.raises(ValidationError, match="reject the application instead"):
        services.application_approve(
            actor=wf.admin,
            application=app,
            decisions={row.pk: services.ItemDecision(approved_quantity=0, approval_note="无")},
        )
    app = services.application_approve(actor=wf.admin, application=app, decisions={row.pk: decision})
    row.refresh_from_db()
    assert (row.approved_quantity, row.approved_spec["vcpu"], row.approval_note) == (2, 2, "按实际负载核减")
    assert row.approved_monthly_estimate < row.monthly_estimate
    assert app.approved_monthly_estimate == row.approved_monthly_estimate
    order = WorkOrder.objects.get(application=app)
    # The provider must deliver exactly what was approved.
    with pytest.raises(ValidationError, match="exactly 2"):
        services_complete(wf, order, [{"name": "a", "spec": row.approved_spec}])
    with pytest.raises(ValidationError, match="differs from the approved one"):
        services_complete(wf, order, [{"name": n, "spec": row.spec} for n in "ab"])
    with pytest.raises(ValidationError, match="used twice"):
        services_complete(wf, order, [{"name": "a", "spec": row.approved_spec}] * 2)
    deliver(wf, order)
    assert set(Resource.objects.filter(origin_application=app).values_list("vcpu", flat=True)) == {2}


def services_complete(wf, order, entries):
    from govcloud.delivery import services as delivery

    order.refresh_from_db()
    if order.state == WorkOrderState.OPEN:
        delivery.work_order_claim(actor=wf.provider, work_order=order)
    return delivery.work_order_complete(actor=wf.provider, work_order=order, delivered=entries)


def test_an_item_approved_at_zero_gets_no_work_order(wf):
    app = advance(wf, new_application(wf, rows=[host_row(1), host_row(2)]), S.ACCEPTED)
    first, second = app.items.order_by("pk")
    services.application_approve(
        actor=wf.admin,
        application=app,
        decisions={second.pk: services.ItemDecision(approved_quantity=0, approval_note="第二批暂不批")},
    )
    assert list(WorkOrder.objects.filter(application=app).values_list("item_id", flat=True)) == [first.pk]


def test_returned_for_correction_then_resubmitted(wf):
    app = advance(wf, new_application(wf), S.SUBMITTED)
    due = app.decision_due_at
    assert due is not None
    app = services.application_return(actor=wf.reviewer, application=app, reasons="请补充业务量测算依据")
    assert app.state == S.RETURNED and app.decision_due_at is None and app.return_reasons
    app = services.application_update(actor=wf.applicant, application=app, purpose="补充：日均访问3万人次")
    app = services.application_submit(actor=wf.applicant, application=app)
    app = services.application_sign_off(actor=wf.head, application=app)
    assert app.state == S.SUBMITTED and app.decision_due_at is not None and app.return_reasons == ""
    assert AuditEvent.objects.filter(action="application.return_for_correction", object_id=str(app.pk)).count() == 1


def test_a_failed_test_sends_the_work_back_and_the_redelivery_is_corrected_in_place(wf):
    app = advance(wf, new_application(wf, rows=[host_row(1)]), S.DELIVERED)
    first = Resource.objects.get(origin_application=app)
    with pytest.raises(ValidationError):
        services.application_report_defects(actor=wf.applicant, application=app, defects="")
    app = services.application_report_defects(actor=wf.applicant, application=app, defects="无法通过堡垒机登录")
    assert app.state == S.TEST_FAILED and app.test_due_at is None
    order = WorkOrder.objects.get(application=app)
    assert order.state == WorkOrderState.OPEN and order.reopened_at and order.due_at == app.delivery_due_at
    assert order.notes.filter(kind="reopened", text="无法通过堡垒机登录").exists()
    assert Notification.objects.filter(recipient=wf.provider, title__contains="failed").exists()
    # The provider fixes it: same resource, a corrected address.
    services_complete(
        wf,
        order,
        [
            {
                "name": "修复后",
                "spec": order.item.approved_spec,
                "addresses": [{"network": "extranet", "address": "10.9.9.9"}],
            }
        ],
    )
    app.refresh_from_db()
    assert app.state == S.DELIVERED
    resource = Resource.objects.get(origin_application=app)
    assert resource.pk == first.pk and resource.name == "修复后" and resource.state == ResourceState.TESTING
    assert resource.history.filter(kind=HistoryKind.CORRECTED).exists()
    assert services.application_accept_delivery(actor=wf.head, application=app).state == S.IN_SERVICE


def test_a_change_applies_the_new_spec_when_its_work_order_completes(wf):
    resource = in_service_resource(wf)
    app = new_application(
        wf, kind=ApplicationKind.CHANGE, rows=[services.ItemInput(target_resource=resource, spec={"vcpu": 8})]
    )
    app = advance(wf, app, S.IN_DELIVERY)
    resource.refresh_from_db()
    assert resource.state == ResourceState.CHANGING and resource.spec["vcpu"] == 4
    order = WorkOrder.objects.get(application=app)
    assert order.kind == WorkOrderKind.CHANGE
    deliver(wf, order)
    resource.refresh_from_db()
    assert resource.state == ResourceState.IN_SERVICE and resource.spec["vcpu"] == 8 and resource.vcpu == 8
    change = ResourceHistory.objects.get(resource=resource, kind=HistoryKind.CHANGED, application=app)
    assert change.spec_before["vcpu"] == 4 and change.spec_after["vcpu"] == 8
    app.refresh_from_db()
    assert app.state == S.DELIVERED
    assert services.application_confirm_change(actor=wf.applicant, application=app).state == S.COMPLETED
    with pytest.raises(ValidationError):
        services.application_accept_delivery(actor=wf.applicant, application=app)


def test_a_term_extension_changes_no_spec(wf):
    resource = in_service_resource(wf)
    app = new_application(
        wf,
        kind=ApplicationKind.CHANGE,
        rows=[services.ItemInput(target_resource=resource, needed_until=date(2030, 12, 31))],
    )
    app = advance(wf, app, S.COMPLETED)
    resource.refresh_from_db()
    assert resource.state == ResourceState.IN_SERVICE and app.items.get().needed_until == date(2030, 12, 31)


def test_a_termination_ends_service_and_completes(wf):
    resource = in_service_resource(wf)
    app = new_application(
        wf,
        kind=ApplicationKind.TERMINATION,
        rows=[services.ItemInput(target_resource=resource)],
        termination_mode="destruction",
        termination_date=date.today(),
    )
    app = advance(wf, app, S.IN_DELIVERY)
    order = WorkOrder.objects.get(application=app)
    assert order.kind == WorkOrderKind.TERMINATE
    from govcloud.delivery import services as delivery

    delivery.work_order_claim(actor=wf.provider, work_order=order)
    # Art. 18: not without the destruction certificate and the department's confirmation of it.
    with pytest.raises(StateConflict, match="confirmed"):
        delivery.work_order_complete(actor=wf.provider, work_order=order, note="销毁证明 XH-2026-001")
    finish_termination(wf, order, note="销毁证明 XH-2026-001")
    app.refresh_from_db()
    resource.refresh_from_db()
    assert app.state == S.COMPLETED and app.closed_at
    assert resource.state == ResourceState.TERMINATED and resource.terminated_at
    note = resource.history.get(kind=HistoryKind.TERMINATED).note
    assert "销毁证明 XH-2026-001" in note and "destruction-certificate.pdf" in note and wf.head.full_name in note


def test_a_termination_waits_for_its_date(wf, time_machine):
    from datetime import timedelta

    from django.utils import timezone

    resource = in_service_resource(wf)
    later = timezone.localdate() + timedelta(days=10)
    app = new_application(
        wf,
        kind=ApplicationKind.TERMINATION,
        rows=[services.ItemInput(target_resource=resource)],
        termination_mode="handover",
        termination_date=later,
    )
    app = advance(wf, app, S.IN_DELIVERY)
    assert timezone.localtime(app.delivery_due_at).date() >= later
    order = WorkOrder.objects.get(application=app)
    from govcloud.delivery import evidence
    from govcloud.delivery import services as delivery

    delivery.work_order_claim(actor=wf.provider, work_order=order)
    with pytest.raises(ValidationError, match="not before"):
        evidence.termination_evidence_submit(actor=wf.provider, work_order=order, statement="移交")
    time_machine.move_to(timezone.now() + timedelta(days=10))
    finish_termination(wf, order, note="数据已移交")
    resource.refresh_from_db()
    assert resource.state == ResourceState.TERMINATED


def test_cancel_before_the_decision_only(wf):
    app = advance(wf, new_application(wf), S.ACCEPTED)
    app = services.application_cancel(actor=wf.head, application=app, comment="需求取消")
    assert app.state == S.CANCELLED and app.closed_at and app.decision_due_at is None
    assert Notification.objects.filter(recipient=wf.reviewer, title__contains=app.number).exists()
    approved = advance(wf, new_application(wf), S.IN_DELIVERY)
    with pytest.raises(ValidationError):
        services.application_cancel(actor=wf.applicant, application=approved)


def test_rejection_needs_reasons_and_ends_it(wf):
    app = advance(wf, new_application(wf), S.ACCEPTED)
    with pytest.raises(ValidationError):
        services.application_reject(actor=wf.admin, application=app, reasons=" ")
    app = services.application_reject(actor=wf.admin, application=app, reasons="现有资源利用率不足30%")
    assert app.state == S.REJECTED and app.decision_note == "现有资源利用率不足30%" and app.closed_at
    assert not WorkOrder.objects.filter(application=app).exists()


def test_a_step_taken_settles_the_notifications_that_asked_for_it(wf):
    """The head's "sign off" and the center's "awaiting acceptance/decision" stayed unread after the step
    was taken (by them or a colleague); informative notifications stay until read."""
    from govcloud.applications.kinds import Kind

    def unread(kind, user=None):
        qs = Notification.objects.filter(kind=kind, read_at__isnull=True)
        return qs.filter(recipient=user).count() if user else qs.count()

    app = advance(wf, new_application(wf), ApplicationState.AWAITING_SIGNOFF)
    assert unread(Kind.SIGNOFF_REQUESTED, wf.head) == 1
    app = advance(wf, app, ApplicationState.SUBMITTED)
    assert unread(Kind.SIGNOFF_REQUESTED) == 0
    assert unread(Kind.SUBMITTED, wf.reviewer) == 1 and unread(Kind.SUBMITTED, wf.admin) == 1
    app = advance(wf, app, ApplicationState.ACCEPTED)  # the reviewer accepts: the admin's copy is settled too
    assert unread(Kind.SUBMITTED) == 0 and unread(Kind.ACCEPTED, wf.admin) == 1
    app = advance(wf, app, ApplicationState.IN_DELIVERY)
    assert unread(Kind.ACCEPTED) == 0
    assert unread(Kind.APPROVED, wf.applicant) == 1  # news for the department, not a task: stays unread
