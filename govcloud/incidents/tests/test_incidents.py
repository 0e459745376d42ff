"""Incidents: the ways in, the clocks (7×24, response limit, recovery targets), the moves and who may
make them, and what each writes."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from govcloud.audit.models import AuditEvent
from govcloud.core.actors import SYSTEM
from govcloud.incidents import services
from govcloud.incidents.models import Channel, EntryKind, Incident, IncidentState
from govcloud.incidents.tests.conftest import report
from govcloud.notifications.models import Notification

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
# A Saturday night: the clocks run 7×24, not in working days.
SATURDAY_NIGHT = datetime(2026, 10, 3, 23, 50, tzinfo=SH)


def claim(desk, incident, actor=None):
    return services.incident_claim(actor=actor or desk.primary, incident=incident, message="已收到，正在排查")


def test_a_department_report_starts_the_clock_and_calls_the_duty_engineer(desk):
    with time_machine.travel(SATURDAY_NIGHT, tick=False):
        incident = report(desk)
    assert incident.state == IncidentState.REPORTED
    assert incident.channel == Channel.WEB
    assert incident.organization == desk.city.dept_a
    assert incident.reported_at == SATURDAY_NIGHT
    assert incident.response_due_at == SATURDAY_NIGHT + timedelta(minutes=5)
    assert incident.number.startswith("GZ-2026-")
    assert list(incident.resources.all()) == [desk.resource_a]
    assert Notification.objects.filter(recipient=desk.primary, kind="incidents.new").count() == 1
    # The backup is called only when the primary does not answer.
    assert not Notification.objects.filter(recipient=desk.backup).exists()
    assert AuditEvent.objects.filter(action="incident.report", object_id=str(incident.pk)).count() == 1
    assert [e.kind for e in incident.entries.all()] == [EntryKind.REPORTED]


def test_a_department_reports_only_its_own_resources_and_systems(desk):
    with pytest.raises(ValidationError) as exc:
        report(desk, resources=[desk.resource_b])
    assert "resources" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        report(desk, system=desk.system_b)
    assert "system" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        report(desk, actor=desk.primary)


def test_a_phone_call_starts_the_clock_at_the_call(desk):
    called = datetime(2026, 10, 3, 3, 0, tzinfo=SH)
    with time_machine.travel(called + timedelta(minutes=3), tick=False):
        incident = services.incident_log_call(
            actor=desk.primary,
            organization=desk.city.dept_a,
            caller="甲局 张三",
            called_at=called,
            title="专线中断",
            symptom="办公网无法访问政务云",
            severity=desk.severity("serious"),
        )
    assert incident.channel == Channel.PHONE
    assert incident.reported_at == called
    assert incident.response_due_at == called + timedelta(minutes=5)
    assert incident.recovery_due_at == called + timedelta(hours=8)
    assert incident.caller == "甲局 张三"
    # Answered 2 minutes after logging = 5 min 1 s after the call: a breach.
    with time_machine.travel(called + timedelta(minutes=5, seconds=1), tick=False):
        incident = claim(desk, incident)
    assert incident.responded_in_time is False
    with pytest.raises(ValidationError):
        services.incident_log_call(
            actor=desk.primary,
            organization=desk.city.dept_a,
            caller="x",
            called_at=called + timedelta(days=30),
            title="t",
            symptom="s",
            severity=desk.severity(),
        )


@pytest.mark.parametrize(
    ("after", "within"),
    [
        (timedelta(minutes=4, seconds=59), True),
        (timedelta(minutes=5), True),
        (timedelta(minutes=5, seconds=1), False),
    ],
)
def test_response_within_the_limit_is_at_or_before_five_minutes(desk, after, within):
    with time_machine.travel(SATURDAY_NIGHT, tick=False):
        incident = report(desk)
    with time_machine.travel(SATURDAY_NIGHT + after, tick=False):
        incident = claim(desk, incident)
    assert incident.state == IncidentState.RESPONDED
    assert incident.responded_at == SATURDAY_NIGHT + after
    assert incident.responder == desk.primary
    assert incident.responded_in_time is within
    assert incident.response_seconds == int(after.total_seconds())
    claimed = incident.entries.get(kind=EntryKind.CLAIMED)
    assert claimed.text == "已收到，正在排查" and claimed.created_at == SATURDAY_NIGHT + after
    # The reporter hears the answer.
    assert Notification.objects.filter(recipient=desk.a_applicant, kind="incidents.update").exists()


@pytest.mark.parametrize(("code", "hours"), [("general", 24), ("serious", 8), ("major", 4), ("critical", 2)])
def test_recovery_targets_per_severity(desk, code, hours):
    with time_machine.travel(SATURDAY_NIGHT, tick=False):
        incident = report(desk, severity=code)
        incident = claim(desk, incident)
    assert incident.recovery_due_at == SATURDAY_NIGHT + timedelta(hours=hours)
    with time_machine.travel(SATURDAY_NIGHT + timedelta(hours=hours), tick=False):
        on_time = services.incident_recover(actor=desk.primary, incident=incident, resolution="重启服务")
    assert on_time.recovered_in_time is True
    # Reopened by the department, recovered again one second after the target: late.
    services.incident_reopen(actor=desk.a_applicant, incident=incident, reason="仍然无法访问")
    with time_machine.travel(SATURDAY_NIGHT + timedelta(hours=hours, seconds=1), tick=False):
        late = services.incident_recover(actor=desk.primary, incident=incident, resolution="更换磁盘")
    assert late.recovered_in_time is False


def test_the_center_edits_a_severitys_targets(desk):
    severity = desk.severity("general")
    services.incident_severity_update(
        actor=desk.center,
        severity=severity,
        name="一般",
        definition="新定义",
        is_major=False,
        recovery_hours=12,
        response_minutes=3,
    )
    with time_machine.travel(SATURDAY_NIGHT, tick=False):
        incident = report(desk)
    assert incident.response_due_at == SATURDAY_NIGHT + timedelta(minutes=3)
    assert incident.recovery_due_at == SATURDAY_NIGHT + timedelta(hours=12)
    with pytest.raises(PermissionDenied):
        services.incident_severity_update(
            actor=desk.primary, severity=severity, name="一般", definition="", is_major=False, recovery_hours=1
        )


def test_the_whole_journey_writes_one_audit_event_and_one_entry_per_move(desk):
    incident = report(desk)
    claim(desk, incident)
    services.incident_start(actor=desk.primary, incident=incident, note="定位中")
    services.incident_message(actor=desk.a_applicant, incident=incident, body="大约多久恢复？")
    services.incident_recover(
        actor=desk.primary, incident=incident, resolution="已恢复", workaround="切换备机", root_cause="磁盘故障"
    )
    services.incident_confirm(actor=desk.a_applicant, incident=incident, comment="确认恢复")
    incident = services.incident_rate(actor=desk.a_applicant, incident=incident, rating=5, comment="响应迅速")
    assert incident.state == IncidentState.CLOSED and incident.rating == 5
    kinds = list(incident.entries.values_list("kind", flat=True))
    assert kinds == [
        EntryKind.REPORTED,
        EntryKind.CLAIMED,
        EntryKind.STARTED,
        EntryKind.MESSAGE,
        EntryKind.RECOVERED,
        EntryKind.CONFIRMED,
        EntryKind.RATED,
    ]
    actions = list(
        AuditEvent.objects.filter(object_id=str(incident.pk), action__startswith="incident.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "incident.report",
        "incident.claim",
        "incident.start",
        "incident.message",
        "incident.recover",
        "incident.confirm",
        "incident.rate",
    ]
    with pytest.raises(ValidationError):
        services.incident_rate(actor=desk.a_applicant, incident=incident, rating=4)


def test_only_the_reporting_department_rates_and_only_when_closed(desk):
    incident = report(desk)
    claim(desk, incident)
    services.incident_recover(actor=desk.primary, incident=incident, resolution="已恢复")
    with pytest.raises(ValidationError):
        services.incident_rate(actor=desk.a_applicant, incident=incident, rating=5)
    services.incident_confirm(actor=desk.a_applicant, incident=incident)
    with pytest.raises(Http404):
        services.incident_rate(actor=desk.b_head, incident=incident, rating=1)
    with pytest.raises(PermissionDenied):
        services.incident_rate(actor=desk.primary, incident=incident, rating=1)
    with pytest.raises(ValidationError):
        services.incident_rate(actor=desk.a_applicant, incident=incident, rating=6)
    assert Incident.objects.get(pk=incident.pk).rating is None


def test_another_department_cannot_act_on_the_incident(desk):
    incident = report(desk)
    with pytest.raises(Http404):
        services.incident_message(actor=desk.b_applicant, incident=incident, body="x")
    claim(desk, incident)
    services.incident_recover(actor=desk.primary, incident=incident, resolution="已恢复")
    with pytest.raises(Http404):
        services.incident_confirm(actor=desk.b_head, incident=incident)
    with pytest.raises(Http404):
        services.incident_reopen(actor=desk.b_head, incident=incident, reason="x")


def test_a_department_does_not_claim_and_the_desk_does_not_confirm(desk):
    incident = report(desk)
    with pytest.raises(PermissionDenied):
        claim(desk, incident, actor=desk.a_head)
    claim(desk, incident)
    with pytest.raises(ValidationError):
        claim(desk, incident, actor=desk.engineer)
    services.incident_recover(actor=desk.primary, incident=incident, resolution="已恢复")
    with pytest.raises(PermissionDenied):
        services.incident_confirm(actor=desk.primary, incident=incident)


def test_duplicates_merge_into_the_incident_being_worked(desk):
    main = report(desk, title="门户 502")
    duplicate = report(desk, actor=desk.a_head, title="门户打不开")
    claim(desk, main)
    merged = services.incident_merge(actor=desk.primary, incident=duplicate, into=main, comment="同一故障")
    assert merged.state == IncidentState.MERGED and merged.merged_into == main
    assert main.entries.filter(kind=EntryKind.DUPLICATE).count() == 1
    with pytest.raises(ValidationError):
        services.incident_merge(actor=desk.primary, incident=main, into=main)
    with pytest.raises(ValidationError):
        services.incident_message(actor=desk.a_head, incident=merged, body="x")


def test_a_monitoring_alert_opens_one_incident_per_source(desk):
    first = services.incident_open_automatic(
        actor=SYSTEM,
        source="monitoring",
        source_key="alert:cpu:host-1",
        title="CPU 告警",
        symptom="CPU 100%",
        resource=desk.resource_a,
    )
    again = services.incident_open_automatic(
        actor=SYSTEM, source="monitoring", source_key="alert:cpu:host-1", title="CPU 告警", symptom="仍然 100%"
    )
    assert again.pk == first.pk
    assert first.organization == desk.city.dept_a and first.channel == Channel.MONITORING
    assert first.entries.filter(kind=EntryKind.MESSAGE, text="仍然 100%").exists()


def test_raising_an_incident_to_major_tells_the_center_and_the_head(desk):
    incident = report(desk)
    assert not Notification.objects.filter(kind="incidents.major").exists()
    services.incident_update(actor=desk.primary, incident=incident, severity=desk.severity("major"))
    assert Notification.objects.filter(recipient=desk.center, kind="incidents.major").count() == 1
    assert Notification.objects.filter(recipient=desk.a_head, kind="incidents.major").count() == 1
    assert not Notification.objects.filter(recipient=desk.b_head, kind="incidents.major").exists()
    assert Incident.objects.get(pk=incident.pk).recovery_due_at == incident.reported_at + timedelta(hours=4)
