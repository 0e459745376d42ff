"""Security notices and rectification (Art. 16, 17): issuing with a deadline in working days, each
move of a department's record allowed or refused per role and scope, evidence, and the sweep that
warns before the deadline and escalates once after it."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.utils import timezone

from govcloud.audit.models import AuditEvent
from govcloud.core.actors import SYSTEM
from govcloud.core.policy import Policy
from govcloud.notifications.models import Notification
from govcloud.policies.services import policy_set
from govcloud.security import services
from govcloud.security.models import (
    RECTIFICATION_TRANSITIONS,
    Attachment,
    NoticeEvent,
    NoticeEventKind,
    NoticeRectification,
    RectificationAction,
    RectificationReport,
    RectificationStatus,
    SecurityNotice,
)
from govcloud.security.selectors import notices as selectors
from govcloud.security.tests.helpers import PNG, upload
from govcloud.systems.models import InformationSystem
from govcloud.workdays.services import calendar_seed_from_package

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def calendar():
    calendar_seed_from_package(actor=SYSTEM)


def issue(sec, *, organizations=(), systems=None, **kwargs) -> SecurityNotice:
    fields = {
        "kind": "vulnerability",
        "severity": "high",
        "title": "OpenSSH 远程代码执行漏洞",
        "description": "OpenSSH 8.5p1–9.7p1 存在竞争条件漏洞（CVE-2024-6387）。",
        "required_measures": "升级 OpenSSH 至 9.8p1 及以上，或限制 22 端口访问来源。",
    }
    fields.update(kwargs)
    return services.security_notice_issue(
        actor=sec.center,
        organizations=organizations,
        systems=[sec.system_a] if systems is None else systems,
        **fields,
    )


def record_of(notice, org) -> NoticeRectification:
    return NoticeRectification.objects.get(notice=notice, organization=org)


def submit(sec, record, actor=None, **kwargs):
    return services.notice_rectification_submit(
        actor=actor or sec.a_security,
        rectification=record,
        measures=kwargs.pop("measures", "已升级 OpenSSH 至 9.8p1，并限制管理地址访问。"),
        result=kwargs.pop("result", "复测未发现该漏洞。"),
        **kwargs,
    )


# --- Issuing -----------------------------------------------------------------------------------------


def test_issuing_addresses_each_department_once_and_tells_its_responsible_people(sec):
    notice = issue(sec, organizations=[sec.city.dept_b, sec.city.dept_a])
    assert notice.number == f"AQTB-{notice.issued_at.astimezone(SH):%Y}-{notice.pk:04d}"
    records = {r.organization_id: r for r in notice.rectifications.all()}
    # Department A comes in through its affected system as well as by name: one record.
    assert set(records) == {sec.city.dept_a.pk, sec.city.dept_b.pk}
    assert [s.pk for s in records[sec.city.dept_a.pk].systems.all()] == [sec.system_a.pk]
    assert not records[sec.city.dept_b.pk].systems.exists()
    assert all(r.status == RectificationStatus.ISSUED for r in records.values())
    told = set(Notification.objects.filter(kind="security.notice_issued").values_list("recipient_id", flat=True))
    # The head and the security officer answer (Art. 16); the applicant and the provider are not told.
    assert told == {sec.a_head.pk, sec.a_security.pk, sec.b_head.pk, sec.b_security.pk}
    assert AuditEvent.objects.filter(action="security_notice.issue", object_id=str(notice.pk)).count() == 1
    assert AuditEvent.objects.filter(action="notice_rectification.issue").count() == 2
    assert NoticeEvent.objects.filter(kind=NoticeEventKind.ISSUED).count() == 2


def test_the_owner_of_an_affected_system_is_addressed_without_being_named(sec):
    notice = issue(sec, systems=[sec.system_b])
    assert list(notice.rectifications.values_list("organization_id", flat=True)) == [sec.city.dept_b.pk]


@pytest.mark.parametrize("who", ["a_head", "a_security", "provider", "b_head"])
def test_only_the_center_issues_notices(sec, who):
    with pytest.raises(PermissionDenied):
        services.security_notice_issue(
            actor=getattr(sec, who),
            kind="vulnerability",
            severity="high",
            title="x",
            description="x",
            required_measures="x",
            organizations=[sec.city.dept_a],
        )
    assert not SecurityNotice.objects.exists()


def test_reviewer_may_issue(sec):
    notice = services.security_notice_issue(
        actor=sec.reviewer,
        kind="event",
        severity="medium",
        title="挖矿木马",
        description="发现挖矿进程",
        required_measures="清除并排查",
        organizations=[sec.city.dept_b],
    )
    assert notice.rectifications.count() == 1


@pytest.mark.parametrize(
    "change, field",
    [
        ({"organizations": [], "systems": []}, "organizations"),
        ({"working_days": 0}, "working_days"),
        ({"working_days": 61}, "working_days"),
        ({"severity": "apocalyptic"}, "severity"),
        ({"title": "  "}, "title"),
        ({"required_measures": ""}, "required_measures"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(sec, change, field):
    with pytest.raises(ValidationError) as exc:
        issue(sec, **change)
    assert field in exc.value.message_dict
    assert not SecurityNotice.objects.exists() and not Notification.objects.exists()


def test_a_classified_system_or_a_non_department_is_not_addressed(sec):
    secret = InformationSystem.objects.create(organization=sec.city.dept_a, name="涉密系统", classified=True)
    with pytest.raises(ValidationError) as exc:
        issue(sec, systems=[secret])
    assert "systems" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        issue(sec, systems=[], organizations=[sec.city.provider])
    assert "organizations" in exc.value.message_dict
    assert not SecurityNotice.objects.exists()


def test_the_notice_attachment_is_kept_and_a_bad_one_refused(sec):
    notice = issue(sec, attachment=upload("advisory.pdf"))
    assert notice.attachment.original_name == "advisory.pdf"
    with pytest.raises(ValidationError):
        issue(sec, attachment=upload("advisory.exe", b"MZ\x90\x00" * 8, "application/octet-stream"))
    assert SecurityNotice.objects.count() == 1


# --- The deadline in working days ---------------------------------------------------------------


def test_the_deadline_counts_working_days_across_the_national_day_holiday(sec, calendar):
    # 2025-10-01..10-08 is the National Day and Mid-autumn holiday; Saturday 10-11 is worked.
    with time_machine.travel(datetime(2025, 9, 30, 10, 0, tzinfo=SH), tick=False):
        two = issue(sec, working_days=2)
        default = issue(sec)
    assert two.due_at == datetime(2025, 10, 10, 17, 30, tzinfo=SH)
    # The policy's 10 working days: 10-09, 10-10, 10-11 (adjusted), 10-13 … 10-17, 10-20, 10-21.
    assert default.working_days == 10
    assert default.due_at == datetime(2025, 10, 21, 17, 30, tzinfo=SH)
    assert not default.due_provisional


def test_the_default_follows_the_policy(sec, calendar):
    policy_set(actor=sec.center, key=Policy.SECURITY_NOTICE_RECTIFICATION_WORKING_DAYS, raw="3")
    with time_machine.travel(datetime(2025, 9, 30, 10, 0, tzinfo=SH), tick=False):
        notice = issue(sec)
    assert notice.working_days == 3
    assert notice.due_at == datetime(2025, 10, 11, 17, 30, tzinfo=SH)


# --- The state machine: each move allowed and refused -----------------------------------------------


def test_the_transition_table_is_the_one_place_of_the_rules():
    # Only the department's responsible people answer; only the center decides.
    for (_state, action), (_target, roles) in RECTIFICATION_TRANSITIONS.items():
        if action in (RectificationAction.READ, RectificationAction.SUBMIT):
            assert {r.value for r in roles} == {"department_head", "department_security_officer"}
        else:
            assert {r.value for r in roles} == {"center_admin", "center_reviewer"}


def test_a_full_round_read_submit_return_submit_accept(sec):
    notice = issue(sec)
    record = record_of(notice, sec.city.dept_a)
    # A department applicant may see the record but does not answer for security.
    with pytest.raises(PermissionDenied):
        services.notice_rectification_read(actor=sec.a_applicant, rectification=record)
    read = services.notice_rectification_read(actor=sec.a_security, rectification=record)
    assert read.status == RectificationStatus.READ and read.read_by == sec.a_security
    # Reading again changes nothing.
    again = services.notice_rectification_read(actor=sec.a_head, rectification=record)
    assert again.read_by == sec.a_security and again.read_at == read.read_at

    first = submit(sec, record, evidence=[upload("scan.pdf"), upload("shot.png", PNG, "image/png")])
    assert first.number == 1 and first.on_time and first.evidence.count() == 2
    assert record_of(notice, sec.city.dept_a).status == RectificationStatus.SUBMITTED
    assert Notification.objects.filter(kind="security.notice_report_submitted", recipient=sec.center).exists()

    with pytest.raises(ValidationError) as exc:
        services.notice_rectification_return(actor=sec.center, rectification=record, comment=" ")
    assert "comment" in exc.value.message_dict
    returned = services.notice_rectification_return(
        actor=sec.reviewer, rectification=record, comment="请补充复测报告截图。"
    )
    assert returned.status == RectificationStatus.RETURNED
    first.refresh_from_db()
    assert first.decision == "returned" and first.decision_comment == "请补充复测报告截图。"
    assert Notification.objects.filter(kind="security.notice_returned", recipient=sec.a_head).exists()

    second = submit(sec, record, actor=sec.a_head, evidence=[upload("retest.pdf")])
    assert second.number == 2
    accepted = services.notice_rectification_accept(actor=sec.center, rectification=record, comment="整改到位。")
    assert accepted.status == RectificationStatus.ACCEPTED
    second.refresh_from_db()
    assert second.decision == "accepted"
    assert Notification.objects.filter(kind="security.notice_accepted", recipient=sec.a_security).exists()

    kinds = list(NoticeEvent.objects.filter(rectification=record).values_list("kind", flat=True))
    assert kinds == ["issued", "read", "submitted", "returned", "submitted", "accepted"]
    actions = list(
        AuditEvent.objects.filter(object_type="security.noticerectification", object_id=str(record.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "notice_rectification.issue",
        "notice_rectification.read",
        "notice_rectification.submit",
        "notice_rectification.return",
        "notice_rectification.submit",
        "notice_rectification.accept",
    ]
    # The department's own audit trail finds them (the subject is the department).
    assert set(
        AuditEvent.objects.filter(object_id=str(record.pk), object_type="security.noticerectification").values_list(
            "subject_organization_path", flat=True
        )
    ) == {sec.city.dept_a.path}


@pytest.mark.parametrize("who", ["center", "reviewer", "a_applicant"])
def test_only_the_departments_responsible_people_submit(sec, who):
    record = record_of(issue(sec), sec.city.dept_a)
    with pytest.raises(PermissionDenied):
        submit(sec, record, actor=getattr(sec, who), evidence=[upload()])
    assert not RectificationReport.objects.exists() and not Attachment.objects.exists()


@pytest.mark.parametrize("who", ["b_head", "b_security", "provider"])
def test_another_department_or_the_provider_meets_a_missing_record(sec, who):
    record = record_of(issue(sec), sec.city.dept_a)
    actor = getattr(sec, who)
    with pytest.raises(Http404):
        services.notice_rectification_read(actor=actor, rectification=record)
    with pytest.raises(Http404):
        submit(sec, record, actor=actor)
    for action in ("accept", "return", "cancel"):
        with pytest.raises(Http404):
            services.notice_rectification_transition(actor=actor, rectification=record, action=action, comment="x")
    assert record_of(record.notice, sec.city.dept_a).status == RectificationStatus.ISSUED


@pytest.mark.parametrize("who", ["a_head", "a_security", "a_applicant"])
def test_the_department_does_not_decide_on_its_own_report(sec, who):
    record = record_of(issue(sec), sec.city.dept_a)
    submit(sec, record)
    for action in ("accept", "return", "cancel"):
        with pytest.raises(PermissionDenied):
            services.notice_rectification_transition(
                actor=getattr(sec, who), rectification=record, action=action, comment="x"
            )
    assert record_of(record.notice, sec.city.dept_a).status == RectificationStatus.SUBMITTED


def test_moves_the_state_does_not_allow_are_refused(sec):
    record = record_of(issue(sec), sec.city.dept_a)
    for action in ("accept", "return"):
        with pytest.raises(ValidationError):  # nothing to decide on yet
            services.notice_rectification_transition(actor=sec.center, rectification=record, action=action, comment="x")
    submit(sec, record)
    with pytest.raises(ValidationError):  # already waiting for the center
        submit(sec, record)
    services.notice_rectification_accept(actor=sec.center, rectification=record)
    for action in ("accept", "return", "cancel"):
        with pytest.raises(ValidationError):
            services.notice_rectification_transition(actor=sec.center, rectification=record, action=action, comment="x")
    with pytest.raises(ValidationError):
        submit(sec, record)
    assert RectificationReport.objects.filter(rectification=record).count() == 1


def test_the_center_withdraws_a_record_with_a_reason(sec):
    notice = issue(sec, organizations=[sec.city.dept_b])
    record = record_of(notice, sec.city.dept_b)
    with pytest.raises(ValidationError):
        services.notice_rectification_cancel(actor=sec.center, rectification=record, comment="")
    cancelled = services.notice_rectification_cancel(actor=sec.center, rectification=record, comment="误发")
    assert cancelled.status == RectificationStatus.CANCELLED
    assert Notification.objects.filter(kind="security.notice_cancelled", recipient=sec.b_head).exists()
    with pytest.raises(ValidationError):
        submit(sec, record, actor=sec.b_security)


def test_a_report_needs_measures_and_result_and_at_most_ten_files(sec):
    record = record_of(issue(sec), sec.city.dept_a)
    with pytest.raises(ValidationError) as exc:
        submit(sec, record, measures=" ")
    assert "measures" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        submit(sec, record, evidence=[upload(f"{i}.pdf") for i in range(11)])
    assert "evidence" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        submit(sec, record, evidence=[upload("x.txt", b"plain text", "text/plain")])
    assert "evidence" in exc.value.message_dict
    assert not RectificationReport.objects.exists() and not Attachment.objects.exists()
    assert record_of(record.notice, sec.city.dept_a).status == RectificationStatus.ISSUED


def test_a_late_report_is_marked_late(sec, calendar):
    with time_machine.travel(datetime(2025, 9, 30, 10, 0, tzinfo=SH), tick=False):
        record = record_of(issue(sec, working_days=2), sec.city.dept_a)
    with time_machine.travel(datetime(2025, 10, 10, 17, 30, tzinfo=SH), tick=False):
        assert submit(sec, record).on_time  # the deadline's own minute
    services.notice_rectification_return(actor=sec.center, rectification=record, comment="补充")
    with time_machine.travel(datetime(2025, 10, 10, 17, 31, tzinfo=SH), tick=False):
        late = submit(sec, record)
    assert not late.on_time
    assert "after the deadline" in NoticeEvent.objects.filter(kind="submitted").last().comment


@pytest.mark.django_db(transaction=True)
def test_two_decisions_at_once_make_one(sec):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite serialises every write)")
    record = record_of(issue(sec), sec.city.dept_a)
    submit(sec, record)
    outcomes = []
    barrier = threading.Barrier(2)

    def decide(actor, action):
        try:
            barrier.wait()
            services.notice_rectification_transition(actor=actor, rectification=record, action=action, comment="x")
            outcomes.append(action)
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(sec.center, "accept")),
        threading.Thread(target=decide, args=(sec.reviewer, "return")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes).count("refused") == 1
    assert NoticeEvent.objects.filter(rectification=record, kind__in=["accepted", "returned"]).count() == 1


# --- Reads ---------------------------------------------------------------------------------------


def test_a_department_sees_its_own_records_and_counts_only(sec):
    notice = issue(sec, organizations=[sec.city.dept_a, sec.city.dept_b])
    rows = {n.pk: n for n in selectors.notices_for(user=sec.a_applicant)}
    assert rows[notice.pk].record_count == 1  # never how many others received it
    assert selectors.notices_for(user=sec.center).get().record_count == 2
    assert list(selectors.rectifications_for(user=sec.b_head).values_list("organization_id", flat=True)) == [
        sec.city.dept_b.pk
    ]
    assert not selectors.notices_for(user=sec.provider).exists()
    other = issue(sec, organizations=[sec.city.dept_b], systems=[])
    assert not selectors.notices_for(user=sec.a_head).filter(pk=other.pk).exists()


# --- The sweep ---------------------------------------------------------------------------------------


def test_warned_before_and_escalated_after_the_deadline_once_each(sec, calendar):
    with time_machine.travel(datetime(2025, 9, 30, 10, 0, tzinfo=SH), tick=False):
        notice = issue(sec, organizations=[sec.city.dept_b], working_days=5)
    # Due 2025-10-14 17:30 (10-09, 10-10, 10-11, 10-13, 10-14); warned from two working days before.
    assert notice.due_at == datetime(2025, 10, 14, 17, 30, tzinfo=SH)
    record_a, record_b = record_of(notice, sec.city.dept_a), record_of(notice, sec.city.dept_b)
    submit(sec, record_a)  # A has answered: nothing to warn or escalate
    with time_machine.travel(datetime(2025, 10, 10, 9, 0, tzinfo=SH), tick=False):
        # 10-14 is the third working day after 10-10: not yet.
        assert services.security_notices_sweep(actor=SYSTEM) == {"warned": 0, "escalated": 0}
    with time_machine.travel(datetime(2025, 10, 11, 9, 0, tzinfo=SH), tick=False):
        assert services.security_notices_sweep(actor=SYSTEM) == {"warned": 1, "escalated": 0}
        assert services.security_notices_sweep(actor=SYSTEM) == {"warned": 0, "escalated": 0}
    warned = set(Notification.objects.filter(kind="security.notice_due").values_list("recipient_id", flat=True))
    assert warned == {sec.b_head.pk, sec.b_security.pk}
    with time_machine.travel(datetime(2025, 10, 14, 17, 29, tzinfo=SH), tick=False):
        assert services.security_notices_sweep(actor=SYSTEM) == {"warned": 0, "escalated": 0}
    with time_machine.travel(datetime(2025, 10, 14, 17, 30, tzinfo=SH), tick=False):
        assert services.security_notices_sweep(actor=SYSTEM) == {"warned": 0, "escalated": 1}
    with time_machine.travel(datetime(2025, 10, 20, 9, 0, tzinfo=SH), tick=False):
        assert services.security_notices_sweep(actor=SYSTEM) == {"warned": 0, "escalated": 0}
    escalated = set(Notification.objects.filter(kind="security.notice_overdue").values_list("recipient_id", flat=True))
    # The center's administrator and the department's head; not the other department, not A.
    assert escalated == {sec.center.pk, sec.b_head.pk}
    assert AuditEvent.objects.filter(action="notice_rectification.overdue", object_id=str(record_b.pk)).count() == 1
    assert list(NoticeEvent.objects.filter(rectification=record_b).values_list("kind", flat=True)) == [
        "issued",
        "warned",
        "escalated",
    ]
    assert selectors.open_notice_counts(user=sec.center)["overdue"] == 1


def test_a_record_returned_after_the_deadline_is_escalated(sec, calendar):
    with time_machine.travel(datetime(2025, 9, 30, 10, 0, tzinfo=SH), tick=False):
        record = record_of(issue(sec, working_days=2), sec.city.dept_a)
        submit(sec, record)
    with time_machine.travel(datetime(2025, 10, 13, 9, 0, tzinfo=SH), tick=False):
        # Waiting on the center is not the department's delay.
        assert services.security_notices_sweep(actor=SYSTEM)["escalated"] == 0
        services.notice_rectification_return(actor=sec.center, rectification=record, comment="证据不足")
        assert services.security_notices_sweep(actor=SYSTEM)["escalated"] == 1


def test_the_sweep_is_the_platforms(sec):
    with pytest.raises(PermissionDenied):
        services.security_notices_sweep(actor=sec.a_head)


def test_the_sweep_task_runs_the_sweep(sec, calendar):
    from govcloud.security.tasks import security_notices_sweep_task

    with time_machine.travel(datetime(2025, 9, 30, 10, 0, tzinfo=SH), tick=False):
        issue(sec, working_days=1)
    with time_machine.travel(datetime(2025, 10, 9, 18, 0, tzinfo=SH), tick=False):
        assert security_notices_sweep_task.call() == {"warned": 0, "escalated": 1}


def test_every_notice_and_event_action_has_a_readable_audit_label(sec, calendar):
    from govcloud.audit.actions import ACTION_LABELS
    from govcloud.audit.chain import verify_chain

    with time_machine.travel(datetime(2025, 9, 30, 10, 0, tzinfo=SH), tick=False):
        notice = issue(sec, organizations=[sec.city.dept_b], working_days=2)
        record = record_of(notice, sec.city.dept_a)
        services.notice_rectification_read(actor=sec.a_head, rectification=record)
        submit(sec, record)
        services.notice_rectification_return(actor=sec.center, rectification=record, comment="x")
        submit(sec, record)
        services.notice_rectification_accept(actor=sec.center, rectification=record)
        services.notice_rectification_cancel(
            actor=sec.center, rectification=record_of(notice, sec.city.dept_b), comment="x"
        )
        again = record_of(issue(sec, working_days=2), sec.city.dept_a)
        event = services.security_event_record(
            actor=sec.provider, kind="malware", occurred_at=datetime(2025, 9, 29, 10, 0, tzinfo=SH), summary="x"
        )
        services.security_event_update(actor=sec.provider, event=event, count=2)
    with time_machine.travel(datetime(2025, 10, 9, 10, 0, tzinfo=SH), tick=False):
        services.security_notices_sweep(actor=SYSTEM)
    with time_machine.travel(datetime(2025, 10, 10, 18, 0, tzinfo=SH), tick=False):
        services.security_notices_sweep(actor=SYSTEM)
    assert NoticeEvent.objects.filter(rectification=again, kind__in=["warned", "escalated"]).count() == 2
    prefixes = {"security_notice", "notice_rectification", "security_event"}
    recorded = {a for a in AuditEvent.objects.values_list("action", flat=True) if a.split(".")[0] in prefixes}
    labelled = {a for a in ACTION_LABELS if a.split(".")[0] in prefixes}
    assert recorded == labelled
    assert verify_chain().ok


def test_the_demo_city_shows_notices_in_each_state_and_a_month_of_events(settings):
    from django.core.management import call_command

    from govcloud.security.models import SecurityEvent

    settings.DEBUG = False
    call_command("load_demo", "--force")
    counts = (SecurityNotice.objects.count(), NoticeRectification.objects.count(), SecurityEvent.objects.count())
    states = set(NoticeRectification.objects.values_list("status", flat=True))
    assert states == {"accepted", "submitted", "read", "returned", "issued"}
    overdue = NoticeRectification.objects.filter(escalated_at__isnull=False)
    assert {r.status for r in overdue} == {"returned", "issued"}
    assert SecurityEvent.objects.filter(occurred_at__gte=timezone.now() - timedelta(days=31)).count() >= 60
    call_command("load_demo", "--force")
    assert counts == (
        SecurityNotice.objects.count(),
        NoticeRectification.objects.count(),
        SecurityEvent.objects.count(),
    )


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_escalate_once(sec):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL (SQLite serialises every write)")
    calendar_seed_from_package(actor=SYSTEM)
    with time_machine.travel(datetime(2025, 9, 30, 10, 0, tzinfo=SH), tick=False):
        record = record_of(issue(sec, working_days=1), sec.city.dept_a)
    results = []
    barrier = threading.Barrier(2)

    def sweep():
        try:
            with time_machine.travel(datetime(2025, 10, 9, 18, 0, tzinfo=SH), tick=False):
                barrier.wait()
                results.append(services.security_notices_sweep(actor=SYSTEM)["escalated"])
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [0, 1]
    assert NoticeEvent.objects.filter(rectification=record, kind=NoticeEventKind.ESCALATED).count() == 1
    assert AuditEvent.objects.filter(action="notice_rectification.overdue").count() == 1
