"""Maintenance windows (Art. 12): drafting with the affected departments computed from the
resources' owners, the notice period against emergencies, each move allowed or refused per role,
scope and state, notifications, and two approvers at once making one decision."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404

from govcloud.audit.models import AuditEvent
from govcloud.core.errors import StateConflict
from govcloud.core.policy import Policy
from govcloud.maintenance import kinds, services
from govcloud.maintenance.models import (
    WINDOW_TRANSITIONS,
    MaintenanceWindow,
    WindowAction,
    WindowEvent,
    WindowEventKind,
    WindowKind,
    WindowState,
)
from govcloud.maintenance.tests.helpers import NOW, approved, draft
from govcloud.notifications.models import Notification
from govcloud.policies.services import policy_set

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def recipients(kind: str) -> set:
    return set(Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True))


# --- Drafting ------------------------------------------------------------------------------------


def test_affected_departments_are_the_owners_and_the_chosen(m):
    window = draft(m, resources=[m.res_a, m.res_unit], departments=[m.city.dept_b])
    rows = {a.organization_id: a.whole for a in window.affected.all()}
    assert rows == {m.city.dept_a.pk: False, m.city.unit_a.pk: False, m.city.dept_b.pk: True}
    assert window.state == WindowState.DRAFT
    assert window.number.startswith("WHCK-2026-")
    assert WindowEvent.objects.get(window=window).kind == WindowEventKind.CREATED
    assert AuditEvent.objects.filter(action="maintenance_window.create", object_id=str(window.pk)).count() == 1


def test_a_platform_wide_window_needs_no_resources(m):
    window = draft(m, resources=[], platform_wide=True)
    assert window.platform_wide and not window.affected.exists()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"hours": -1}, "end"),
        ({"days_ahead": -1}, "start"),
        ({"resources": []}, "resources"),
        ({"title": "  "}, "title"),
        ({"kind": "routine"}, "kind"),
    ],
)
def test_drafts_are_checked(m, change, field):
    with pytest.raises(ValidationError) as exc:
        draft(m, **change)
    assert field in exc.value.message_dict
    assert not MaintenanceWindow.objects.exists()


def test_only_the_provider_drafts(m):
    for user in (m.center, m.a_head, m.finance):
        with pytest.raises(PermissionDenied):
            services.window_create(
                actor=user, title="x", impact="y", start=NOW + timedelta(days=5), end=NOW + timedelta(days=6)
            )


def test_a_department_cannot_name_what_it_does_not_see(m):
    # A terminated resource is not in maintenance any more.
    from govcloud.ledger.models import Resource, ResourceState

    Resource.objects.filter(pk=m.res_b.pk).update(state=ResourceState.TERMINATED)
    with pytest.raises(ValidationError) as exc:
        draft(m, resources=[m.res_a, m.res_b])
    assert "resources" in exc.value.message_dict


def test_update_changes_a_draft_and_recomputes_the_departments(m):
    window = draft(m)
    services.window_update(actor=m.provider, window=window, resources=[m.res_b], title="新标题")
    window.refresh_from_db()
    assert window.title == "新标题"
    assert set(window.affected.values_list("organization_id", flat=True)) == {m.city.dept_b.pk}
    services.window_submit(actor=m.provider, window=window)
    with pytest.raises(ValidationError):
        services.window_update(actor=m.provider, window=window, title="再改")


# --- Notice period (Art. 12) ---------------------------------------------------------------------


def test_a_planned_window_needs_the_notice_period(m):
    short = draft(m, days_ahead=2)
    with pytest.raises(ValidationError) as exc:
        services.window_submit(actor=m.provider, window=short)
    message = exc.value.message_dict["kind"][0]
    assert "at least 3 days ahead" in message and "emergency" in message
    assert MaintenanceWindow.objects.get(pk=short.pk).state == WindowState.DRAFT


def test_the_notice_period_boundary_is_inclusive(m):
    window = draft(m, start=NOW + timedelta(days=3))
    assert services.window_submit(actor=m.provider, window=window).state == WindowState.SUBMITTED
    late = draft(m, start=NOW + timedelta(days=3) - timedelta(minutes=1))
    with pytest.raises(ValidationError):
        services.window_submit(actor=m.provider, window=late)


def test_an_emergency_may_come_at_short_notice(m):
    window = draft(m, start=NOW + timedelta(hours=1), kind=WindowKind.EMERGENCY)
    assert services.window_submit(actor=m.provider, window=window).state == WindowState.SUBMITTED


def test_the_notice_period_is_a_policy(m):
    policy_set(actor=m.center, key=Policy.MAINTENANCE_NOTICE_DAYS, raw="1")
    window = draft(m, days_ahead=2)
    assert services.window_submit(actor=m.provider, window=window).state == WindowState.SUBMITTED


def test_a_window_whose_start_passed_cannot_be_submitted(m, frozen):
    window = draft(m, days_ahead=4)
    frozen.shift(timedelta(days=5))
    with pytest.raises(ValidationError) as exc:
        services.window_submit(actor=m.provider, window=window)
    assert "start" in exc.value.message_dict


# --- Moves and roles ----------------------------------------------------------------------------


def test_submit_approve_notifies_the_center_then_the_affected_departments(m):
    window = draft(m, resources=[m.res_a, m.res_unit])
    services.window_submit(actor=m.provider, window=window)
    assert recipients(kinds.SUBMITTED) == {m.center.pk, m.reviewer.pk}
    assert not recipients(kinds.NOTICE)
    services.window_approve(actor=m.reviewer, window=window, comment="同意")
    window.refresh_from_db()
    assert window.state == WindowState.APPROVED and window.approved_by == m.reviewer
    assert recipients(kinds.NOTICE) == {m.a_applicant.pk, m.a_head.pk, m.unit_head.pk}
    assert recipients(kinds.APPROVED) == {m.provider.pk}
    kinds_seen = list(window.events.values_list("kind", flat=True))
    assert kinds_seen == ["created", "submitted", "approved"]
    assert AuditEvent.objects.filter(action="maintenance_window.approve").count() == 1


def test_a_units_window_tells_the_unit_and_its_department(m):
    approved(m, resources=[m.res_unit])
    assert recipients(kinds.NOTICE) == {m.unit_head.pk, m.a_head.pk, m.a_applicant.pk}


def test_a_platform_wide_window_notifies_every_department(m):
    approved(m, resources=[], platform_wide=True)
    assert {m.a_head.pk, m.b_head.pk, m.unit_head.pk, m.a_applicant.pk} <= recipients(kinds.NOTICE)
    assert m.provider.pk not in recipients(kinds.NOTICE)


def test_return_needs_a_reason_and_the_provider_resubmits(m):
    window = draft(m)
    services.window_submit(actor=m.provider, window=window)
    with pytest.raises(ValidationError):
        services.window_return(actor=m.center, window=window, comment=" ")
    services.window_return(actor=m.center, window=window, comment="请避开工作时间")
    window.refresh_from_db()
    assert window.state == WindowState.RETURNED and window.decision_comment == "请避开工作时间"
    assert recipients(kinds.RETURNED) == {m.provider.pk}
    later = NOW + timedelta(days=6, hours=12)
    services.window_update(actor=m.provider, window=window, start=later, end=later + timedelta(hours=2))
    assert services.window_submit(actor=m.provider, window=window).state == WindowState.SUBMITTED
    assert MaintenanceWindow.objects.get(pk=window.pk).decision_comment == ""


@pytest.mark.parametrize(
    "actor, action",
    [
        ("provider", WindowAction.APPROVE),
        ("provider", WindowAction.RETURN),
        ("center", WindowAction.SUBMIT),
        ("center", WindowAction.COMPLETE),
    ],
)
def test_each_role_may_only_make_its_moves(m, actor, action):
    window = draft(m)
    if action != WindowAction.SUBMIT:
        services.window_submit(actor=m.provider, window=window)
    if action == WindowAction.COMPLETE:
        window = services.window_approve(actor=m.center, window=window)
    with pytest.raises((PermissionDenied, ValidationError)):
        services.window_transition(actor=getattr(m, actor), window=window, action=action, comment="x")


def test_departments_cannot_act_and_do_not_see_drafts(m):
    window = draft(m)
    with pytest.raises(Http404):
        services.window_submit(actor=m.a_head, window=window)
    services.window_submit(actor=m.provider, window=window)
    with pytest.raises(Http404):
        services.window_approve(actor=m.a_head, window=window)
    services.window_approve(actor=m.center, window=window)
    with pytest.raises(PermissionDenied):
        services.window_cancel(actor=m.a_head, window=window, comment="不方便")


def test_every_transition_names_known_states():
    assert all(
        state in WindowState.values and target in WindowState.values
        for (state, _a), (target, _r) in WINDOW_TRANSITIONS.items()
    )


def test_a_window_past_its_start_cannot_be_approved(m, frozen):
    window = draft(m, days_ahead=4)
    services.window_submit(actor=m.provider, window=window)
    frozen.shift(timedelta(days=4, minutes=1))
    with pytest.raises(ValidationError):
        services.window_approve(actor=m.center, window=window)


def test_cancelling_an_approved_window_tells_the_departments(m):
    window = approved(m)
    with pytest.raises(ValidationError):
        services.window_cancel(actor=m.center, window=window, comment="")
    services.window_cancel(actor=m.center, window=window, comment="设备到货延迟")
    window.refresh_from_db()
    assert window.state == WindowState.CANCELLED and window.cancelled_at is not None
    # Department A's people (its unit's too: res_a is the department's), and the provider.
    assert recipients(kinds.CANCELLED) == {m.a_applicant.pk, m.a_head.pk, m.unit_head.pk, m.provider.pk}


def test_a_draft_cancelled_by_the_provider_tells_nobody(m):
    window = draft(m)
    services.window_cancel(actor=m.provider, window=window, comment="不做了")
    assert not Notification.objects.filter(kind=kinds.CANCELLED).exists()


def test_the_provider_starts_at_the_start_and_completes_early(m, frozen):
    window = approved(m)
    with pytest.raises(ValidationError):
        services.window_start(actor=m.provider, window=window)
    frozen.move_to(window.start + timedelta(minutes=5))
    services.window_start(actor=m.provider, window=window)
    services.window_complete(actor=m.provider, window=window, comment="提前完成")
    window.refresh_from_db()
    assert window.state == WindowState.COMPLETED
    assert window.started_at == window.start + timedelta(minutes=5) == window.completed_at
    with pytest.raises(ValidationError):
        services.window_cancel(actor=m.provider, window=window, comment="x")


# --- Two approvers at once ----------------------------------------------------------------------


def test_the_second_decision_sees_the_first(m):
    window = draft(m)
    services.window_submit(actor=m.provider, window=window)
    stale = MaintenanceWindow.objects.get(pk=window.pk)
    services.window_approve(actor=m.center, window=window)
    with pytest.raises(StateConflict) as exc:
        services.window_return(actor=m.reviewer, window=stale, comment="不同意")
    assert "Approved" in exc.value.messages[0]
    decisions = WindowEvent.objects.filter(window=window, kind__in=["approved", "returned"])
    assert list(decisions.values_list("kind", flat=True)) == ["approved"]


@pytest.mark.django_db(transaction=True)
def test_two_approvers_at_once_make_one_decision(m):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite serialises every write)")
    window = draft(m)
    services.window_submit(actor=m.provider, window=window)
    outcomes = []
    barrier = threading.Barrier(2)

    def decide(actor, action):
        try:
            barrier.wait()
            services.window_transition(actor=actor, window=window, action=action, comment="x")
            outcomes.append(action)
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(m.center, "approve")),
        threading.Thread(target=decide, args=(m.reviewer, "return")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("refused") == 1
    assert WindowEvent.objects.filter(window=window, kind__in=["approved", "returned"]).count() == 1
