"""Security notices (安全通报) and their rectification (Art. 16, 17).

The center issues a notice about a vulnerability or a security event to one or more departments,
with the measures it requires and a rectification deadline in working days. Each addressed
department gets its own rectification record (`NoticeRectification`), which moves along
RECTIFICATION_TRANSITIONS: the department reads it and answers with a rectification report (整改报告)
and its evidence; the center accepts the report or returns it with a reason, and a returned record
goes back to the department. Every report stays (`RectificationReport`, one per submission), and
`NoticeEvent` is the record's readable timeline.

A department sees the notices addressed to it and its own records only — never which other
departments received the same notice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from govcloud.core.actors import actor_roles
from govcloud.core.models import TimeStampedModel
from govcloud.core.roles import CENTER_ROLES, DEPARTMENT_ROLES, Role
from govcloud.core.scoping import Action, ScopedManager, ScopePolicy
from govcloud.organizations.models import OrganizationKind

# The center issues notices and decides on the reports.
NOTICE_ISSUERS = CENTER_ROLES
# The department's people responsible for security answer (Art. 16: a dedicated person for security).
NOTICE_RESPONDERS = frozenset({Role.DEPARTMENT_HEAD, Role.DEPARTMENT_SECURITY_OFFICER})
# The organizations a notice may be addressed to (those that use the platform).
TENANT_KINDS = (OrganizationKind.DEPARTMENT, OrganizationKind.FINANCE)
MAX_WORKING_DAYS = 60
MAX_EVIDENCE_FILES = 10


class NoticeKind(models.TextChoices):
    VULNERABILITY = "vulnerability", _("Vulnerability")
    EVENT = "event", _("Security event")
    RISK = "risk", _("Security risk")


class NoticeSeverity(models.TextChoices):
    LOW = "low", pgettext_lazy("security notice severity", "Low")
    MEDIUM = "medium", pgettext_lazy("security notice severity", "Medium")
    HIGH = "high", pgettext_lazy("security notice severity", "High")
    CRITICAL = "critical", pgettext_lazy("security notice severity", "Critical")


class RectificationStatus(models.TextChoices):
    ISSUED = "issued", pgettext_lazy("rectification", "Issued")
    READ = "read", pgettext_lazy("rectification", "Read")
    SUBMITTED = "submitted", _("Report submitted")
    RETURNED = "returned", pgettext_lazy("rectification", "Returned")
    ACCEPTED = "accepted", pgettext_lazy("rectification", "Accepted")
    CANCELLED = "cancelled", pgettext_lazy("rectification", "Cancelled")


class RectificationAction(models.TextChoices):
    READ = "read", _("Mark as read")
    SUBMIT = "submit", _("Submit the report")
    ACCEPT = "accept", pgettext_lazy("rectification", "Accept")
    RETURN = "return", pgettext_lazy("rectification", "Return")
    CANCEL = "cancel", _("Cancel")


S, A = RectificationStatus, RectificationAction
# Every allowed move of a rectification record, once: (from, action) → (to, who may do it). A
# department may answer without first opening the record (submitting reads it); the center may
# withdraw a record addressed by mistake at any point before it is accepted.
RECTIFICATION_TRANSITIONS: dict[tuple[str, str], tuple[str, frozenset[Role]]] = {
    (S.ISSUED, A.READ): (S.READ, NOTICE_RESPONDERS),
    (S.ISSUED, A.SUBMIT): (S.SUBMITTED, NOTICE_RESPONDERS),
    (S.READ, A.SUBMIT): (S.SUBMITTED, NOTICE_RESPONDERS),
    (S.RETURNED, A.SUBMIT): (S.SUBMITTED, NOTICE_RESPONDERS),
    (S.SUBMITTED, A.ACCEPT): (S.ACCEPTED, NOTICE_ISSUERS),
    (S.SUBMITTED, A.RETURN): (S.RETURNED, NOTICE_ISSUERS),
    (S.ISSUED, A.CANCEL): (S.CANCELLED, NOTICE_ISSUERS),
    (S.READ, A.CANCEL): (S.CANCELLED, NOTICE_ISSUERS),
    (S.SUBMITTED, A.CANCEL): (S.CANCELLED, NOTICE_ISSUERS),
    (S.RETURNED, A.CANCEL): (S.CANCELLED, NOTICE_ISSUERS),
}
# The department still owes a report: these records are overdue once the deadline passes.
AWAITING_DEPARTMENT = frozenset({S.ISSUED, S.READ, S.RETURNED})
CLOSED = frozenset({S.ACCEPTED, S.CANCELLED})


def _addressed_to_my_department(user, action):
    """A department user sees the notices addressed to their organization (or its units)."""
    if action != Action.VIEW or not actor_roles(user) & DEPARTMENT_ROLES:
        return None
    org = getattr(user, "organization", None)
    if org is None or not org.path:
        return None
    # A subquery, not a join: a notice addressed to a department and its unit is listed once.
    mine = NoticeRectification.objects.filter(organization__path__startswith=org.path).values("notice_id")
    return Q(pk__in=mine)


class SecurityNotice(TimeStampedModel):
    """A security notice as the center issued it; what each department did is on its record."""

    number = models.CharField(_("notice number"), max_length=32, unique=True, null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=NoticeKind.choices)
    severity = models.CharField(_("severity"), max_length=16, choices=NoticeSeverity.choices, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    required_measures = models.TextField(_("required measures"))
    attachment = models.ForeignKey(
        "security.Attachment",
        verbose_name=_("attachment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    working_days = models.PositiveSmallIntegerField(_("working days to rectify"))
    issued_at = models.DateTimeField(pgettext_lazy("security notice", "issued at"))
    # The close of office hours on the last working day (govcloud/workdays).
    due_at = models.DateTimeField(_("rectification deadline"), db_index=True)
    # True when the deadline depends on a year whose holiday notice is not announced yet.
    due_provisional = models.BooleanField(_("provisional deadline"), default=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedManager()
    scope_policy = ScopePolicy(
        org_path=None,
        own_org={},
        see_all={Action.VIEW: NOTICE_ISSUERS, Action.CHANGE: NOTICE_ISSUERS},
        extra=_addressed_to_my_department,
    )

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("security notice")
        verbose_name_plural = _("security notices")

    def __str__(self) -> str:
        return f"{self.number or self.pk} {self.title}"


class NoticeRectification(TimeStampedModel):
    """One addressed department's rectification of a notice."""

    notice = models.ForeignKey(SecurityNotice, on_delete=models.CASCADE, related_name="rectifications")
    organization = models.ForeignKey(
        "organizations.Organization", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    # The department's registered systems the notice concerns (none: the department as a whole).
    systems = models.ManyToManyField(
        "systems.InformationSystem",
        verbose_name=pgettext_lazy("security", "affected systems"),
        blank=True,
        related_name="notice_rectifications",
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=RectificationStatus.choices,
        default=RectificationStatus.ISSUED,
        db_index=True,
    )
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("report submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(pgettext_lazy("rectification", "decided at"), null=True, blank=True)
    decision_comment = models.TextField(pgettext_lazy("rectification", "decision comment"), blank=True)
    # When the sweep warned the department of the coming deadline, and escalated the overdue
    # record to the center and the department head: once each, claimed by a conditional update.
    warned_at = models.DateTimeField(_("warned at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    objects = ScopedManager()
    scope_policy = ScopePolicy(
        org_path="organization__path",
        see_all={Action.VIEW: NOTICE_ISSUERS, Action.CHANGE: NOTICE_ISSUERS},
        own_org={Action.VIEW: DEPARTMENT_ROLES, Action.CHANGE: NOTICE_RESPONDERS},
    )

    class Meta:
        ordering = ["notice", "organization__path"]
        verbose_name = _("rectification record")
        verbose_name_plural = _("rectification records")
        constraints = [
            models.UniqueConstraint(fields=["notice", "organization"], name="security_notice_once_per_department")
        ]

    def __str__(self) -> str:
        return f"{self.notice} · {self.organization}"

    @property
    def awaits_department(self) -> bool:
        return self.status in AWAITING_DEPARTMENT

    @property
    def is_overdue(self) -> bool:
        return self.awaits_department and self.notice.due_at <= timezone.now()


class ReportDecision(models.TextChoices):
    ACCEPTED = "accepted", pgettext_lazy("rectification", "Accepted")
    RETURNED = "returned", pgettext_lazy("rectification", "Returned")


class RectificationReport(models.Model):
    """One rectification report (整改报告) as the department submitted it; never changed after,
    except for the center's decision on it."""

    rectification = models.ForeignKey(NoticeRectification, on_delete=models.CASCADE, related_name="reports")
    number = models.PositiveSmallIntegerField(_("submission"))
    measures = models.TextField(_("measures taken"))
    result = models.TextField(pgettext_lazy("rectification", "result"))
    evidence = models.ManyToManyField(
        "security.Attachment",
        verbose_name=pgettext_lazy("rectification", "evidence"),
        blank=True,
        related_name="rectification_reports",
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    on_time = models.BooleanField(_("before the deadline"))
    decision = models.CharField(_("decision"), max_length=16, choices=ReportDecision.choices, blank=True)
    decided_at = models.DateTimeField(pgettext_lazy("rectification", "decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_comment = models.TextField(pgettext_lazy("rectification", "decision comment"), blank=True)

    objects = ScopedManager()
    scope_policy = ScopePolicy(
        org_path="rectification__organization__path",
        see_all=NoticeRectification.scope_policy.see_all,
        own_org=NoticeRectification.scope_policy.own_org,
    )

    class Meta:
        ordering = ["rectification", "number"]
        verbose_name = _("rectification report")
        verbose_name_plural = _("rectification reports")
        constraints = [models.UniqueConstraint(fields=["rectification", "number"], name="security_report_number_once")]

    def __str__(self) -> str:
        return f"{self.rectification_id} #{self.number}"


class NoticeEventKind(models.TextChoices):
    ISSUED = "issued", _("Notice issued")
    READ = "read", _("Read by the department")
    SUBMITTED = "submitted", _("Rectification report submitted")
    ACCEPTED = "accepted", _("Rectification accepted")
    RETURNED = "returned", _("Rectification report returned")
    CANCELLED = "cancelled", _("Notice withdrawn for this department")
    WARNED = "warned", _("Deadline warning sent")
    ESCALATED = "escalated", _("Overdue: escalated to the center")


class NoticeEvent(models.Model):
    """The rectification record's timeline, as people read it."""

    rectification = models.ForeignKey(NoticeRectification, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("action"), max_length=16, choices=NoticeEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(_("by"), max_length=150)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.actor_name}"
