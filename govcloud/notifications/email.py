"""E-mail for notifications: who gets one, the outbox, sending and retrying.

`notify` calls `email_queue_for` inside its transaction: an `EmailDelivery` row for each recipient
who wants e-mail for the kind (their `NotificationPreference`, else the kind's default) and has an
address, and — once the transaction commits — the send task for those rows. The rows are the
record: if the task is lost or the mail server refuses, they stay pending, a periodic sweep sends
them again with a growing pause, and after the last attempt the delivery is marked failed, logged
and audited. Nothing is dropped silently.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Mapping
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from govcloud.audit.models import Outcome
from govcloud.audit.services import audit_record
from govcloud.core.actors import SYSTEM
from govcloud.notifications.kinds import wants_email
from govcloud.notifications.models import (
    Channel,
    ChannelMandate,
    EmailDelivery,
    EmailStatus,
    Notification,
    NotificationPreference,
)

logger = logging.getLogger(__name__)

# Pause before each further attempt (minutes): a mail server down for a few hours still gets the
# message; after the last one the delivery is failed.
RETRY_MINUTES = (1, 5, 30, 120, 720)
MAX_ATTEMPTS = len(RETRY_MINUTES) + 1
# A delivery claimed by a worker that died is taken up again after this long.
STALE_CLAIM = timedelta(minutes=15)
# How many deliveries one sweep sends at most (the next sweep continues).
BATCH = 200
SMTP_TIMEOUT_SECONDS = 30


def choices_of(user_ids: Iterable[int], kind: str) -> dict[int, bool]:
    """The explicit e-mail choices of these users for `kind` (one query)."""
    return dict(
        NotificationPreference.objects.filter(user_id__in=list(user_ids), kind=kind).values_list("user_id", "email")
    )


def email_queue_for(notifications: list[Notification], users: Mapping[int, object]) -> list[int]:
    """Write the outbox rows for freshly created notifications (inside the caller's transaction)
    and schedule the send task for when it commits. Returns the new deliveries' ids."""
    if not notifications:
        return []
    kind, severity = notifications[0].kind, notifications[0].severity
    choices = choices_of((n.recipient_id for n in notifications), kind)
    # The center may make e-mail mandatory for an urgent kind: nobody's choice turns it off.
    mandatory = ChannelMandate.objects.filter(kind=kind, channel=Channel.EMAIL).exists()
    rows = []
    for note in notifications:
        user = users.get(note.recipient_id)
        address = (getattr(user, "email", "") or "").strip()
        if not address or not getattr(user, "is_active", False):
            continue
        if mandatory or wants_email(kind, severity, choices.get(note.recipient_id)):
            rows.append(EmailDelivery(notification=note, recipient_id=note.recipient_id, address=address))
    if not rows:
        return []
    ids = [row.pk for row in EmailDelivery.objects.bulk_create(rows)]
    transaction.on_commit(lambda: _enqueue(ids))
    return ids


def _enqueue(ids: list[int]) -> None:
    from govcloud.notifications.tasks import send_notification_emails_task

    try:
        send_notification_emails_task.enqueue(ids)
    except Exception:
        # The change is committed; the rows wait for the retry sweep rather than failing the request.
        logger.exception("could not enqueue the e-mail task for deliveries %s; the retry sweep will send them", ids)


def site_url(path: str) -> str:
    """An absolute address for a link in an e-mail (the site's base from GOVCLOUD_BASE_URL)."""
    base = (getattr(settings, "GOVCLOUD_BASE_URL", "") or "").rstrip("/")
    return f"{base}{path}" if path.startswith("/") else path


def compose(delivery: EmailDelivery) -> EmailMessage:
    """The message: the notification's title as subject, its text and link as body. Written in the
    platform's language (Chinese): an e-mail has no language switch."""
    note = delivery.notification
    user = delivery.recipient
    with translation.override(settings.LANGUAGE_CODE):
        subject = f"[{_('GovCloud')}] {note.title}"
        lines = [_("Dear %(name)s,") % {"name": user.full_name or user.username}, "", note.title]
        if note.body:
            lines += ["", note.body]
        if note.link:
            lines += ["", _("Open on the platform: %(url)s") % {"url": site_url(note.link)}]
        lines += [
            "",
            "—",
            _("This e-mail was sent automatically by GovCloud; please do not reply."),
            _("Choose which notifications reach you by e-mail: %(url)s")
            % {"url": site_url(reverse("notifications:preferences"))},
        ]
    # A header never carries a line break (header injection).
    subject = " ".join(subject.split())[:250]
    return EmailMessage(subject=subject, body="\n".join(lines), to=[user.email])


def _claim(pk: int, now) -> bool:
    """Take a pending delivery for this worker (a compare-and-set, so two workers never send the
    same message)."""
    return bool(
        EmailDelivery.objects.filter(pk=pk, status=EmailStatus.PENDING).update(
            status=EmailStatus.SENDING, attempts=F("attempts") + 1, claimed_at=now
        )
    )


def _release_stale(now) -> int:
    return EmailDelivery.objects.filter(status=EmailStatus.SENDING, claimed_at__lt=now - STALE_CLAIM).update(
        status=EmailStatus.PENDING
    )


def _finish(delivery: EmailDelivery, status: str, **fields) -> None:
    EmailDelivery.objects.filter(pk=delivery.pk).update(status=status, **fields)


def _failed(delivery: EmailDelivery, error: str, now) -> str:
    error = error[:2000]
    if delivery.attempts < MAX_ATTEMPTS:
        pause = RETRY_MINUTES[min(delivery.attempts, len(RETRY_MINUTES)) - 1]
        _finish(delivery, EmailStatus.PENDING, last_error=error, next_attempt_at=now + timedelta(minutes=pause))
        logger.warning("e-mail delivery %s failed (attempt %s), retrying: %s", delivery.pk, delivery.attempts, error)
        return EmailStatus.PENDING
    _finish(delivery, EmailStatus.FAILED, last_error=error)
    logger.error("e-mail delivery %s failed after %s attempts: %s", delivery.pk, delivery.attempts, error)
    audit_record(
        actor=SYSTEM,
        action="notification_email.failed",
        target=delivery.notification,
        outcome=Outcome.FAILURE,
        message=f"{delivery.address}: {error}",
        subject_organization_path=getattr(delivery.recipient.organization, "path", ""),
    )
    return EmailStatus.FAILED


def email_deliveries_send(*, ids: Iterable[int] | None = None) -> dict[str, int]:
    """Send the given pending deliveries, or (the sweep) every one that is due. Returns counts per
    outcome."""
    now = timezone.now()
    if ids is None:
        _release_stale(now)
        due = EmailDelivery.objects.filter(status=EmailStatus.PENDING, next_attempt_at__lte=now)
    else:
        due = EmailDelivery.objects.filter(status=EmailStatus.PENDING, pk__in=list(ids))
    pks = list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:BATCH])
    counts = {EmailStatus.SENT: 0, EmailStatus.PENDING: 0, EmailStatus.FAILED: 0, EmailStatus.SKIPPED: 0}
    if not pks:
        return {str(k): v for k, v in counts.items()}
    connection = get_connection(timeout=getattr(settings, "EMAIL_TIMEOUT", None) or SMTP_TIMEOUT_SECONDS)
    try:
        for pk in pks:
            if not _claim(pk, now):
                continue
            delivery = EmailDelivery.objects.select_related("notification", "recipient", "recipient__organization").get(
                pk=pk
            )
            counts[_send_one(delivery, connection, now)] += 1
    finally:
        try:
            connection.close()
        except Exception:  # closing a broken connection must not hide the results
            logger.warning("closing the mail connection failed", exc_info=True)
    return {str(k): v for k, v in counts.items()}


def _send_one(delivery: EmailDelivery, connection, now) -> str:
    user = delivery.recipient
    address = (user.email or "").strip()
    if not user.is_active or not address:
        reason = "inactive user" if not user.is_active else "no e-mail address"
        _finish(delivery, EmailStatus.SKIPPED, last_error=reason)
        return EmailStatus.SKIPPED
    delivery.address = address
    try:
        message = compose(delivery)
        message.connection = connection
        sent = message.send(fail_silently=False)
    except Exception as exc:
        # The connection may be half-open after an error: the next message opens a new one.
        with contextlib.suppress(Exception):
            connection.close()
        return _failed(delivery, f"{type(exc).__name__}: {exc}", now)
    if not sent:
        return _failed(delivery, "the mail backend accepted no message", now)
    _finish(delivery, EmailStatus.SENT, address=address, sent_at=timezone.now(), last_error="")
    return EmailStatus.SENT


def deliveries_waiting() -> int:
    """Pending and retrying deliveries (for a health view)."""
    return EmailDelivery.objects.filter(Q(status=EmailStatus.PENDING) | Q(status=EmailStatus.SENDING)).count()
