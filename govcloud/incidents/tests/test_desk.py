"""The service desk around the incidents: escalation of unanswered incidents before the limit, the
major-incident report and its end-of-day warning, two engineers claiming at once, the roster."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from govcloud.audit.models import AuditEvent
from govcloud.core.actors import SYSTEM
from govcloud.incidents import services
from govcloud.incidents.documents import major_report_pdf
from govcloud.incidents.models import EntryKind, Incident, IncidentState
from govcloud.incidents.tests.conftest import report
from govcloud.notifications.models import Notification
from govcloud.schedule import PERIODIC_JOBS

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 10, 4, 2, 0, tzinfo=SH)  # a Sunday, 02:00


def notified(user, kind="incidents.escalated") -> int:
    return Notification.objects.filter(recipient=user, kind=kind).count()


@pytest.mark.django_db
def test_escalation_to_the_backup_then_the_center_before_the_limit_once_each(desk):
    with time_machine.travel(T0, tick=False):
        incident = report(desk)
    # The job runs every minute; the limit is 5 minutes: backup at 60 % (3:00), center at 80 % (4:00).
    assert any(j.cron == "* * * * *" and j.name == "incidents.escalate" for j in PERIODIC_JOBS)
    sent = []
    for minute in range(0, 6):
        with time_machine.travel(T0 + timedelta(minutes=minute), tick=False):
            sent.append(services.incidents_escalate(actor=SYSTEM))
    assert sent[:3] == [{"backup": 0, "center": 0}] * 3
    assert sent[3] == {"backup": 1, "center": 0}
    assert sent[4] == {"backup": 0, "center": 1}
    assert sent[5] == {"backup": 0, "center": 0}
    assert notified(desk.backup) == 1
    assert notified(desk.center) == 1
    assert notified(desk.primary) == 0
    incident = Incident.objects.get(pk=incident.pk)
    assert incident.backup_notified_at == T0 + timedelta(minutes=3)
    assert incident.center_notified_at == T0 + timedelta(minutes=4)
    assert incident.center_notified_at < incident.response_due_at
    assert incident.entries.filter(kind=EntryKind.ESCALATED).count() == 2
    assert AuditEvent.objects.filter(action="incident.escalate_backup", object_id=str(incident.pk)).count() == 1
    assert AuditEvent.objects.filter(action="incident.escalate_center", object_id=str(incident.pk)).count() == 1


@pytest.mark.django_db
def test_an_answered_incident_is_not_escalated(desk):
    with time_machine.travel(T0, tick=False):
        incident = report(desk)
    with time_machine.travel(T0 + timedelta(minutes=2), tick=False):
        services.incident_claim(actor=desk.primary, incident=incident, message="在处理")
    with time_machine.travel(T0 + timedelta(minutes=10), tick=False):
        assert services.incidents_escalate(actor=SYSTEM) == {"backup": 0, "center": 0}
    assert notified(desk.backup) == notified(desk.center) == 0


@pytest.mark.django_db
def test_a_late_logged_call_escalates_at_once(desk):
    with time_machine.travel(T0 + timedelta(minutes=6), tick=False):
        services.incident_log_call(
            actor=desk.engineer,
            organization=desk.city.dept_a,
            caller="张三",
            called_at=T0,
            title="专线中断",
            symptom="断网",
            severity=desk.severity(),
        )
        assert services.incidents_escalate(actor=SYSTEM) == {"backup": 1, "center": 1}


@pytest.mark.django_db
def test_without_a_roster_every_provider_engineer_is_called(desk):
    desk.team.shifts.all().delete()
    report(desk)
    for user in (desk.primary, desk.backup, desk.engineer):
        assert notified(user, "incidents.new") == 1


@pytest.mark.django_db
def test_a_major_incident_tells_the_center_and_the_head_at_once(desk):
    incident = report(desk, severity="major")
    assert notified(desk.center, "incidents.major") == 1
    assert notified(desk.a_head, "incidents.major") == 1
    assert notified(desk.b_head, "incidents.major") == 0
    assert incident.recovery_due_at == incident.reported_at + timedelta(hours=4)


@pytest.mark.django_db
def test_the_missing_major_report_is_warned_at_the_end_of_the_day_once(desk):
    morning = datetime(2026, 10, 5, 9, 30, tzinfo=SH)
    with time_machine.travel(morning, tick=False):
        missing = report(desk, severity="critical", title="核心交换机故障")
        filed = report(desk, severity="major", title="数据库主备切换")
        report(desk, severity="general", title="一般故障")
    with time_machine.travel(morning + timedelta(hours=5), tick=False):
        services.major_report_submit(
            actor=desk.primary,
            incident=filed,
            timeline="09:30 报告",
            impact="甲局门户中断 30 分钟",
            cause="主库磁盘满",
            measures="扩容并切换",
            lessons="加强容量监控",
        )
    assert filed.major_report.on_time is True
    end_of_day = datetime(2026, 10, 5, 23, 0, tzinfo=SH)
    assert any(j.name == "incidents.major_reports" and j.cron == "0 23 * * *" for j in PERIODIC_JOBS)
    with time_machine.travel(end_of_day, tick=False):
        assert services.major_reports_warn(actor=SYSTEM) == 1
        assert services.major_reports_warn(actor=SYSTEM) == 0
    warnings = Notification.objects.filter(recipient=desk.center, kind="incidents.report_missing")
    assert [n.title for n in warnings] == [
        f"Major incident report missing: {missing.number} 核心交换机故障 (reported 2026-10-05 09:30)"
    ]
    # Filed the next day: late.
    with time_machine.travel(end_of_day + timedelta(hours=2), tick=False):
        late = services.major_report_submit(
            actor=desk.primary, incident=missing, timeline="t", impact="i", cause="c", measures="m", lessons="l"
        )
    assert late.on_time is False


@pytest.mark.django_db
def test_only_a_major_incident_has_a_report_and_it_renders_as_pdf(desk):
    general = report(desk)
    with pytest.raises(ValidationError):
        services.major_report_submit(
            actor=desk.primary, incident=general, timeline="t", impact="i", cause="c", measures="m", lessons="l"
        )
    major = report(desk, severity="major", title="云平台存储故障")
    services.incident_claim(actor=desk.primary, incident=major, message="处理中")
    services.follow_up_add(
        actor=desk.primary, incident=major, description="更换控制器", owner="运维部", due_on=T0.date()
    )
    rep = services.major_report_submit(
        actor=desk.primary,
        incident=major,
        timeline="02:00 告警；02:03 响应",
        impact="三个部门的门户中断",
        cause="存储控制器故障",
        measures="切换备用控制器",
        lessons="定期演练切换",
    )
    pdf = major_report_pdf(major, rep, list(major.entries.all()))
    assert pdf.startswith(b"%PDF") and len(pdf) > 5000


@pytest.mark.django_db(transaction=True)
def test_two_engineers_claiming_at_once_give_one_claim(desk):
    incident = report(desk)
    barrier = threading.Barrier(2)
    outcomes: list = [None, None]

    def run(i, engineer):
        try:
            barrier.wait()
            with translation.override("en"):
                outcomes[i] = services.incident_claim(actor=engineer, incident=incident, message=f"我来 {i}")
        except Exception as exc:  # collected and checked below
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, e)) for i, e in enumerate((desk.primary, desk.engineer))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    claims = [o for o in outcomes if isinstance(o, Incident)]
    refusals = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(claims) == 1 and len(refusals) == 1, outcomes
    fresh = Incident.objects.get(pk=incident.pk)
    assert fresh.state == IncidentState.RESPONDED and fresh.responder_id == claims[0].responder_id
    assert fresh.entries.filter(kind=EntryKind.CLAIMED).count() == 1
    assert AuditEvent.objects.filter(action="incident.claim", object_id=str(incident.pk)).count() == 1


@pytest.mark.django_db
def test_shifts_of_a_team_do_not_overlap_and_name_provider_engineers(desk):
    with pytest.raises(ValidationError):
        services.duty_shift_add(
            actor=desk.primary,
            team=desk.team,
            starts_at=T0,
            ends_at=T0 + timedelta(hours=8),
            primary=desk.engineer,
        )
    other = services.duty_team_create(actor=desk.primary, name="二线")
    with pytest.raises(ValidationError):
        services.duty_shift_add(
            actor=desk.primary, team=other, starts_at=T0, ends_at=T0 + timedelta(hours=8), primary=desk.a_head
        )
    shift = services.duty_shift_add(
        actor=desk.primary, team=other, starts_at=T0, ends_at=T0 + timedelta(hours=8), primary=desk.engineer
    )
    assert shift.backup is None
