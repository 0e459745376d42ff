"""E-mail for notifications: who gets one (preferences per kind, defaults by severity), the outbox,
sending through a real SMTP connection, retries and recorded failures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction

from govcloud.audit.models import AuditEvent
from govcloud.core.roles import Role
from govcloud.notifications import email, services
from govcloud.notifications.kinds import KINDS, email_default, register_kind
from govcloud.notifications.models import EmailDelivery, EmailStatus, Notification, NotificationPreference, Severity
from govcloud.notifications.tests.smtp_sink import SmtpSink

pytestmark = pytest.mark.django_db

TITLE = "申请 SQ-2026-0001 已受理，请等待审批"


@pytest.fixture
def person(city):
    return city.user(Role.DEPARTMENT_APPLICANT, email="zhang@example.gov.cn")


def send(django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        return services.notify(**kwargs)


def test_warnings_are_emailed_by_default_and_information_is_not(person, django_capture_on_commit_callbacks):
    send(django_capture_on_commit_callbacks, recipients=[person], kind="x.info", title="info")
    assert mail.outbox == []
    send(
        django_capture_on_commit_callbacks,
        recipients=[person],
        kind="x.warn",
        title=TITLE,
        severity=Severity.WARNING,
    )
    assert [m.to for m in mail.outbox] == [["zhang@example.gov.cn"]]
    assert TITLE in mail.outbox[0].subject
    delivery = EmailDelivery.objects.get()
    assert delivery.status == EmailStatus.SENT and delivery.attempts == 1 and delivery.sent_at


def test_an_alert_is_emailed_by_default(person, django_capture_on_commit_callbacks):
    send(django_capture_on_commit_callbacks, recipients=[person], kind="x.alert", title="a", severity=Severity.DANGER)
    assert len(mail.outbox) == 1


def test_registered_kinds_carry_their_own_default(person, django_capture_on_commit_callbacks):
    assert KINDS["security.session_flagged"].email_default is True
    assert email_default("security.bulletin_published", Severity.WARNING) is False
    send(django_capture_on_commit_callbacks, recipients=[person], kind="security.bulletin_published", title="b")
    assert mail.outbox == []
    send(django_capture_on_commit_callbacks, recipients=[person], kind="security.drill_overdue", title="d")
    assert len(mail.outbox) == 1


def test_register_kind_is_idempotent():
    register_kind("test.kind", "Test kind", email_default=True)
    register_kind("test.kind", "Test kind", email_default=True)
    assert KINDS["test.kind"].email_default is True
    del KINDS["test.kind"]


def test_the_persons_choice_wins_both_ways(person, city, django_capture_on_commit_callbacks):
    services.notification_preferences_set(actor=person, choices={"x.warn": False, "x.info": True})
    send(django_capture_on_commit_callbacks, recipients=[person], kind="x.warn", title="w", severity=Severity.WARNING)
    assert mail.outbox == []
    send(django_capture_on_commit_callbacks, recipients=[person], kind="x.info", title="i")
    assert len(mail.outbox) == 1
    # Another person's choice does not touch this one's.
    other = city.user(Role.DEPARTMENT_APPLICANT, email="li@example.gov.cn")
    send(
        django_capture_on_commit_callbacks,
        recipients=[person, other],
        kind="x.warn",
        title="w2",
        severity=Severity.WARNING,
    )
    assert [m.to for m in mail.outbox[1:]] == [["li@example.gov.cn"]]


def test_back_to_the_default(person, django_capture_on_commit_callbacks):
    services.notification_preferences_set(actor=person, choices={"x.warn": False})
    services.notification_preferences_set(actor=person, choices={"x.warn": None})
    assert not NotificationPreference.objects.exists()
    send(django_capture_on_commit_callbacks, recipients=[person], kind="x.warn", title="w", severity=Severity.WARNING)
    assert len(mail.outbox) == 1


def test_no_address_or_inactive_means_no_email(city, django_capture_on_commit_callbacks):
    without = city.user(Role.DEPARTMENT_APPLICANT, email="")
    inactive = city.user(Role.DEPARTMENT_APPLICANT, email="gone@example.gov.cn", is_active=False)
    sent = send(
        django_capture_on_commit_callbacks,
        recipients=[without, inactive],
        kind="x.warn",
        title="w",
        severity=Severity.WARNING,
    )
    assert sent == 1  # the inactive person gets no notification at all
    assert mail.outbox == [] and not EmailDelivery.objects.exists()


def test_a_person_deactivated_before_the_send_gets_nothing(person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.notify(recipients=[person], kind="x.warn", title="w", severity=Severity.WARNING)
    type(person).objects.filter(pk=person.pk).update(is_active=False)
    for callback in callbacks:
        callback()
    assert mail.outbox == []
    assert EmailDelivery.objects.get().status == EmailStatus.SKIPPED


def test_dedupe_sends_one_email(person, django_capture_on_commit_callbacks):
    for _ in range(3):
        send(
            django_capture_on_commit_callbacks,
            recipients=[person],
            kind="x.warn",
            title="w",
            severity=Severity.WARNING,
            dedupe_key="k1",
        )
    assert len(mail.outbox) == 1


def test_a_rolled_back_change_sends_no_email(person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        services.notify(recipients=[person], kind="x.warn", title="w", severity=Severity.WARNING)
        raise RuntimeError("the service failed")
    assert mail.outbox == [] and not Notification.objects.exists()


def test_a_lost_task_is_caught_up_by_the_sweep(person, django_capture_on_commit_callbacks):
    # The transaction commits but the task never runs (a worker queue lost it): the outbox row stays.
    with django_capture_on_commit_callbacks(execute=False):
        services.notify(recipients=[person], kind="x.warn", title="w", severity=Severity.WARNING)
    assert EmailDelivery.objects.get().status == EmailStatus.PENDING
    assert email.email_deliveries_send()["sent"] == 1
    assert len(mail.outbox) == 1
    assert email.email_deliveries_send()["sent"] == 0  # sent once only


def test_a_delivery_claimed_by_a_dead_worker_is_taken_up_again(
    person, django_capture_on_commit_callbacks, time_machine
):
    time_machine.move_to("2026-11-26 10:00:00+08:00", tick=False)
    with django_capture_on_commit_callbacks(execute=False):
        services.notify(recipients=[person], kind="x.warn", title="w", severity=Severity.WARNING)
    delivery = EmailDelivery.objects.get()
    assert email._claim(delivery.pk, delivery.created_at)  # the worker took it, then died
    assert email.email_deliveries_send()["sent"] == 0
    time_machine.shift(timedelta(minutes=16))
    assert email.email_deliveries_send()["sent"] == 1


# --- Through a real SMTP connection ------------------------------------------------------------


@pytest.fixture
def smtp(settings):
    with SmtpSink() as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = sink.port
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 5
        settings.DEFAULT_FROM_EMAIL = "govcloud@example.gov.cn"
        settings.GOVCLOUD_BASE_URL = "https://cloud.example.gov.cn"
        yield sink


def test_the_message_arrives_over_smtp_with_the_chinese_subject(person, smtp, django_capture_on_commit_callbacks):
    send(
        django_capture_on_commit_callbacks,
        recipients=[person],
        kind="applications.accepted",
        title=TITLE,
        body="经办人：李四",
        link="/applications/1/",
        severity=Severity.WARNING,
    )
    assert len(smtp.messages) == 1
    sender, recipients, message = smtp.messages[0]
    assert sender == "govcloud@example.gov.cn" and recipients == ["zhang@example.gov.cn"]
    assert TITLE in str(message["Subject"])
    assert "政务云" in str(message["Subject"])  # the platform's name, in Chinese
    text = message.get_content()
    assert "经办人：李四" in text
    assert "https://cloud.example.gov.cn/applications/1/" in text
    assert "https://cloud.example.gov.cn/notifications/preferences/" in text
    assert EmailDelivery.objects.get().status == EmailStatus.SENT


def test_a_refusing_server_is_retried_then_recorded(person, smtp, django_capture_on_commit_callbacks, time_machine):
    time_machine.move_to("2026-11-26 10:00:00+08:00", tick=False)
    smtp.refuse = True
    send(django_capture_on_commit_callbacks, recipients=[person], kind="x.warn", title=TITLE, severity=Severity.WARNING)
    delivery = EmailDelivery.objects.get()
    assert delivery.status == EmailStatus.PENDING and delivery.attempts == 1
    assert "451" in delivery.last_error
    # Not due yet: the sweep waits for the pause.
    assert email.email_deliveries_send()["pending"] == 0
    for minutes in email.RETRY_MINUTES:
        time_machine.shift(timedelta(minutes=minutes))
        email.email_deliveries_send()
    delivery.refresh_from_db()
    assert delivery.status == EmailStatus.FAILED and delivery.attempts == email.MAX_ATTEMPTS
    event = AuditEvent.objects.get(action="notification_email.failed")
    assert event.outcome == "failure" and "zhang@example.gov.cn" in event.message
    assert smtp.messages == []


def test_a_server_back_up_gets_the_message_on_the_next_attempt(
    person, smtp, django_capture_on_commit_callbacks, time_machine
):
    time_machine.move_to("2026-11-26 10:00:00+08:00", tick=False)
    smtp.refuse = True
    send(django_capture_on_commit_callbacks, recipients=[person], kind="x.warn", title=TITLE, severity=Severity.WARNING)
    smtp.refuse = False
    time_machine.shift(timedelta(minutes=email.RETRY_MINUTES[0]))
    assert email.email_deliveries_send()["sent"] == 1
    assert len(smtp.messages) == 1
    assert EmailDelivery.objects.get().attempts == 2


def test_no_server_at_all_is_a_recorded_attempt(person, settings, django_capture_on_commit_callbacks):
    with SmtpSink() as sink:
        port = sink.port  # a port nobody listens on once the sink is closed
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    send(django_capture_on_commit_callbacks, recipients=[person], kind="x.warn", title="w", severity=Severity.WARNING)
    delivery = EmailDelivery.objects.get()
    assert delivery.status == EmailStatus.PENDING and delivery.attempts == 1 and delivery.last_error


def test_the_sweep_task_and_the_send_task_run(person, django_capture_on_commit_callbacks):
    from govcloud.notifications.tasks import retry_notification_emails_task

    with django_capture_on_commit_callbacks(execute=False):
        services.notify(recipients=[person], kind="x.warn", title="w", severity=Severity.WARNING)
    result = retry_notification_emails_task.enqueue()
    assert result.return_value["sent"] == 1
