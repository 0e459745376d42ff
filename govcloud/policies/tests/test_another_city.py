"""Another city's measures, set only through the policy page (the center administrator POSTs its
form), then an application walked through: every due time follows them across a weekend and the
National Day holiday of the working-day calendar (2026: 10-01..10-07 off, Saturday 10-10 worked)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from conftest import login
from govcloud.applications import services
from govcloud.applications.models import ApplicationState, DeadlineKind, Environment
from govcloud.applications.tests.helpers import advance, deliver, new_application
from govcloud.audit.models import AuditEvent
from govcloud.core.policy import Policy, PolicyValue, clear_cache, policy_value
from govcloud.delivery.models import WorkOrder
from govcloud.notifications.models import Notification

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
S = ApplicationState

# The other city: acceptance within 2 working days of sign-off, the decision within 3 working days
# of the acceptance, test environments delivered within 4 working days, 10 days to test.
OTHER_CITY = {
    Policy.ACCEPTANCE_WORKING_DAYS: "2",
    Policy.APPROVAL_WORKING_DAYS: "3",
    Policy.DECISION_FROM_ACCEPTANCE: "1",
    Policy.DELIVERY_WORKING_DAYS_TEST: "4",
    Policy.TEST_PERIOD_DAYS: "10",
}


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


def set_through_the_page(client, values: dict) -> None:
    for key, value in values.items():
        response = client.post(reverse("policies:policy_update"), {"key": key.value, "value": value})
        assert response.status_code == 302
    clear_cache()


def test_another_citys_limits_set_on_the_policy_page_drive_every_due_time(client, wf):
    login(client, wf.admin)
    with time_machine.travel(at(2026, 9, 25, 9, 0), tick=False):
        set_through_the_page(client, OTHER_CITY)
    for key, value in OTHER_CITY.items():
        assert str(policy_value(key)) == value
        assert PolicyValue.objects.get(key=key).updated_by_name == "王主任"
    assert AuditEvent.objects.filter(action="policy.set").count() == len(OTHER_CITY)

    app = new_application(wf, environment=Environment.TEST)
    # Signed off Tuesday 09-29: the acceptance's two working days are 09-30 and — after the
    # National Day holiday — 10-08. The decision waits for the acceptance.
    with time_machine.travel(at(2026, 9, 29, 10, 0), tick=False):
        app = advance(wf, app, S.SUBMITTED)
    assert app.acceptance_due_at == at(2026, 10, 8, 17, 30)
    assert app.decision_due_at is None
    assert app.current_deadline.kind == DeadlineKind.ACCEPTANCE

    # Four hours before: the reviewers are warned; after it: the administrators are told, once.
    services.application_deadlines_sweep(now=at(2026, 10, 8, 14, 0))
    assert Notification.objects.filter(kind="applications.acceptance_due", recipient=wf.reviewer).count() == 1
    services.application_deadlines_sweep(now=at(2026, 10, 9, 9, 0))
    services.application_deadlines_sweep(now=at(2026, 10, 9, 9, 5))
    assert Notification.objects.filter(kind="applications.acceptance_overdue", recipient=wf.admin).count() == 1

    # Accepted Friday 10-09: three working days from then are Saturday 10-10 (调休, worked),
    # Monday 10-12 and Tuesday 10-13.
    with time_machine.travel(at(2026, 10, 9, 10, 0), tick=False):
        app = services.application_accept(actor=wf.reviewer, application=app)
    assert app.decision_due_at == at(2026, 10, 13, 17, 30)
    assert app.current_deadline.kind == DeadlineKind.DECISION

    # Approved Tuesday 10-13 16:00, a test environment: 10-14, 10-15, 10-16, (weekend), 10-19.
    with time_machine.travel(at(2026, 10, 13, 16, 0), tick=False):
        app = services.application_approve(actor=wf.admin, application=app)
    assert app.delivery_due_at == at(2026, 10, 19, 17, 30)
    assert {o.due_at for o in WorkOrder.objects.filter(application=app)} == {at(2026, 10, 19, 17, 30)}

    # Delivered Monday 10-19 11:00: ten calendar days to test.
    with time_machine.travel(at(2026, 10, 19, 11, 0), tick=False):
        for order in WorkOrder.objects.filter(application=app):
            deliver(wf, order)
    app.refresh_from_db()
    assert app.state == S.DELIVERED
    assert app.test_due_at == at(2026, 10, 29, 11, 0)


def test_production_keeps_its_own_delivery_limit(client, wf):
    login(client, wf.admin)
    set_through_the_page(client, {Policy.DELIVERY_WORKING_DAYS_TEST: "5"})
    with time_machine.travel(at(2026, 11, 20, 15, 0), tick=False):  # a Friday
        prod = advance(wf, new_application(wf, environment=Environment.PRODUCTION), S.IN_DELIVERY)
        test = advance(wf, new_application(wf, environment=Environment.TEST), S.IN_DELIVERY)
    assert prod.delivery_due_at == at(2026, 11, 24, 17, 30)  # Mon, Tue: the default 2
    assert test.delivery_due_at == at(2026, 11, 27, 17, 30)  # Mon..Fri: 5


def test_a_change_leaves_running_clocks_alone(client, wf):
    with time_machine.travel(at(2026, 11, 20, 15, 0), tick=False):
        running = advance(wf, new_application(wf), S.SUBMITTED)
    login(client, wf.admin)
    set_through_the_page(client, {Policy.ACCEPTANCE_WORKING_DAYS: "5", Policy.APPROVAL_WORKING_DAYS: "6"})
    running.refresh_from_db()
    assert running.acceptance_due_at == at(2026, 11, 23, 17, 30)
    assert running.decision_due_at == at(2026, 11, 24, 17, 30)
    with time_machine.travel(at(2026, 11, 23, 9, 0), tick=False):
        running = services.application_accept(actor=wf.reviewer, application=running)
    assert running.decision_due_at == at(2026, 11, 24, 17, 30)


def test_the_decision_counts_from_acceptance_when_the_policy_says_so(client, wf):
    login(client, wf.admin)
    set_through_the_page(client, {Policy.DECISION_FROM_ACCEPTANCE: "1"})
    with time_machine.travel(at(2026, 11, 20, 15, 0), tick=False):  # Friday
        app = advance(wf, new_application(wf), S.SUBMITTED)
    assert app.decision_due_at is None
    with time_machine.travel(at(2026, 11, 24, 9, 0), tick=False):  # Tuesday
        app = services.application_accept(actor=wf.reviewer, application=app)
    assert app.decision_due_at == at(2026, 11, 26, 17, 30)  # Wed, Thu


def test_a_return_stops_the_acceptance_clock(wf):
    with time_machine.travel(at(2026, 11, 20, 15, 0), tick=False):
        app = advance(wf, new_application(wf), S.SUBMITTED)
        app = services.application_return(actor=wf.reviewer, application=app, reasons="补充材料")
    assert app.acceptance_due_at is None and app.current_deadline is None
