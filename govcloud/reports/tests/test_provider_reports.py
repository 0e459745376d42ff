"""The provider's monthly operations report and advice: write, attach, submit, acknowledge or return
(each move audited, on the timeline), due dates from the working-day calendar and the policy, and
the deadline warnings (once each)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from govcloud.audit.models import AuditEvent
from govcloud.core.actors import SYSTEM
from govcloud.core.errors import StateConflict
from govcloud.core.policy import Policy
from govcloud.notifications.models import Notification
from govcloud.policies.services import policy_set
from govcloud.reports import selectors, services
from govcloud.reports.models import EntryKind, ProviderReportKind, ProviderReportState
from govcloud.reports.tests.conftest import NOVEMBER, TZ

pytestmark = pytest.mark.django_db


def _draft(mon, kind=ProviderReportKind.OPERATIONS, month=NOVEMBER):
    return services.provider_report_create(
        actor=mon.provider, kind=kind, month=month, title="11 月运行维护报告", body="运行平稳。"
    )


def test_due_date_is_working_days_after_the_month(mon):
    report = _draft(mon)
    # November 2026 ends on a Monday; five working days later is Monday 7 December, 17:30.
    assert report.due_at == datetime(2026, 12, 7, 17, 30, tzinfo=TZ)
    policy_set(actor=mon.center, key=Policy.EXPANSION_ADVICE_DUE_WORKING_DAYS, raw="1")
    advice = _draft(mon, ProviderReportKind.ADVICE)
    assert advice.due_at == datetime(2026, 12, 1, 17, 30, tzinfo=TZ)
    assert advice.is_overdue and not report.is_overdue


def test_submit_acknowledge_with_timeline_and_audit(mon):
    report = _draft(mon)
    report = services.provider_report_submit(actor=mon.provider, report=report)
    assert report.state == ProviderReportState.SUBMITTED and not report.was_late
    assert Notification.objects.filter(kind="reports.provider_report_submitted", recipient=mon.center).exists()
    report = services.provider_report_acknowledge(actor=mon.center, report=report, comment="已阅")
    assert report.state == ProviderReportState.ACKNOWLEDGED
    kinds = list(selectors.provider_report_timeline(report=report).values_list("kind", flat=True))
    assert kinds == [EntryKind.CREATED, EntryKind.SUBMITTED, EntryKind.ACKNOWLEDGED]
    actions = set(AuditEvent.objects.filter(object_id=str(report.pk)).values_list("action", flat=True))
    assert {"provider_report.create", "provider_report.submit", "provider_report.acknowledge"} <= actions


def test_return_edit_and_submit_again(mon):
    report = services.provider_report_submit(actor=mon.provider, report=_draft(mon))
    with pytest.raises(ValidationError):
        services.provider_report_return(actor=mon.center, report=report, reason="  ")
    report = services.provider_report_return(actor=mon.center, report=report, reason="请补充备份情况")
    assert report.state == ProviderReportState.RETURNED and report.return_reason == "请补充备份情况"
    note = Notification.objects.get(kind="reports.provider_report_decided", recipient=mon.provider)
    assert "请补充备份情况" in note.body
    report = services.provider_report_update(actor=mon.provider, report=report, title="11 月报告", body="已补充。")
    report = services.provider_report_submit(actor=mon.provider, report=report)
    assert report.state == ProviderReportState.SUBMITTED and report.return_reason == ""


def test_moves_are_checked(mon):
    report = _draft(mon)
    with pytest.raises(StateConflict):
        services.provider_report_acknowledge(actor=mon.center, report=report)
    with pytest.raises(PermissionDenied):
        services.provider_report_submit(actor=mon.center, report=report)
    report = services.provider_report_submit(actor=mon.provider, report=report)
    with pytest.raises(StateConflict):
        services.provider_report_update(actor=mon.provider, report=report, title="x", body="y")
    with pytest.raises(PermissionDenied):
        services.provider_report_acknowledge(actor=mon.provider, report=report)
    with pytest.raises(Http404):  # a department does not see the provider's reports at all
        services.provider_report_acknowledge(actor=mon.a_user, report=report)
    report.refresh_from_db()
    assert report.state == ProviderReportState.SUBMITTED


def test_bad_input_changes_nothing(mon):
    with pytest.raises(ValidationError):
        services.provider_report_create(actor=mon.provider, kind="x", month=NOVEMBER, title="t", body="b")
    with pytest.raises(ValidationError):
        services.provider_report_create(
            actor=mon.provider, kind=ProviderReportKind.ADVICE, month=date(2027, 1, 1), title="t", body="b"
        )
    with pytest.raises(ValidationError):
        services.provider_report_create(
            actor=mon.provider, kind=ProviderReportKind.ADVICE, month=NOVEMBER, title="", body="b"
        )
    with pytest.raises(PermissionDenied):
        services.provider_report_create(
            actor=mon.center, kind=ProviderReportKind.ADVICE, month=NOVEMBER, title="t", body="b"
        )
    _draft(mon)
    with pytest.raises(ValidationError):
        _draft(mon)  # one per kind and month
    assert selectors.provider_reports_for(user=mon.center).count() == 1


def test_attachments_are_checked_and_kept(mon):
    report = _draft(mon)
    attachment = services.provider_report_attach(
        actor=mon.provider,
        report=report,
        upload=SimpleUploadedFile("巡检.pdf", b"%PDF-1.4 test", content_type="application/pdf"),
    )
    assert attachment.original_name == "巡检.pdf" and len(attachment.sm3) == 64
    with pytest.raises(ValidationError):
        services.provider_report_attach(
            actor=mon.provider, report=report, upload=SimpleUploadedFile("a.exe", b"MZ...", content_type="x")
        )
    assert report.attachments.count() == 1
    assert report.entries.filter(kind=EntryKind.ATTACHED).count() == 1


def test_deadline_warnings_once_each(mon):
    # 2026-12-07 14:00: three and a half hours before November's reports are due (17:30).
    with time_machine.travel(datetime(2026, 12, 7, 14, 0, tzinfo=TZ), tick=False):
        sent = services.provider_reports_deadlines(actor=SYSTEM)
        assert sent == {"due": 2, "overdue": 0}
        assert services.provider_reports_deadlines(actor=SYSTEM) == {"due": 0, "overdue": 0}
    report = services.provider_report_submit(actor=mon.provider, report=_draft(mon))
    with time_machine.travel(datetime(2026, 12, 8, 9, 0, tzinfo=TZ), tick=False):
        sent = services.provider_reports_deadlines(actor=SYSTEM)
    # The operations report was submitted; the advice was never written.
    assert sent == {"due": 0, "overdue": 1}
    overdue = Notification.objects.filter(kind="reports.provider_report_overdue")
    assert {n.recipient_id for n in overdue} == {mon.provider.pk, mon.center.pk}
    assert all("2026-11" in n.title for n in overdue)
    assert not report.entries.filter(kind=EntryKind.WARNED).exists()
    assert AuditEvent.objects.filter(action="provider_report.overdue_warning").count() == 1
