"""The service desk (Art. 12, 13): incidents, their timeline, the duty roster and major-incident reports.

A department reports a fault (web form or API), provider staff log a phone call (the call's time
starts the clock), or monitoring and reconciliation open one automatically. The clocks run in real
time, 7×24: the response limit (Art. 12: 5 minutes) and the recovery target come from the incident's
severity, which the center defines (`IncidentSeverity`). An incident moves along INCIDENT_TRANSITIONS;
each move writes one audit event and one `IncidentEntry` of the timeline.

A department sees its own incidents (and its units'); the provider and the center see all.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from govcloud.core.models import TimeStampedModel
from govcloud.core.policy import Policy, policy_value
from govcloud.core.roles import CENTER_ROLES, DEPARTMENT_ROLES, Role
from govcloud.core.scoping import Action, ScopedManager, ScopePolicy

PROVIDER = frozenset({Role.PROVIDER_OPERATOR})
# Who works incidents (claims, answers, recovers): the provider's engineers and the center.
DESK = PROVIDER | CENTER_ROLES
# Who reports a fault for a department, and confirms or rates its handling.
REPORTERS = DEPARTMENT_ROLES
# Who defines the severities and their targets.
SEVERITY_EDITORS = frozenset({Role.CENTER_ADMIN})


class IncidentSeverity(models.Model):
    """A severity level as the center defines it (一般 / 较大 / 重大 / 特别重大), with its targets."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=40)
    rank = models.PositiveSmallIntegerField(_("rank"), unique=True, help_text=_("1 is the least severe."))
    definition = models.TextField(_("definition"), blank=True)
    is_major = models.BooleanField(
        _("major incident"), default=False, help_text=_("Major incidents need a written report the same day.")
    )
    # Empty: the platform's policy (Policy.INCIDENT_RESPONSE_MINUTES, Art. 12: 5 minutes).
    response_minutes = models.PositiveSmallIntegerField(_("response limit (minutes)"), null=True, blank=True)
    recovery_hours = models.PositiveSmallIntegerField(_("recovery target (hours)"))

    class Meta:
        ordering = ["rank"]
        verbose_name = _("incident severity")
        verbose_name_plural = _("incident severities")

    def __str__(self) -> str:
        return self.name

    @property
    def response_limit(self) -> timedelta:
        minutes = self.response_minutes or int(policy_value(Policy.INCIDENT_RESPONSE_MINUTES))
        return timedelta(minutes=minutes)

    @property
    def recovery_target(self) -> timedelta:
        return timedelta(hours=self.recovery_hours)


class Channel(models.TextChoices):
    WEB = "web", _("Web form")
    API = "api", _("API")
    PHONE = "phone", _("Phone call")
    MONITORING = "monitoring", _("Monitoring alert")
    RECONCILIATION = "reconciliation", _("Reconciliation finding")


class IncidentState(models.TextChoices):
    REPORTED = "reported", pgettext_lazy("incident", "Reported")
    RESPONDED = "responded", pgettext_lazy("incident", "Responded")
    IN_PROGRESS = "in_progress", pgettext_lazy("incident", "In progress")
    RECOVERED = "recovered", pgettext_lazy("incident", "Recovered")
    CLOSED = "closed", pgettext_lazy("incident", "Closed")
    MERGED = "merged", pgettext_lazy("incident", "Merged into another")


class IncidentAction(models.TextChoices):
    CLAIM = "claim", _("Claim and answer")
    START = "start", _("Start work")
    RECOVER = "recover", _("Mark recovered")
    CONFIRM = "confirm", _("Confirm recovery")
    REOPEN = "reopen", _("Reopen")
    MERGE = "merge", _("Merge into another incident")


