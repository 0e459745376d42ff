"""In-app notifications: what waits on someone, warnings, flags; each person's e-mail and SMS choices
per kind of notification, the outboxes of e-mails and of SMS / group-robot messages to send, the
robots of departments' and duty teams' groups, the center's mandatory channels and short links."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from govcloud.core.actors import actor_roles
from govcloud.core.fields import EncryptedTextField
from govcloud.core.roles import CENTER_ROLES, Role
from govcloud.core.scoping import Action, ScopedManager, ScopePolicy


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
    # None: the kind's default for that channel (a row exists when at least one channel is chosen).
    email = models.BooleanField(_("send e-mail"), null=True)
    sms = models.BooleanField(_("send SMS"), null=True)
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
        return f"{self.user_id}:{self.kind} email={self.email} sms={self.sms}"


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


# --- Channels beyond the platform and e-mail (issue 18 §2) ----------------------------------------


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    ROBOT = "robot", _("Group robot")


# The channels a person chooses per kind (a robot posts to a group, configured per group).
PERSONAL_CHANNELS = (Channel.EMAIL, Channel.SMS)


class ChannelMandate(models.Model):
    """The center makes a channel mandatory for an urgent kind: everyone who receives that kind gets
    it on that channel, whatever they chose (kinds.URGENT_KINDS)."""

    kind = models.CharField(_("kind"), max_length=60)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["kind", "channel"]
        constraints = [models.UniqueConstraint(fields=["kind", "channel"], name="notif_mandate_once")]
        verbose_name = _("mandatory channel")
        verbose_name_plural = _("mandatory channels")

    def __str__(self) -> str:
        return f"{self.kind}:{self.channel}"


class RobotPlatform(models.TextChoices):
    WECOM = "wecom", _("WeCom group robot")
    DINGTALK = "dingtalk", _("DingTalk group robot")


class RobotFormat(models.TextChoices):
    TEXT = "text", _("Text")
    MARKDOWN = "markdown", _("Markdown")


def _duty_robots(user, action):
    if Role.PROVIDER_OPERATOR in actor_roles(user):
        return Q(organization__isnull=True)
    return None


# Who sees and manages robots: the center all of them; a department head (and security officer, to
# see) the robots of the department and its units; the provider's operators the duty teams' robots.
ROBOT_MANAGERS = frozenset({Role.DEPARTMENT_HEAD})


class Robot(models.Model):
    """A group robot (WeCom / DingTalk style webhook) of a department's group or a duty team's group.
    The webhook address (which carries the access key) and the signing secret are encrypted at rest
    and never shown back once saved."""

    name = models.CharField(_("name"), max_length=100)
    platform = models.CharField(_("platform"), max_length=16, choices=RobotPlatform.choices)
    message_format = models.CharField(
        _("message format"), max_length=16, choices=RobotFormat.choices, default=RobotFormat.MARKDOWN
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    # A duty team's group: string reference (incidents sits above notifications; only the key is kept).
    duty_team = models.ForeignKey(
        "incidents.DutyTeam",
        verbose_name=_("duty team"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    webhook_url = EncryptedTextField(_("webhook address"))
    secret = EncryptedTextField(_("signing secret"), blank=True)
    # The kinds of notification the robot posts to its group.
    kinds = models.JSONField(_("kinds of notification"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    objects = ScopedManager()
    scope_policy = ScopePolicy(
        org_path="organization__path",
        see_all={Action.VIEW: CENTER_ROLES, Action.CHANGE: frozenset({Role.CENTER_ADMIN})},
        own_org={
            Action.VIEW: frozenset({Role.DEPARTMENT_HEAD, Role.DEPARTMENT_SECURITY_OFFICER}),
            Action.CHANGE: ROBOT_MANAGERS,
        },
        extra=_duty_robots,
    )

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(organization__isnull=True, duty_team__isnull=False)
                | Q(organization__isnull=False, duty_team__isnull=True),
                name="notif_robot_one_group",
            )
        ]
        verbose_name = _("group robot")
        verbose_name_plural = _("group robots")

    def __str__(self) -> str:
        return self.name


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Not sent")


def _own_channel_deliveries(user, action):
    return Q(recipient=user)


class ChannelDelivery(models.Model):
    """The outbox of SMS and group-robot messages, written in the notification's transaction. Like
    the e-mail outbox, a row is the record: a gateway that is down, slow or refusing leaves it
    pending with the error and a growing pause, and after the last attempt it is failed (audited).
    Each row is sent on its own, so a failing channel or robot never holds up another."""

    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    kind = models.CharField(_("kind"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    # SMS: the person; robot: none (the group).
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    robot = models.ForeignKey(Robot, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries")
    notification = models.ForeignKey(
        Notification, on_delete=models.SET_NULL, null=True, blank=True, related_name="channel_deliveries"
    )
    # Whose the delivery is, for scoping (the recipient's or the robot's organization).
    organization_path = models.CharField(max_length=255, blank=True, db_index=True)
    # Where it went, masked for display (138****0000, the robot's name).
    target = models.CharField(_("sent to"), max_length=120, blank=True)
    # What is sent: SMS segments, or the robot's message (no secrets).
    payload = models.JSONField(default=dict)
    # SMS: segments accepted by the gateway so far (a retry sends only the rest).
    parts_sent = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(
        _("status"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    objects = ScopedManager()
    # The center (the sender of the platform's notices) sees every delivery; a department head its
    # department's; everyone their own SMS.
    scope_policy = ScopePolicy(
        org_path="organization_path",
        see_all={Action.VIEW: CENTER_ROLES},
        own_org={Action.VIEW: frozenset({Role.DEPARTMENT_HEAD})},
        extra=_own_channel_deliveries,
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="notif_channel_due")]
        verbose_name = _("channel delivery")
        verbose_name_plural = _("channel deliveries")

    def __str__(self) -> str:
        return f"{self.channel} → {self.target} ({self.status})"


class ShortLink(models.Model):
    """A short address on the platform's own domain (/s/<code>) for a link in an SMS; it redirects to
    the platform page (a path, never another site)."""

    code = models.CharField(max_length=16, unique=True)
    path = models.CharField(max_length=300, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("short link")
        verbose_name_plural = _("short links")

    def __str__(self) -> str:
        return f"/s/{self.code} → {self.path}"
