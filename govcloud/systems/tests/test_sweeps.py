"""Daily sweeps: warnings once per item however often they run; tasks wrap the services."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from govcloud.core.actors import SYSTEM
from govcloud.core.roles import Role
from govcloud.notifications.models import Notification
from govcloud.systems import services, tasks
from govcloud.systems.tests.helpers import exemption_in_review, experts, make_compliant, register

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def _keys(user) -> list[str]:
    return sorted(Notification.objects.filter(recipient=user).values_list("dedupe_key", flat=True))


def test_assessment_coming_due_then_overdue_warns_once_each(city, time_machine):
    time_machine.move_to(datetime(2026, 1, 10, 9, 0, tzinfo=TZ), tick=False)
    applicant = city.user(Role.DEPARTMENT_APPLICANT)
    admin = city.user(Role.CENTER_ADMIN)
    other = city.user(Role.DEPARTMENT_APPLICANT, org=city.dept_b)
    system = register(city.dept_a, protection_level=3)
    make_compliant(system, filed_on=date(2025, 1, 1), assessed_on=date(2025, 2, 1))  # due 2026-02-01
    level1 = register(city.dept_a, "一级系统", protection_level=1)
    make_compliant(level1, filed_on=date(2025, 1, 1), number="L1")
    tasks.mlps_reminders_task.call()
    tasks.mlps_reminders_task.call()
    assert _keys(applicant) == [f"systems.assessment_due:{system.pk}:20260201"]
    assert _keys(admin) == [] and _keys(other) == []
    time_machine.move_to(datetime(2026, 2, 2, 9, 0, tzinfo=TZ), tick=False)
    for _ in range(3):
        tasks.mlps_reminders_task.call()
    assert _keys(applicant) == [
        f"systems.assessment_due:{system.pk}:20260201",
        f"systems.assessment_overdue:{system.pk}:20260201",
    ]
    assert _keys(admin) == [f"systems.assessment_overdue:{system.pk}:20260201"]
    # A new assessment moves the due date: no more warnings for a year.
    services.assessment_record(
        actor=SYSTEM, system=system, assessing_body="江苏省信息安全测评中心", assessed_on=date(2026, 2, 2), score=88,
        conclusion="pass",
    )  # fmt: skip
    before = Notification.objects.count()
    tasks.mlps_reminders_task.call()
    assert Notification.objects.count() == before


def test_overdue_rectification_warns_once_per_due_date(city, time_machine):
    time_machine.move_to(datetime(2026, 5, 2, 9, 0, tzinfo=TZ), tick=False)
    head = city.user(Role.DEPARTMENT_HEAD)
    system = register(city.dept_a)
    item = services.rectification_create(
        actor=SYSTEM, system=system, description="未开启审计", owner="王强", due_on=date(2026, 5, 1)
    )
    for _ in range(3):
        tasks.mlps_reminders_task.call()
    assert Notification.objects.filter(recipient=head, kind="systems.rectification_overdue").count() == 1
    services.rectification_update(actor=SYSTEM, rectification=item, due_on=date(2026, 5, 20))
    tasks.mlps_reminders_task.call()
    assert Notification.objects.filter(recipient=head, kind="systems.rectification_overdue").count() == 1
    time_machine.move_to(datetime(2026, 5, 21, 9, 0, tzinfo=TZ), tick=False)
    tasks.mlps_reminders_task.call()
    tasks.mlps_reminders_task.call()
    assert Notification.objects.filter(recipient=head, kind="systems.rectification_overdue").count() == 2


def test_late_votes_and_expiring_exemptions_are_flagged_once(city, time_machine):
    time_machine.move_to(datetime(2026, 3, 2, 9, 0, tzinfo=TZ), tick=False)
    applicant = city.user(Role.DEPARTMENT_APPLICANT)
    panel = experts(city)
    exemption = exemption_in_review(city, register(city.dept_a), panel)
    time_machine.move_to(datetime(2026, 4, 1, 9, 0, tzinfo=TZ), tick=False)
    tasks.mlps_reminders_task.call()
    tasks.mlps_reminders_task.call()
    assert all(
        Notification.objects.filter(recipient=e, dedupe_key__startswith="systems.vote_overdue").count() == 1
        for e in panel
    )
    for expert in panel:
        services.exemption_vote(actor=expert, exemption=exemption, vote="approve", opinion="同意")
    services.exemption_forward(actor=SYSTEM, exemption=exemption)
    services.exemption_decide(actor=SYSTEM, exemption=exemption, approve=True)
    time_machine.move_to(datetime(2027, 3, 15, 9, 0, tzinfo=TZ), tick=False)  # valid until 2027-03-31
    tasks.mlps_reminders_task.call()
    tasks.mlps_reminders_task.call()
    assert (
        Notification.objects.filter(recipient=applicant, dedupe_key__startswith="systems.exemption_expiring").count()
        == 1
    )
    time_machine.move_to(datetime(2027, 4, 1, 0, 30, tzinfo=TZ), tick=False)
    assert tasks.exemptions_expire_task.call() == 1