S, A = IncidentState, IncidentAction
# Every allowed move, once: (from, action) → (to, who may do it).
INCIDENT_TRANSITIONS: dict[tuple[str, str], tuple[str, frozenset[Role]]] = {
    (S.REPORTED, A.CLAIM): (S.RESPONDED, DESK),
    (S.RESPONDED, A.START): (S.IN_PROGRESS, DESK),
    (S.RESPONDED, A.RECOVER): (S.RECOVERED, DESK),
    (S.IN_PROGRESS, A.RECOVER): (S.RECOVERED, DESK),
    (S.RECOVERED, A.CONFIRM): (S.CLOSED, REPORTERS),
    (S.RECOVERED, A.REOPEN): (S.IN_PROGRESS, REPORTERS),
    (S.REPORTED, A.MERGE): (S.MERGED, DESK),
    (S.RESPONDED, A.MERGE): (S.MERGED, DESK),
    (S.IN_PROGRESS, A.MERGE): (S.MERGED, DESK),
}
OPEN_STATES = frozenset({S.REPORTED, S.RESPONDED, S.IN_PROGRESS})
# The clock of recovery stops at recovery; these count as recovered for the figures.
DONE_STATES = frozenset({S.RECOVERED, S.CLOSED})

INCIDENT_SCOPE = ScopePolicy(
    org_path="organization__path",
    see_all={Action.VIEW: DESK, Action.CHANGE: DESK},
    own_org={Action.VIEW: DEPARTMENT_ROLES, Action.CHANGE: DEPARTMENT_ROLES},
)


