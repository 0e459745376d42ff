"""The maintenance sweep with a frozen clock: the day-before reminder goes out once (from the start
of office hours), and windows start and complete by the clock."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine

from govcloud.audit.models import AuditEvent
from govcloud.core.actors import SYSTEM
from govcloud.maintenance import kinds, services
from govcloud.maintenance.models import MaintenanceWindow, WindowEvent, WindowEventKind, WindowState
from govcloud.maintenance.tasks import maintenance_sweep_task
from govcloud.maintenance.tests.helpers import NOW, SH, approved, draft
from govcloud.notifications.models import Notification

pytestmark = pytest.mark.django_db

# NOW is 2026-06-01 10:00; the window runs 2026-06-05 22:00 – 2026-06-06 02:00.
START = datetime(2026, 6, 5, 22, 0, tzinfo=SH)


def sweep_at(moment: datetime) -> dict[str, int]:
    with time_machine.travel(moment, tick=False):
        return services.maintenance_sweep(actor=SYSTEM)


@pytest.fixture
def window(m):
    with time_machine.travel(NOW, tick=False):
        return approved(m, start=START, end=START + timedelta(hours=4), resources=[m.res_a])


def reminders() -> list:
    return list(Notification.objects.filter(kind=kinds.REMINDER).values_list("recipient_id", flat=True))


def test_the_reminder_goes_out_the_day_before_once(m, window):
    assert sweep_at(datetime(2026, 6, 3, 23, 59, tzinfo=SH))["reminded"] == 0  # two days before
    assert sweep_at(datetime(2026, 6, 4, 0, 5, tzinfo=SH))["reminded"] == 0  # the day before, before office hours
    assert sweep_at(datetime(2026, 6, 4, 9, 0, tzinfo=SH))["reminded"] == 1
    assert sorted(reminders()) == sorted([m.a_applicant.pk, m.a_head.pk, m.unit_head.pk])
    for moment in (datetime(2026, 6, 4, 9, 5, tzinfo=SH), datetime(2026, 6, 4, 23, 55, tzinfo=SH)):
        assert sweep_at(moment)["reminded"] == 0
    assert len(reminders()) == 3  # nobody twice
    assert WindowEvent.objects.filter(window=window, kind=WindowEventKind.REMINDED).count() == 1
    assert AuditEvent.objects.filter(action="maintenance_window.remind").count() == 1
    assert MaintenanceWindow.objects.get(pk=window.pk).reminded_at == datetime(2026, 6, 4, 9, 0, tzinfo=SH)


def test_a_reminder_already_claimed_is_not_sent_again(m, window):
    # As if another sweep had claimed it a moment ago.
    MaintenanceWindow.objects.filter(pk=window.pk).update(reminded_at=datetime(2026, 6, 4, 9, 0, tzinfo=SH))
    assert sweep_at(datetime(2026, 6, 4, 9, 1, tzinfo=SH))["reminded"] == 0
    assert not reminders()


def test_windows_not_approved_are_not_reminded(m):
    with time_machine.travel(NOW, tick=False):
        pending = draft(m, start=START, end=START + timedelta(hours=1))
        services.window_submit(actor=m.provider, window=pending)
    assert sweep_at(datetime(2026, 6, 4, 10, 0, tzinfo=SH)) == {"reminded": 0, "started": 0, "completed": 0}
    assert sweep_at(datetime(2026, 6, 5, 23, 0, tzinfo=SH))["started"] == 0
    assert MaintenanceWindow.objects.get(pk=pending.pk).state == WindowState.SUBMITTED


def test_a_cancelled_window_is_not_reminded(m, window):
    with time_machine.travel(datetime(2026, 6, 3, 12, 0, tzinfo=SH), tick=False):
        services.window_cancel(actor=m.provider, window=window, comment="推迟")
    assert sweep_at(datetime(2026, 6, 4, 10, 0, tzinfo=SH))["reminded"] == 0


def test_windows_start_and_complete_by_the_clock(m, window):
    assert sweep_at(START - timedelta(minutes=1))["started"] == 0
    assert sweep_at(START + timedelta(minutes=3))["started"] == 1
    window.refresh_from_db()
    assert window.state == WindowState.IN_PROGRESS
    assert window.started_at == START  # the planned start, not the sweep's minute
    assert sweep_at(START + timedelta(minutes=8)) == {"reminded": 0, "started": 0, "completed": 0}
    assert sweep_at(START + timedelta(hours=4, minutes=2))["completed"] == 1
    window.refresh_from_db()
    assert window.state == WindowState.COMPLETED and window.completed_at == START + timedelta(hours=4)
    kinds_seen = list(window.events.values_list("kind", flat=True))
    assert kinds_seen[-2:] == ["started", "completed"]


def test_a_sweep_that_missed_the_whole_window_starts_and_completes_it(m, window):
    result = sweep_at(START + timedelta(days=1))
    assert result["started"] == 1 and result["completed"] == 1
    assert MaintenanceWindow.objects.get(pk=window.pk).state == WindowState.COMPLETED


def test_the_task_runs_the_sweep(m, window):
    with time_machine.travel(datetime(2026, 6, 4, 9, 30, tzinfo=SH), tick=False):
        assert maintenance_sweep_task.call()["reminded"] == 1


def test_the_sweep_is_scheduled():
    from govcloud.schedule import PERIODIC_JOBS

    assert any(job.task == "govcloud.maintenance.tasks.maintenance_sweep_task" for job in PERIODIC_JOBS)


def test_every_audit_action_and_notification_kind_is_labelled(m, window):
    from govcloud.audit.actions import ACTION_LABELS
    from govcloud.notifications.kinds import KINDS

    sweep_at(datetime(2026, 6, 4, 9, 0, tzinfo=SH))
    sweep_at(START + timedelta(days=1))
    with time_machine.travel(NOW, tick=False):
        returned = draft(m)
        services.window_update(actor=m.provider, window=returned, title="改")
        services.window_submit(actor=m.provider, window=returned)
        services.window_return(actor=m.center, window=returned, comment="x")
        services.window_cancel(actor=m.center, window=returned, comment="x")
    actions = set(AuditEvent.objects.filter(action__startswith="maintenance_window.").values_list("action", flat=True))
    assert len(actions) == 9 and actions <= set(ACTION_LABELS)
    sent = set(Notification.objects.values_list("kind", flat=True))
    assert {kinds.SUBMITTED, kinds.APPROVED, kinds.NOTICE, kinds.REMINDER, kinds.RETURNED, kinds.CANCELLED} == sent
    assert sent <= set(KINDS)


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_remind_once(m):
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL (SQLite serialises every write)")
    with time_machine.travel(NOW, tick=False):
        window = approved(m, start=START, end=START + timedelta(hours=4), resources=[m.res_a])
    results = []
    barrier = threading.Barrier(2)

    def sweep():
        try:
            with time_machine.travel(datetime(2026, 6, 4, 9, 0, tzinfo=SH), tick=False):
                barrier.wait()
                results.append(services.maintenance_sweep(actor=SYSTEM)["reminded"])
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [0, 1]
    assert WindowEvent.objects.filter(window=window, kind=WindowEventKind.REMINDED).count() == 1
    assert len(reminders()) == 3
