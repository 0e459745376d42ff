"""The monthly security bulletin (Art. 17): due dates in working days, publishing, read receipts,
and the warning when one is late."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from govcloud.audit.models import AuditEvent
from govcloud.core.actors import SYSTEM
from govcloud.core.policy import Policy
from govcloud.notifications.models import Notification
from govcloud.policies.services import policy_set
from govcloud.security import services
from govcloud.security.models import BulletinReceipt, SecurityBulletin
from govcloud.security.selectors.bulletins import bulletin_read_status, bulletins_for, unread_count
from govcloud.security.selectors.calendar import bulletin_due
from govcloud.workdays.services import calendar_seed_from_package

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def calendar():
    calendar_seed_from_package(actor=SYSTEM)


def publish(sec, period: date, **kwargs) -> SecurityBulletin:
    return services.security_bulletin_create(
        actor=sec.provider, period=period, title=f"{period:%Y-%m} 安全公告", content="通报", publish=True, **kwargs
    )


def test_due_date_counts_working_days_across_national_day(calendar):
    # 2025-10-01..10-08 is the National Day and Mid-autumn holiday; Saturday 10-11 is worked.
    due = bulletin_due(date(2025, 9, 1))
    assert due.due_on == date(2025, 10, 14)
    assert not due.provisional
    # An ordinary month: August 2025 ends on a Sunday; 09-01..09-05 are the five working days.
    assert bulletin_due(date(2025, 8, 1)).due_on == date(2025, 9, 5)


def test_due_date_follows_the_policy(sec, calendar):
    policy_set(actor=sec.center, key=Policy.BULLETIN_DUE_WORKING_DAY, raw="1")
    assert bulletin_due(date(2025, 9, 15)).due_on == date(2025, 10, 9)
    policy_set(actor=sec.center, key=Policy.BULLETIN_DUE_WORKING_DAY, raw="3")
    assert bulletin_due(date(2025, 9, 15)).due_on == date(2025, 10, 11)


def test_the_center_is_warned_once_when_a_bulletin_is_late(sec, calendar):
    with time_machine.travel(datetime(2025, 9, 3, 10, 0, tzinfo=SH), tick=False):
        publish(sec, date(2025, 8, 1))
    with time_machine.travel(datetime(2025, 10, 14, 18, 0, tzinfo=SH), tick=False):
        # The due day itself: still on time.
        assert services.bulletins_missing_warn(actor=SYSTEM) == []
    with time_machine.travel(datetime(2025, 10, 15, 9, 0, tzinfo=SH), tick=False):
        assert services.bulletins_missing_warn(actor=SYSTEM) == [date(2025, 9, 1)]
    with time_machine.travel(datetime(2025, 10, 16, 9, 0, tzinfo=SH), tick=False):
        assert services.bulletins_missing_warn(actor=SYSTEM) == []
    warnings = Notification.objects.filter(kind="security.bulletin_missing")
    assert list(warnings.values_list("recipient_id", flat=True)) == [sec.center.pk]
    assert "2025-09" in warnings.get().title and "2025-10-14" in warnings.get().title
    assert AuditEvent.objects.filter(action="security_bulletin.missing_warning").count() == 1


def test_no_warning_once_published_and_the_task_runs_the_sweep(sec, calendar):
    from govcloud.security.tasks import bulletins_missing_task

    with time_machine.travel(datetime(2025, 10, 10, 10, 0, tzinfo=SH), tick=False):
        publish(sec, date(2025, 8, 1))
        publish(sec, date(2025, 9, 1))
    with time_machine.travel(datetime(2025, 10, 20, 9, 0, tzinfo=SH), tick=False):
        assert bulletins_missing_task.call() == []
    assert not Notification.objects.filter(kind="security.bulletin_missing").exists()


def test_drafts_are_the_providers_until_published(sec):
    draft = services.security_bulletin_create(
        actor=sec.provider, period=date.today().replace(day=1), title="草稿", content="x"
    )
    assert not bulletins_for(user=sec.a_applicant).exists()
    assert list(bulletins_for(user=sec.center)) == [draft]
    services.security_bulletin_update(actor=sec.provider, bulletin=draft, title="十月公告")
    services.security_bulletin_publish(actor=sec.provider, bulletin=draft)
    assert list(bulletins_for(user=sec.a_applicant)) == [draft]
    assert list(bulletins_for(user=sec.b_head)) == [draft]
    assert Notification.objects.filter(recipient=sec.a_head, kind="security.bulletin_published").exists()
    with pytest.raises(ValidationError, match="published"):
        services.security_bulletin_update(actor=sec.provider, bulletin=draft, title="改")
    actions = set(AuditEvent.objects.filter(object_type="security.securitybulletin").values_list("action", flat=True))
    assert {"security_bulletin.create", "security_bulletin.update", "security_bulletin.publish"} <= actions


def test_only_the_provider_publishes_and_once_per_month(sec):
    for actor in (sec.center, sec.a_head):
        with pytest.raises(PermissionDenied):
            services.security_bulletin_create(actor=actor, period=date(2025, 9, 1), title="x", content="x")
    publish(sec, date(2025, 9, 1))
    with pytest.raises(ValidationError, match="already a bulletin"):
        publish(sec, date(2025, 9, 20))
    with pytest.raises(ValidationError, match="current or a past month"):
        publish(sec, date(2099, 1, 1))


def test_read_receipts_per_department(sec):
    bulletin = publish(sec, date(2025, 9, 1))
    assert unread_count(user=sec.a_applicant) == 1
    first = services.security_bulletin_read(actor=sec.a_applicant, bulletin=bulletin)
    again = services.security_bulletin_read(actor=sec.a_applicant, bulletin=bulletin)
    assert first == again and first.organization == sec.city.dept_a
    services.security_bulletin_read(actor=sec.a_head, bulletin=bulletin)
    # The provider and the center leave no receipt.
    assert services.security_bulletin_read(actor=sec.provider, bulletin=bulletin) is None
    assert services.security_bulletin_read(actor=sec.center, bulletin=bulletin) is None
    assert BulletinReceipt.objects.count() == 2
    assert unread_count(user=sec.a_applicant) == 0 and unread_count(user=sec.b_head) == 1
    assert bulletins_for(user=sec.a_applicant).get().read_by_me
    assert not bulletins_for(user=sec.b_head).get().read_by_me
    status = {row.organization.pk: row for row in bulletin_read_status(user=sec.provider, bulletin=bulletin)}
    assert status[sec.city.dept_a.pk].readers == 2 and status[sec.city.dept_a.pk].has_read
    assert status[sec.city.dept_b.pk].readers == 0 and not status[sec.city.dept_b.pk].has_read
    assert sec.city.center.pk not in status and sec.city.provider.pk not in status
    with pytest.raises(PermissionDenied):
        bulletin_read_status(user=sec.a_head, bulletin=bulletin)
    reads = AuditEvent.objects.filter(action="security_bulletin.read")
    assert reads.count() == 2
    assert {e.subject_organization_path for e in reads} == {sec.city.dept_a.path}