class Incident(TimeStampedModel):
    number = models.CharField(_("incident number"), max_length=32, unique=True, null=True, blank=True)
    # Empty for a finding about a resource no department owns (the platform's own).
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    system = models.ForeignKey(
        "systems.InformationSystem",
        verbose_name=_("information system"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incidents",
    )
    resources = models.ManyToManyField(
        "ledger.Resource", verbose_name=_("affected resources"), blank=True, related_name="incidents"
    )
    title = models.CharField(_("title"), max_length=200)
    symptom = models.TextField(_("symptom"))
    severity = models.ForeignKey(
        IncidentSeverity, verbose_name=_("severity"), on_delete=models.PROTECT, related_name="incidents"
    )
    contact_name = models.CharField(_("contact"), max_length=60, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Who called, for a phone call logged by provider staff (the reporter is then who logged it).
    caller = models.CharField(_("caller"), max_length=100, blank=True)
    # Where an automatic incident came from ("reconciliation:12"); one open incident per source.
    source_key = models.CharField(_("source"), max_length=80, blank=True, db_index=True)
    # The clock starts here: the web report, the API call, the phone call, the alert.
    reported_at = models.DateTimeField(_("reported at"), db_index=True)
    response_due_at = models.DateTimeField(_("response due"), db_index=True)
    recovery_due_at = models.DateTimeField(_("recovery due"))
    state = models.CharField(
        _("state"), max_length=16, choices=IncidentState.choices, default=IncidentState.REPORTED, db_index=True
    )
    responder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responder"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    responded_in_time = models.BooleanField(_("responded within the limit"), null=True, blank=True)
    recovered_at = models.DateTimeField(_("recovered at"), null=True, blank=True)
    recovered_in_time = models.BooleanField(_("recovered within the target"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    workaround = models.TextField(_("workaround"), blank=True)
    root_cause = models.TextField(_("root cause"), blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    rating_comment = models.TextField(_("rating comment"), blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
    )
    # Escalations, once each, claimed by a conditional update (see services.incidents_escalate).
    backup_notified_at = models.DateTimeField(_("backup notified at"), null=True, blank=True)
    center_notified_at = models.DateTimeField(_("center notified at"), null=True, blank=True)
    report_warned_at = models.DateTimeField(_("missing report warned at"), null=True, blank=True)

    objects = ScopedManager()
    scope_policy = INCIDENT_SCOPE

    class Meta:
        ordering = ["-reported_at", "-id"]
        indexes = [models.Index(fields=["state", "response_due_at"], name="incident_open_by_due")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="incident_rating_1_to_5",
            )
        ]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")

    def __str__(self) -> str:
        return f"{self.number or self.pk} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def awaiting_response(self) -> bool:
        return self.state == IncidentState.REPORTED

    @property
    def response_breached(self) -> bool:
        if self.responded_at is not None:
            return not self.responded_in_time
        return self.state == IncidentState.REPORTED and timezone.now() > self.response_due_at

    @property
    def recovery_breached(self) -> bool:
        if self.recovered_at is not None:
            return not self.recovered_in_time
        return self.is_open and timezone.now() > self.recovery_due_at

    @property
    def next_due_at(self):
        """The deadline that counts now: the response while unanswered, then the recovery."""
        return self.response_due_at if self.state == IncidentState.REPORTED else self.recovery_due_at

    @property
    def seconds_left(self) -> int:
        return int((self.next_due_at - timezone.now()).total_seconds())

    @property
    def response_seconds(self) -> int | None:
        if self.responded_at is None:
            return None
        return int((self.responded_at - self.reported_at).total_seconds())


class EntryKind(models.TextChoices):
    REPORTED = "reported", _("Reported")
    MESSAGE = "message", _("Message")
    CLAIMED = "claimed", _("Claimed and answered")
    STARTED = "started", _("Work started")
    RECOVERED = "recovered", pgettext_lazy("incident", "Recovered")
    CONFIRMED = "confirmed", _("Recovery confirmed")
    REOPENED = "reopened", pgettext_lazy("incident", "Reopened")
    RATED = "rated", _("Rated")
    MERGED = "merged", _("Merged")
    DUPLICATE = "duplicate", _("Duplicate merged in")
    ESCALATED = "escalated", _("Escalated")
    UPDATED = "updated", _("Updated")
    REPORT_FILED = "report_filed", _("Incident report filed")
    FOLLOW_UP = "follow_up", _("Follow-up item")


class IncidentEntry(models.Model):
    """The incident's timeline: messages between the department and the provider, moves, who did what."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(_("kind"), max_length=16, choices=EntryKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(_("by"), max_length=150)
    text = models.TextField(_("text"), blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.actor_name}"


class FollowUpItem(models.Model):
    """A measure agreed after an incident, with who owns it and by when."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="follow_ups")
    description = models.CharField(_("description"), max_length=300)
    owner = models.CharField(_("owner"), max_length=100)
    due_on = models.DateField(_("due on"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("follow-up item")
        verbose_name_plural = _("follow-up items")

    def __str__(self) -> str:
        return self.description


class MajorIncidentReport(models.Model):
    """The written report of a major incident (Art. 12 (5): the same day)."""

    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="major_report")
    timeline = models.TextField(_("course of events"))
    impact = models.TextField(_("impact"))
    cause = models.TextField(_("cause"))
    measures = models.TextField(_("measures taken"))
    lessons = models.TextField(_("lessons learned"))
    submitted_at = models.DateTimeField(_("submitted at"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    on_time = models.BooleanField(_("on the same day"))

    class Meta:
        verbose_name = _("major incident report")
        verbose_name_plural = _("major incident reports")

    def __str__(self) -> str:
        return f"{self.incident}"


class DutyTeam(models.Model):
    """A provider team that keeps a duty roster (值班表)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("duty team")
        verbose_name_plural = _("duty teams")

    def __str__(self) -> str:
        return self.name


class DutyShift(models.Model):
    """Who is on duty for a team from `starts_at` to `ends_at`: the primary engineer answers, the
    backup is called when the primary does not."""

    team = models.ForeignKey(DutyTeam, verbose_name=_("duty team"), on_delete=models.CASCADE, related_name="shifts")
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"), db_index=True)
    primary = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("primary engineer"), on_delete=models.PROTECT, related_name="+"
    )
    backup = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("backup engineer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["starts_at", "team"]
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty shifts")
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="shift_ends_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.team} {self.starts_at:%Y-%m-%d %H:%M}"


class IncidentAttachment(models.Model):
    """A screenshot or document attached to a report or a message (PDF, PNG, JPEG: core/uploads.py),
    kept outside the web root; reached only through its incident, every download audited."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="attachments")
    entry = models.ForeignKey(
        IncidentEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=40)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sm3 = models.CharField(_("SM3 digest"), max_length=64)
    # Relative to settings.PRIVATE_MEDIA_ROOT.
    stored_path = models.CharField(max_length=300, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "original_name"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name
