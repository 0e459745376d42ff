"""In-app notifications: what waits on someone, warnings, flags; each person's e-mail choices per
kind of notification, and the outbox of e-mails to send."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from govcloud.core.scoping import ScopedManager, ScopePolicy


class Severity(models.TextChoices):
    INFO = "info", _("Information")
    WARNING = "warning", _("Warning")
    DANGER = "danger", _("Alert")


def _own(user, action):
    return Q(recipient=user)


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=60)
    severity = models.CharField(_("severity"), max_length=16, choices=Severity.choices, default=Severity.INFO)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # Makes a repeated warning (a daily sweep) idempotent: one notification per recipient and key.
    dedupe_key = models.CharField(max_length=120, blank=True)

    objects = ScopedManager()
    # Personal: each person sees only their own notifications.
    scope_policy = ScopePolicy(org_path=None, own_org={}, extra=_own)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notif_recipient_unread")]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], condition=~Q(dedupe_key=""), name="notif_once_per_key"
            )
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.title


def _own_preferences(user, action):
    return Q(user=user)


class NotificationPreference(models.Model):
    """A person's explicit choice of e-mail for one kind of notification. No row: the kind's default
    (see kinds.py)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("kind"), max_length=60)
    email = models.BooleanField(_("send e-mail"))
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    objects = ScopedManager()
    # Personal, like the notifications themselves.
    scope_policy = ScopePolicy(org_path=None, own_org={}, extra=_own_preferences)

    class Meta:
        ordering = ["user", "kind"]
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notif_preference_once")]
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user_id}:{self.kind}={'on' if self.email else 'off'}"


class EmailStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Not sent")


def _own_deliveries(user, action):
    return Q(recipient=user)


class EmailDelivery(models.Model):
    """The e-mail outbox: one row per notification to be e-mailed, written in the same transaction
    as the notification. A lost task, a dead worker or a refusing mail server therefore loses
    nothing: the row stays pending (or failed, with the error) until a later attempt succeeds or
    the attempts run out, which is recorded."""

    notification = models.OneToOneField(Notification, on_delete=models.CASCADE, related_name="email_delivery")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The address the last attempt went to (people change their address; the record shows where).
    address = models.EmailField(_("address"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=EmailStatus.choices, default=EmailStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    objects = ScopedManager()
    scope_policy = ScopePolicy(org_path=None, own_org={}, extra=_own_deliveries)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="notif_email_due")]
        verbose_name = _("e-mail delivery")
        verbose_name_plural = _("e-mail deliveries")

    def __str__(self) -> str:
        return f"{self.notification_id} → {self.address or self.recipient_id} ({self.status})"
