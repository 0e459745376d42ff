"""Art. 10 deadlines on the working-day calendar: the center's decision APPROVAL_WORKING_DAYS after
submission (a return stops the clock, a resubmission starts a new one), the provider's delivery
DELIVERY_WORKING_DAYS after approval, the department's test TEST_PERIOD_DAYS calendar days; the sweep
warns before and escalates after, once each."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.template import Context, Template

from govcloud.applications import services
from govcloud.applications.models import ApplicationState, DeadlineKind
from govcloud.applications.tests.helpers import advance, new_application
from govcloud.audit.models import AuditEvent
from govcloud.delivery.models import WorkOrder
from govcloud.notifications.models import Notification

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
S = ApplicationState


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


def submitted_at(wf, moment: datetime):
    with time_machine.travel(moment, tick=False):
        return advance(wf, new_application(wf), S.SUBMITTED)


@pytest.mark.parametrize(
    "moment, due, provisional",
    [
        # Friday afternoon: the weekend does not count.
        (at(2026, 11, 20, 15, 0), at(2026, 11, 24, 17, 30), False),
        # The day before National Day: 10-01..10-07 are holidays; 10-08 and 10-09 count.
        (at(2026, 9, 30, 10, 0), at(2026, 10, 9, 17, 30), False),
        # Before an adjusted working day (调休): Saturday 10-10 is worked and counts.
        (at(2026, 10, 9, 10, 0), at(2026, 10, 12, 17, 30), False),
        # Spring Festival 2026: Saturday 02-14 is worked (day 1), 02-15..02-23 are off, 02-24 is day 2.
        (at(2026, 2, 13, 9, 0), at(2026, 2, 24, 17, 30), False),
        # Into 2027, whose holiday notice is not out: New Year by the statutory fallback, provisional.
        (at(2026, 12, 31, 10, 0), at(2027, 1, 5, 17, 30), True),
    ],
)
def test_the_decision_is_due_two_working_days_after_submission(wf, moment, due, provisional):
    app = submitted_at(wf, moment)
    assert app.submitted_at == moment
    assert app.decision_due_at == due
    assert app.decision_due_provisional is provisional
    # Until it is accepted the clock shown is the acceptance's; then the decision's, due as set at sign-off.
    assert app.current_deadline.kind == DeadlineKind.ACCEPTANCE
    with time_machine.travel(moment, tick=False):
        app = services.application_accept(actor=wf.reviewer, application=app)
    deadline = app.current_deadline
    assert (deadline.kind, deadline.due, deadline.provisional) == (DeadlineKind.DECISION, due, provisional)


def test_a_return_stops_the_clock_and_a_resubmission_starts_a_new_one(wf):
    app = submitted_at(wf, at(2026, 11, 20, 15, 0))
    with time_machine.travel(at(2026, 11, 23, 10, 0), tick=False):
        app = services.application_return(actor=wf.reviewer, application=app, reasons="补充材料")
        assert app.decision_due_at is None and app.current_deadline is None
    with time_machine.travel(at(2026, 11, 26, 16, 0), tick=False):
        services.application_submit(actor=wf.applicant, application=app)
        app = services.application_sign_off(actor=wf.head, application=app)
    assert app.decision_due_at == at(2026, 11, 30, 17, 30)  # Thu 16:00 → Fri, Mon


def test_the_delivery_is_due_two_working_days_after_approval_on_every_work_order(wf):
    with time_machine.travel(at(2026, 9, 29, 16, 0), tick=False):
        app = advance(wf, new_application(wf), S.ACCEPTED)
    with time_machine.travel(at(2026, 9, 30, 16, 0), tick=False):
        app = services.application_approve(actor=wf.admin, application=app)
    assert app.delivery_due_at == at(2026, 10, 9, 17, 30)
    assert {o.due_at for o in WorkOrder.objects.filter(application=app)} == {app.delivery_due_at}
    assert app.current_deadline.kind == DeadlineKind.DELIVERY


def test_the_test_period_counts_calendar_days(wf):
    with time_machine.travel(at(2026, 11, 20, 15, 0), tick=False):
        app = advance(wf, new_application(wf), S.DELIVERED)
    assert app.test_due_at == at(2026, 11, 27, 15, 0)
    assert app.current_deadline.kind == DeadlineKind.TEST


def test_the_sweep_warns_once_then_escalates_once(wf):
    app = submitted_at(wf, at(2026, 11, 20, 15, 0))  # due Tue 11-24 17:30
    key_warn = "applications.decision_due"
    with time_machine.travel(at(2026, 11, 24, 12, 0), tick=False):  # 5.5 h before: not yet
        assert services.application_deadlines_sweep()["decision_warned"] == 0
    with time_machine.travel(at(2026, 11, 24, 14, 0), tick=False):  # 3.5 h before
        assert services.application_deadlines_sweep()["decision_warned"] == 1
        assert services.application_deadlines_sweep()["decision_warned"] == 0
    warned = Notification.objects.filter(dedupe_key__startswith=key_warn)
    assert {n.recipient_id for n in warned} == {wf.reviewer.pk, wf.admin.pk}
    with time_machine.travel(at(2026, 11, 24, 18, 0), tick=False):
        assert services.application_deadlines_sweep()["decision_escalated"] == 1
        assert services.application_deadlines_sweep()["decision_escalated"] == 0
    escalated = Notification.objects.filter(dedupe_key__startswith="applications.decision_overdue")
    assert [n.recipient_id for n in escalated] == [wf.admin.pk]
    assert escalated.get().severity == "danger"
    assert AuditEvent.objects.filter(action="application.decision_overdue", object_id=str(app.pk)).count() == 1
    # After a return and a resubmission the new deadline warns again.
    with time_machine.travel(at(2026, 11, 25, 9, 0), tick=False):
        services.application_return(actor=wf.reviewer, application=app, reasons="补充")
        services.application_submit(actor=wf.applicant, application=app)
        services.application_sign_off(actor=wf.head, application=app)  # due Fri 11-27 17:30
    with time_machine.travel(at(2026, 11, 27, 15, 0), tick=False):
        assert services.application_deadlines_sweep()["decision_warned"] == 1


def test_an_accepted_application_warns_the_administrators(wf):
    with time_machine.travel(at(2026, 11, 20, 15, 0), tick=False):
        app = advance(wf, new_application(wf), S.ACCEPTED)
    with time_machine.travel(at(2026, 11, 24, 16, 0), tick=False):
        services.application_deadlines_sweep()
    assert [n.recipient_id for n in Notification.objects.filter(dedupe_key__contains=f":{app.pk}:")] == [wf.admin.pk]


def test_the_sweep_warns_about_the_test_period_and_escalates(wf):
    with time_machine.travel(at(2026, 11, 20, 15, 0), tick=False):
        app = advance(wf, new_application(wf), S.DELIVERED)  # test due 11-27 15:00
    with time_machine.travel(at(2026, 11, 27, 12, 0), tick=False):
        assert services.application_deadlines_sweep()["test_warned"] == 1
    assert set(
        Notification.objects.filter(dedupe_key__startswith="applications.test_due").values_list(
            "recipient_id", flat=True
        )
    ) == {
        wf.applicant.pk,
        wf.head.pk,
    }
    with time_machine.travel(at(2026, 11, 27, 16, 0), tick=False):
        assert services.application_deadlines_sweep()["test_escalated"] == 1
    escalated = Notification.objects.filter(dedupe_key__startswith="applications.test_overdue")
    assert wf.admin.pk in set(escalated.values_list("recipient_id", flat=True))
    assert app.pk


def test_the_sweep_task_runs(wf):
    from govcloud.applications.tasks import application_deadlines_task

    submitted_at(wf, at(2026, 11, 20, 15, 0))
    with time_machine.travel(at(2026, 11, 25, 9, 0), tick=False):
        result = application_deadlines_task.enqueue()
    assert result.return_value["decision_escalated"] == 1


def render(due, provisional=False, now=None):
    return Template("{% load deadlines %}{% time_left due provisional now %}").render(
        Context({"due": due, "provisional": provisional, "now": now})
    )


def test_time_left_and_overdue_are_shown_with_provisional_marked():
    now = at(2026, 11, 24, 10, 0)
    assert "1 d 7 h left" in render(at(2026, 11, 25, 17, 30), now=now)
    soon = render(at(2026, 11, 24, 12, 30), now=now)
    assert "2 h 30 min left" in soon and "text-bg-warning" in soon
    late = render(at(2026, 11, 24, 9, 15), now=now)
    assert "overdue 45 min" in late and 'data-overdue="true"' in late and "text-bg-danger" in late
    assert 'data-testid="provisional"' in render(at(2027, 1, 5, 17, 30), True, now=now)
    assert render(None) == "—"
