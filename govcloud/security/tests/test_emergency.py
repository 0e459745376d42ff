"""Emergency plans and drills, major events and protection plans (Art. 5, 12, 17)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from hypothesis import given
from hypothesis import strategies as st

from govcloud.audit.models import AuditEvent
from govcloud.core.actors import SYSTEM
from govcloud.notifications.models import Notification
from govcloud.security import services
from govcloud.security.models import EmergencyPlanVersion, FollowUpStatus, PlanScope
from govcloud.security.selectors.calendar import add_months, holiday_periods, protection_occasions
from govcloud.security.selectors.emergency import drill_status, drills_for, plans_for
from govcloud.workdays.services import calendar_seed_from_package

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def center_plan(sec, **kwargs):
    return services.emergency_plan_create(
        actor=sec.center, scope=PlanScope.CENTER_WIDE, title="平台应急预案", content="v1", **kwargs
    )


# --- Plans ---------------------------------------------------------------------------------------


def test_who_writes_which_plan(sec):
    plan = center_plan(sec)
    assert plan.organization == sec.city.center and plan.current_version.number == 1
    for actor in (sec.a_head, sec.provider):
        with pytest.raises(PermissionDenied):
            services.emergency_plan_create(actor=actor, scope=PlanScope.CENTER_WIDE, title="x", content="x")
    own = services.emergency_plan_create(
        actor=sec.a_applicant, scope=PlanScope.SYSTEM, system=sec.system_a, title="门户预案", content="x"
    )
    assert own.organization == sec.city.dept_a
    by_provider = services.emergency_plan_create(
        actor=sec.provider, scope=PlanScope.SYSTEM, system=sec.system_b, title="乙局门户预案", content="x"
    )
    assert by_provider.organization == sec.city.dept_b
    with pytest.raises(Http404):
        services.emergency_plan_create(
            actor=sec.b_head, scope=PlanScope.SYSTEM, system=sec.intranet_a, title="x", content="x"
        )
    with pytest.raises(ValidationError, match="already has a plan"):
        services.emergency_plan_create(
            actor=sec.a_head, scope=PlanScope.SYSTEM, system=sec.system_a, title="again", content="x"
        )
    with pytest.raises(PermissionDenied):
        services.emergency_plan_create(
            actor=sec.center, scope=PlanScope.SYSTEM, system=sec.system_a, title="x", content="x"
        )


def test_a_new_version_supersedes_and_the_history_stays(sec):
    plan = center_plan(sec)
    first = plan.current_version
    second = services.emergency_plan_add_version(
        actor=sec.center, plan=plan, content="v2", change_summary="增加勒索病毒处置"
    )
    plan.refresh_from_db()
    first.refresh_from_db()
    assert plan.current_version == second and second.number == 2
    assert first.superseded_at is not None and second.superseded_at is None
    assert list(EmergencyPlanVersion.objects.filter(plan=plan).values_list("number", "content")) == [
        (2, "v2"),
        (1, "v1"),
    ]
    with pytest.raises(ValidationError):
        services.emergency_plan_add_version(actor=sec.center, plan=plan, content="v3", change_summary=" ")
    with pytest.raises(PermissionDenied):
        services.emergency_plan_add_version(actor=sec.provider, plan=plan, content="v3", change_summary="x")
    assert AuditEvent.objects.filter(action="emergency_plan.new_version", object_id=str(plan.pk)).count() == 1


def test_departments_see_center_wide_plans_and_their_own(sec):
    shared = center_plan(sec)
    own = services.emergency_plan_create(
        actor=sec.a_head, scope=PlanScope.SYSTEM, system=sec.system_a, title="甲", content="x"
    )
    other = services.emergency_plan_create(
        actor=sec.b_head, scope=PlanScope.SYSTEM, system=sec.system_b, title="乙", content="x"
    )
    assert set(plans_for(user=sec.a_applicant)) == {shared, own}
    assert set(plans_for(user=sec.b_applicant)) == {shared, other}
    assert set(plans_for(user=sec.provider)) == {shared, own, other}


# --- Drills --------------------------------------------------------------------------------------


def test_a_drill_with_findings_and_follow_ups(sec):
    plan = center_plan(sec)
    today = date.today()
    drill = services.emergency_drill_record(
        actor=sec.provider,
        plan_version=plan.current_version,
        held_on=today,
        scenario="勒索病毒",
        participants="中心, 服务商",
        findings="恢复超时",
        follow_ups=[{"description": "优化恢复", "owner": "服务商", "due_on": today + timedelta(days=30)}],
    )
    item = drill.follow_ups.get()
    assert item.status == FollowUpStatus.OPEN and not item.is_overdue
    extra = services.drill_follow_up_add(
        actor=sec.center, drill=drill, description="更新联系人", owner="中心", due_on=today - timedelta(days=1)
    )
    assert extra.is_overdue
    done = services.drill_follow_up_update(actor=sec.provider, follow_up=extra, status="done", note="已更新")
    assert done.closed_at is not None and not done.is_overdue
    reopened = services.drill_follow_up_update(actor=sec.provider, follow_up=extra, status="open")
    assert reopened.closed_at is None
    with pytest.raises(ValidationError, match="once it has been held"):
        services.emergency_drill_record(
            actor=sec.provider,
            plan_version=plan.current_version,
            held_on=today + timedelta(days=1),
            scenario="x",
            participants="x",
        )
    # Departments take part in drills of center-wide plans but do not record them.
    with pytest.raises(PermissionDenied):
        services.emergency_drill_record(
            actor=sec.a_head, plan_version=plan.current_version, held_on=today, scenario="x", participants="x"
        )
    assert list(drills_for(user=sec.b_applicant)) == [drill]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"emergency_drill.create", "drill_follow_up.create", "drill_follow_up.update"} <= actions


def test_a_department_drills_its_own_system_plan_only(sec):
    own = services.emergency_plan_create(
        actor=sec.a_head, scope=PlanScope.SYSTEM, system=sec.system_a, title="甲", content="x"
    )
    kwargs = {"plan_version": own.current_version, "held_on": date.today(), "scenario": "x", "participants": "x"}
    assert services.emergency_drill_record(actor=sec.a_applicant, **kwargs)
    with pytest.raises(Http404):
        services.emergency_drill_record(actor=sec.b_head, **kwargs)
    assert not drills_for(user=sec.b_head).exists()


def test_the_center_and_provider_are_warned_when_a_drill_is_overdue(sec):
    with time_machine.travel(datetime(2025, 3, 1, 10, 0, tzinfo=SH), tick=False):
        plan = center_plan(sec)
    with time_machine.travel(datetime(2026, 3, 1, 10, 0, tzinfo=SH), tick=False):
        assert services.drills_overdue_warn(actor=SYSTEM) == 0
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=SH), tick=False):
        (status,) = drill_status(plans=plans_for(user=sec.center))
        assert status.is_overdue and status.due_on == date(2026, 3, 1)
        assert services.drills_overdue_warn(actor=SYSTEM) == 1
        assert services.drills_overdue_warn(actor=SYSTEM) == 0
        recipients = set(
            Notification.objects.filter(kind="security.drill_overdue").values_list("recipient_id", flat=True)
        )
        assert recipients == {sec.center.pk, sec.provider.pk, sec.provider2.pk}
        services.emergency_drill_record(
            actor=sec.provider,
            plan_version=plan.current_version,
            held_on=date(2026, 3, 2),
            scenario="x",
            participants="x",
        )
        (status,) = drill_status(plans=plans_for(user=sec.center))
        assert not status.is_overdue and status.due_on == date(2027, 3, 2)
        assert services.drills_overdue_warn(actor=SYSTEM) == 0


@given(
    day=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)),
    months=st.integers(min_value=-36, max_value=36),
)
def test_add_months_keeps_the_day_or_the_months_end(day, months):
    result = add_months(day, months)
    assert (result.year * 12 + result.month) - (day.year * 12 + day.month) == months
    assert result.day == day.day or (result.day < day.day and (result + timedelta(days=1)).day == 1)


# --- Holidays, major events and protection plans -----------------------------------------------------


@pytest.fixture
def calendar():
    calendar_seed_from_package(actor=SYSTEM)


def test_holiday_periods_come_from_the_calendar(calendar):
    periods = {p.starts_on: p for p in holiday_periods(date(2025, 9, 1), date(2025, 12, 31))}
    national_day = periods[date(2025, 10, 1)]
    assert (national_day.name, national_day.ends_on) == ("National Day", date(2025, 10, 8))
    assert len(periods) == 1
    # An unannounced year falls back to the statutory days: New Year 2027 is a Friday.
    (new_year,) = holiday_periods(date(2026, 12, 25), date(2027, 1, 10))
    assert (new_year.starts_on, new_year.ends_on) == (date(2027, 1, 1), date(2027, 1, 3))


def test_the_provider_is_reminded_ahead_of_a_holiday_and_the_center_sees_what_is_missing(sec, calendar):
    with time_machine.travel(datetime(2025, 9, 20, 9, 0, tzinfo=SH), tick=False):
        assert services.protection_plans_remind(actor=SYSTEM) == 0  # 11 days ahead
    with time_machine.travel(datetime(2025, 9, 21, 9, 0, tzinfo=SH), tick=False):
        assert services.protection_plans_remind(actor=SYSTEM) == 1  # 10 days ahead
        assert services.protection_plans_remind(actor=SYSTEM) == 0
        reminded = Notification.objects.filter(kind="security.protection_plan_due")
        assert set(reminded.values_list("recipient_id", flat=True)) == {sec.provider.pk, sec.provider2.pk}
        (occasion,) = protection_occasions(date(2025, 9, 21), date(2025, 10, 31))
        assert occasion.is_due and not occasion.is_missing
    with time_machine.travel(datetime(2025, 10, 2, 9, 0, tzinfo=SH), tick=False):
        (occasion,) = protection_occasions(date(2025, 9, 1), date(2025, 10, 31))
        assert occasion.is_missing
        plan = services.protection_plan_file(
            actor=sec.provider, occasion_key=occasion.key, title="国庆保障方案", content="7×24 值守"
        )
        assert plan.occasion_name == "National Day" and plan.occasion_starts_on == date(2025, 10, 1)
        (occasion,) = protection_occasions(date(2025, 9, 1), date(2025, 10, 31))
        assert occasion.plan == plan and not occasion.is_missing
        again = services.protection_plan_file(actor=sec.provider, occasion_key=occasion.key, title="修订", content="y")
        assert again.pk == plan.pk
    assert list(
        AuditEvent.objects.filter(object_type="security.protectionplan")
        .values_list("action", flat=True)
        .order_by("seq")
    ) == [
        "protection_plan.reminder",
        "protection_plan.file",
        "protection_plan.update",
    ]


def test_major_events_are_the_centers_and_need_a_plan_too(sec):
    with time_machine.travel(datetime(2026, 5, 1, 9, 0, tzinfo=SH), tick=False):
        with pytest.raises(PermissionDenied):
            services.major_event_create(
                actor=sec.provider, name="x", starts_on=date(2026, 5, 8), ends_on=date(2026, 5, 9)
            )
        with pytest.raises(ValidationError, match="ends on or after"):
            services.major_event_create(
                actor=sec.center, name="x", starts_on=date(2026, 5, 8), ends_on=date(2026, 5, 7)
            )
        event = services.major_event_create(
            actor=sec.center, name="重点项目观摩", starts_on=date(2026, 5, 8), ends_on=date(2026, 5, 9)
        )
        assert services.protection_plans_remind(actor=SYSTEM) == 1
        with pytest.raises(PermissionDenied):
            services.protection_plan_file(actor=sec.center, occasion_key=f"event:{event.pk}", title="x", content="x")
        with pytest.raises(ValidationError, match="holiday period or a major event"):
            services.protection_plan_file(actor=sec.provider, occasion_key="holiday:2026-05-07", title="x", content="x")
        services.protection_plan_file(actor=sec.provider, occasion_key=f"event:{event.pk}", title="保障", content="x")
        with pytest.raises(ValidationError, match="cannot be deleted"):
            services.major_event_delete(actor=sec.center, event=event)
        services.major_event_update(actor=sec.center, event=event, ends_on=date(2026, 5, 10))
        assert event.protection_plans.get().occasion_ends_on == date(2026, 5, 10)
