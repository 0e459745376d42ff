"""The provider's work orders (Art. 7, 10): who may claim, note and complete them; what a completion
must record; the ledger it writes; the signal that moves the application; the deadline sweep."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from govcloud.applications.models import ApplicationState
from govcloud.applications.tests.helpers import HOST_SPEC, advance, new_application
from govcloud.audit.models import AuditEvent
from govcloud.core.actors import SYSTEM
from govcloud.delivery import services
from govcloud.delivery.drivers import DEFAULT_DRIVER, Step, get_driver
from govcloud.delivery.models import NoteKind, WorkOrder, WorkOrderState
from govcloud.delivery.signals import application_work_done, work_order_event
from govcloud.ledger.models import Resource, ResourceState
from govcloud.notifications.models import Notification

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def order(wf):
    app = advance(wf, new_application(wf), ApplicationState.IN_DELIVERY)
    return WorkOrder.objects.get(application=app)


def entries(order, **overrides):
    base = [
        {"name": f"web-{n}", "spec": dict(HOST_SPEC), "addresses": [{"network": "extranet", "address": f"10.1.1.{n}"}]}
        for n in range(1, order.item.approved_quantity + 1)
    ]
    for entry in base:
        entry.update(overrides)
    return base


def test_the_manual_driver_opens_an_order_with_its_log(order):
    assert get_driver().name == DEFAULT_DRIVER == order.driver == "manual"
    assert order.state == WorkOrderState.OPEN and order.number.startswith("GD-")
    assert order.notes.get().kind == NoteKind.CREATED
    with pytest.raises(ValueError):
        get_driver("openstack")
    assert Step.__dataclass_fields__.keys() >= {"kind", "application", "item", "due_at"}


@pytest.mark.parametrize("role", ["applicant", "head", "reviewer", "admin", "finance"])
def test_only_the_provider_works_orders(wf, order, role):
    actor = wf.people()[role]
    expected = Http404 if role == "finance" else PermissionDenied
    with pytest.raises(expected):
        services.work_order_claim(actor=actor, work_order=order)
    with pytest.raises(expected):
        services.work_order_note(actor=actor, work_order=order, text="x")
    with pytest.raises(expected):
        services.work_order_complete(actor=actor, work_order=order, delivered=entries(order))


def test_another_departments_people_do_not_see_the_order(wf, order):
    with pytest.raises(Http404):
        services.work_order_claim(actor=wf.b_head, work_order=order)


def test_claim_note_and_take_over(wf, order):
    with pytest.raises(ValidationError, match="Claim the work order"):
        services.work_order_complete(actor=wf.provider, work_order=order, delivered=entries(order))
    order = services.work_order_claim(actor=wf.provider, work_order=order)
    assert order.state == WorkOrderState.CLAIMED and order.claimed_by == wf.provider
    with pytest.raises(ValidationError, match="already claimed"):
        services.work_order_claim(actor=wf.provider, work_order=order)
    services.work_order_note(actor=wf.provider, work_order=order, text="已分配宿主机，正在安装系统")
    with pytest.raises(ValidationError):
        services.work_order_note(actor=wf.provider, work_order=order, text="  ")
    with pytest.raises(ValidationError, match="claimed by someone else"):
        services.work_order_complete(actor=wf.provider2, work_order=order, delivered=entries(order))
    order = services.work_order_claim(actor=wf.provider2, work_order=order)
    assert order.claimed_by == wf.provider2
    assert order.notes.filter(kind=NoteKind.CLAIMED, text__contains="陈运维").exists()
    timeline = list(order.application.events.filter(action="work_order").values_list("comment", flat=True))
    assert any("已分配宿主机" in c for c in timeline) and any("Taken over" in c for c in timeline)
    assert AuditEvent.objects.filter(action="work_order.claim", object_id=str(order.pk)).count() == 2
    assert AuditEvent.objects.get(action="work_order.note").subject_organization_path == wf.city.dept_a.path


def test_completion_is_checked_against_the_approval(wf, order):
    services.work_order_claim(actor=wf.provider, work_order=order)
    cases = [
        (entries(order)[:1], "exactly 2"),
        (entries(order, spec={**HOST_SPEC, "vcpu": 8}), "differs from the approved one"),
        (entries(order, spec={**HOST_SPEC, "vcpu": 3}), "allowed: 1, 2, 4"),
        (entries(order, name=""), "give the resource's name"),
        (entries(order, addresses=[{"network": "extranet", "address": "not-an-ip"}]), "not an IP address"),
        (entries(order, addresses=[{"network": "satellite", "address": "10.0.0.1"}]), "is not one of"),
    ]
    for delivered, fragment in cases:
        with pytest.raises(ValidationError) as info:
            services.work_order_complete(actor=wf.provider, work_order=order, delivered=delivered)
        assert fragment in " ".join(info.value.message_dict["delivered"]), fragment
    assert not Resource.objects.exists()
    order.refresh_from_db()
    assert order.state == WorkOrderState.CLAIMED


def test_completion_writes_the_ledger_and_the_last_one_moves_the_application(wf, order):
    events = []

    def listen(sender, **kwargs):
        events.append(kwargs)

    application_work_done.connect(listen)
    try:
        services.work_order_claim(actor=wf.provider, work_order=order)
        order = services.work_order_complete(
            actor=wf.provider, work_order=order, delivered=entries(order, provider_ref="kvm-01"), note="交付完成"
        )
    finally:
        application_work_done.disconnect(listen)
    assert order.state == WorkOrderState.COMPLETED and order.completed_by_name == "陈运维" and order.attempts == 1
    resources = Resource.objects.filter(origin_application=order.application).order_by("code")
    assert [r.name for r in resources] == ["web-1", "web-2"]
    assert {r.state for r in resources} == {ResourceState.TESTING}
    assert resources[0].provider_ref == "kvm-01" and resources[0].addresses[0]["address"] == "10.1.1.1"
    assert [e["resource"] for e in order.delivered] == [r.code for r in resources]
    assert events == [{"signal": application_work_done, "application_id": order.application_id, "actor": wf.provider}]
    order.application.refresh_from_db()
    assert order.application.state == ApplicationState.DELIVERED


def test_delivery_does_not_import_the_workflow():
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    for path in root.rglob("*.py"):
        if "tests" in path.parts:
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                assert not (node.module or "").startswith("govcloud.applications"), path
            elif isinstance(node, ast.Import):
                assert not any(a.name.startswith("govcloud.applications") for a in node.names), path


def test_every_step_is_signalled_for_the_timeline(wf, order):
    seen = []

    def listen(sender, action, **kwargs):
        seen.append(action)

    work_order_event.connect(listen)
    try:
        services.work_order_claim(actor=wf.provider, work_order=order)
        services.work_order_note(actor=wf.provider, work_order=order, text="进行中")
        services.work_order_complete(actor=wf.provider, work_order=order, delivered=entries(order))
    finally:
        work_order_event.disconnect(listen)
    assert seen == [NoteKind.CLAIMED, NoteKind.NOTE, NoteKind.COMPLETED]


def at(*args):
    return datetime(*args, tzinfo=SH)


def test_the_sweep_warns_the_provider_then_escalates_to_the_center(wf):
    with time_machine.travel(at(2026, 11, 20, 15, 0), tick=False):
        app = advance(wf, new_application(wf), ApplicationState.IN_DELIVERY)  # due Tue 11-24 17:30
    order = WorkOrder.objects.get(application=app)
    with time_machine.travel(at(2026, 11, 24, 10, 0), tick=False):
        assert services.work_order_deadlines_sweep() == {"warned": 0, "escalated": 0}
    with time_machine.travel(at(2026, 11, 24, 14, 0), tick=False):
        assert services.work_order_deadlines_sweep() == {"warned": 1, "escalated": 0}
        assert services.work_order_deadlines_sweep() == {"warned": 0, "escalated": 0}
    warned = Notification.objects.filter(dedupe_key__startswith="delivery.due_soon")
    assert {n.recipient_id for n in warned} == {wf.provider.pk, wf.provider2.pk}
    services.work_order_claim(actor=wf.provider, work_order=order)
    with time_machine.travel(at(2026, 11, 25, 9, 0), tick=False):
        assert services.work_order_deadlines_sweep() == {"warned": 0, "escalated": 1}
        assert services.work_order_deadlines_sweep() == {"warned": 0, "escalated": 0}
    escalated = Notification.objects.filter(dedupe_key__startswith="delivery.overdue")
    assert {n.recipient_id for n in escalated} == {wf.admin.pk, wf.provider.pk}
    assert AuditEvent.objects.filter(action="work_order.overdue", object_id=str(order.pk)).count() == 1


def test_the_sweep_task_runs(wf):
    from govcloud.delivery.tasks import work_order_deadlines_task

    with time_machine.travel(at(2026, 11, 20, 15, 0), tick=False):
        advance(wf, new_application(wf), ApplicationState.IN_DELIVERY)
    with time_machine.travel(at(2026, 11, 25, 9, 0), tick=False):
        assert work_order_deadlines_task.enqueue().return_value == {"warned": 0, "escalated": 1}


def test_the_platform_may_work_an_order(wf, order):
    services.work_order_claim(actor=SYSTEM, work_order=order)
    services.work_order_complete(actor=SYSTEM, work_order=order, delivered=entries(order))
    assert WorkOrder.objects.get(pk=order.pk).completed_by_name == "Platform"


def test_a_termination_order_before_its_day_shows_the_day_and_no_working_button(wf, client):
    """完成 was offered before the termination date and always refused; the page now says the day and
    disables the button until then."""
    from datetime import date, timedelta

    from django.urls import reverse

    from govcloud.applications import services as app_services
    from govcloud.applications.models import ApplicationKind
    from govcloud.applications.tests.helpers import in_service_resource

    resource = in_service_resource(wf)
    day = date.today() + timedelta(days=3)
    app = new_application(
        wf,
        kind=ApplicationKind.TERMINATION,
        rows=[app_services.ItemInput(target_resource=resource)],
        termination_mode="handover",
        termination_date=day,
    )
    app = advance(wf, app, ApplicationState.IN_DELIVERY)
    terminate = WorkOrder.objects.get(application=app)
    services.work_order_claim(actor=wf.provider, work_order=terminate)
    client.force_login(wf.provider)
    html = client.get(reverse("delivery:work_order_detail", args=[terminate.pk])).content.decode()
    assert day.isoformat() in html and 'data-testid="terminate-on"' in html
    # A termination completes on the department's confirmation of the evidence (Art. 18): the
    # provider's button is the evidence's, and it waits for the day too.
    assert 'data-testid="submit-evidence" disabled' in html and 'data-testid="complete"' not in html
    with time_machine.travel(datetime.combine(day, datetime.min.time()).replace(hour=10, tzinfo=SH)):
        client.force_login(wf.provider)  # days later: the idle session has ended
        html = client.get(reverse("delivery:work_order_detail", args=[terminate.pk])).content.decode()
        assert 'data-testid="submit-evidence" disabled' not in html and 'data-testid="submit-evidence"' in html
