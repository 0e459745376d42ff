"""Information systems (Art. 3, 6, 11, 16): the registry of what runs where, at which protection
level, and who is responsible for it; the MLPS record (grading and filing, assessments,
rectification) that gates go-live (Art. 11); and the migration exemption workflow (Art. 3)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from govcloud.core.actors import actor_roles
from govcloud.core.fields import EncryptedTextField
from govcloud.core.models import TimeStampedModel
from govcloud.core.roles import CENTER_ROLES, Role
from govcloud.core.scoping import Action, ScopedManager, ScopePolicy


class HostingStatus(models.TextChoices):
    ON_PLATFORM = "on_platform", _("On the platform")
    OWN_ROOM = "own_room", _("In the department's own machine room")
    MIGRATING = "migrating", _("Migrating")
    EXEMPTED = "exempted", _("Exempted from migration")


# Who sees the registry beyond the owning department: the center (all), the provider (it hosts and
# operates the systems), the leading group (it decides exemptions). Experts see the systems whose
# exemption they review (see `_assigned_system_ids`).
SYSTEM_VIEWERS = CENTER_ROLES | {Role.PROVIDER_OPERATOR, Role.LEADING_GROUP}
# Department roles that may change their own systems.
SYSTEM_EDITORS = frozenset({Role.DEPARTMENT_APPLICANT, Role.DEPARTMENT_HEAD, Role.DEPARTMENT_SECURITY_OFFICER})
# Who may write the registry and the MLPS record at all: the department's people for their own
# systems, the center administrator for any.
REGISTRY_WRITERS = SYSTEM_EDITORS | {Role.CENTER_ADMIN}


def _assigned_system_ids(user, action: str):
    """For an expert: the ids of systems whose exemption request they were assigned to review."""
    if action != Action.VIEW or Role.EXPERT not in actor_roles(user):
        return None
    return ExpertAssignment.objects.filter(expert=user).values("exemption__system_id")


def _expert_systems(user, action: str) -> Q | None:
    ids = _assigned_system_ids(user, action)
    # A subquery, not a join, so that a system reviewed twice (a renewal) is listed once.
    return None if ids is None else Q(pk__in=ids)


def _expert_system_children(user, action: str) -> Q | None:
    ids = _assigned_system_ids(user, action)
    return None if ids is None else Q(system_id__in=ids)


SYSTEM_SCOPE = ScopePolicy(
    org_path="organization__path",
    see_all={Action.VIEW: SYSTEM_VIEWERS, Action.CHANGE: frozenset({Role.CENTER_ADMIN})},
    own_org={Action.VIEW: SYSTEM_EDITORS, Action.CHANGE: SYSTEM_EDITORS},
    extra=_expert_systems,
)
# The MLPS record and attachments belong to their system: the same people see and change them.
SYSTEM_CHILD_SCOPE = ScopePolicy(
    org_path="system__organization__path",
    see_all=SYSTEM_SCOPE.see_all,
    own_org=SYSTEM_SCOPE.own_org,
    extra=_expert_system_children,
)


class InformationSystem(TimeStampedModel):
    """A department's information system. A classified (涉密) system is recorded by name and flag
    only: every other field stays empty for it, by law (Art. 3)."""

    organization = models.ForeignKey(
        "organizations.Organization", verbose_name=_("owning unit"), on_delete=models.PROTECT, related_name="systems"
    )
    name = models.CharField(_("name"), max_length=200)
    classified = models.BooleanField(_("classified (涉密)"), default=False)
    purpose = models.TextField(_("purpose"), blank=True)
    hosting_status = models.CharField(_("hosting status"), max_length=20, choices=HostingStatus.choices, blank=True)
    planned_migration_date = models.DateField(_("planned migration date"), null=True, blank=True)
    users_served = models.CharField(_("users served"), max_length=200, blank=True)
    internet_facing = models.BooleanField(_("internet-facing"), default=False)
    holds_personal_information = models.BooleanField(_("holds personal information"), default=False)
    holds_important_data = models.BooleanField(_("holds important data"), default=False)
    protection_level = models.PositiveSmallIntegerField(
        _("protection level"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = ScopedManager()
    scope_policy = SYSTEM_SCOPE

    class Meta:
        ordering = ["organization__path", "name"]
        verbose_name = _("information system")
        verbose_name_plural = _("information systems")
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="systems_name_once_per_org"),
            # 涉密: nothing but the name and the flag is ever stored for a classified system.
            models.CheckConstraint(
                condition=models.Q(classified=False)
                | models.Q(
                    purpose="",
                    hosting_status="",
                    planned_migration_date__isnull=True,
                    users_served="",
                    internet_facing=False,
                    holds_personal_information=False,
                    holds_important_data=False,
                    protection_level__isnull=True,
                ),
                name="systems_classified_holds_nothing",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ResponsibleDuty(models.TextChoices):
    """The three dedicated people Art. 16 requires for each system."""

    SYSTEM_MANAGER = "system_manager", _("System manager")
    SECURITY_CONFIDENTIALITY = "security_confidentiality", _("Security and confidentiality")
    SECURITY_AUDITOR = "security_auditor", _("Security auditor")


class ResponsiblePerson(models.Model):
    system = models.ForeignKey(InformationSystem, on_delete=models.CASCADE, related_name="responsible_people")
    duty = models.CharField(_("duty"), max_length=30, choices=ResponsibleDuty.choices)
    name = models.CharField(_("name"), max_length=60)
    phone = EncryptedTextField(_("phone"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["system", "duty"], name="systems_one_person_per_duty")]
        ordering = ["duty"]

    def __str__(self) -> str:
        return f"{self.get_duty_display()}: {self.name}"


# --- MLPS (等级保护, Art. 11) ------------------------------------------------------------------------

_LEVEL_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


class MlpsFiling(TimeStampedModel):
    """Grading and filing (定级备案): the public security organ's filing of the system's protection
    level. The latest filing counts; a regraded system files again."""

    system = models.ForeignKey(InformationSystem, on_delete=models.PROTECT, related_name="filings")
    protection_level = models.PositiveSmallIntegerField(_("protection level"), validators=_LEVEL_VALIDATORS)
    filing_number = models.CharField(_("filing number"), max_length=64)
    filed_on = models.DateField(_("filing date"))
    filing_authority = models.CharField(_("filing authority"), max_length=120)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = ScopedManager()
    scope_policy = SYSTEM_CHILD_SCOPE

    class Meta:
        ordering = ["-filed_on", "-id"]
        verbose_name = _("grading filing")
        verbose_name_plural = _("grading filings")
        constraints = [
            models.UniqueConstraint(fields=["system", "filing_number"], name="systems_filing_number_once"),
            models.CheckConstraint(
                condition=Q(protection_level__gte=1, protection_level__lte=5), name="systems_filing_level_1_5"
            ),
        ]

    def __str__(self) -> str:
        return self.filing_number


class AssessmentConclusion(models.TextChoices):
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")


class MlpsAssessment(TimeStampedModel):
    """An MLPS assessment (测评) by an assessing body. `next_due_on` is computed from the policy in
    force when it was recorded (level 3+: every ASSESSMENT_MONTHS_LEVEL3 months, level 2: every
    ASSESSMENT_MONTHS_LEVEL2 months; level 1: none required)."""

    system = models.ForeignKey(InformationSystem, on_delete=models.PROTECT, related_name="assessments")
    protection_level = models.PositiveSmallIntegerField(_("protection level"), validators=_LEVEL_VALIDATORS)
    assessing_body = models.CharField(_("assessing body"), max_length=120)
    assessed_on = models.DateField(_("assessment date"))
    report_number = models.CharField(_("report number"), max_length=64, blank=True)
    score = models.DecimalField(
        _("score"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    conclusion = models.CharField(_("conclusion"), max_length=8, choices=AssessmentConclusion.choices)
    next_due_on = models.DateField(_("next assessment due"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = ScopedManager()
    scope_policy = SYSTEM_CHILD_SCOPE

    class Meta:
        ordering = ["-assessed_on", "-id"]
        verbose_name = _("MLPS assessment")
        verbose_name_plural = _("MLPS assessments")
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=0, score__lte=100), name="systems_assessment_score_0_100"),
            models.CheckConstraint(
                condition=Q(protection_level__gte=1, protection_level__lte=5), name="systems_assessment_level_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessing_body} {self.assessed_on:%Y-%m-%d}"


class RectificationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class Rectification(TimeStampedModel):
    """A rectification item (整改), usually a finding of an assessment."""

    system = models.ForeignKey(InformationSystem, on_delete=models.PROTECT, related_name="rectifications")
    assessment = models.ForeignKey(
        MlpsAssessment,
        verbose_name=_("from assessment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rectifications",
    )
    description = models.TextField(_("description"))
    owner = models.CharField(_("owner"), max_length=60)
    due_on = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=8, choices=RectificationStatus.choices, default=RectificationStatus.OPEN
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closing_note = models.TextField(_("how it was resolved"), blank=True)

    objects = ScopedManager()
    scope_policy = SYSTEM_CHILD_SCOPE

    class Meta:
        ordering = ["status", "due_on", "id"]
        verbose_name = _("rectification item")
        verbose_name_plural = _("rectification items")
        constraints = [
            models.CheckConstraint(
                condition=Q(status=RectificationStatus.OPEN, closed_on__isnull=True)
                | Q(status=RectificationStatus.DONE, closed_on__isnull=False),
                name="systems_rectification_closed_when_done",
            )
        ]

    def __str__(self) -> str:
        return self.description[:60]


# --- Migration exemptions (暂缓迁移, Art. 3) ---------------------------------------------------------


class ExemptionState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted to the center")
    EXPERT_REVIEW = "expert_review", _("Expert review")
    LEADING_GROUP_REVIEW = "leading_group_review", _("Awaiting the leading group")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Expired")
    SUPERSEDED = "superseded", _("Renewed")


# A system has at most one request in progress.
OPEN_EXEMPTION_STATES = frozenset(
    {
        ExemptionState.DRAFT,
        ExemptionState.SUBMITTED,
        ExemptionState.EXPERT_REVIEW,
        ExemptionState.LEADING_GROUP_REVIEW,
    }
)
# Decided requests: their votes are no longer secret to the department.
DECIDED_EXEMPTION_STATES = frozenset(
    {ExemptionState.APPROVED, ExemptionState.REJECTED, ExemptionState.EXPIRED, ExemptionState.SUPERSEDED}
)
# What the leading group sees: what awaits it and what it decided.
LEADING_GROUP_STATES = DECIDED_EXEMPTION_STATES | {ExemptionState.LEADING_GROUP_REVIEW}


def _exemption_extra(user, action: str) -> Q | None:
    if action != Action.VIEW:
        return None
    roles = actor_roles(user)
    q = None
    if Role.EXPERT in roles:
        q = Q(pk__in=ExpertAssignment.objects.filter(expert=user).values("exemption_id"))
    if Role.LEADING_GROUP in roles:
        lg = Q(state__in=sorted(LEADING_GROUP_STATES))
        q = lg if q is None else q | lg
    return q


def _exemption_child_extra(user, action: str) -> Q | None:
    q = _exemption_extra(user, action)
    return None if q is None else Q(exemption_id__in=MigrationExemption.objects.filter(q).values("pk"))


EXEMPTION_SCOPE = ScopePolicy(
    org_path="system__organization__path",
    see_all={Action.VIEW: CENTER_ROLES, Action.CHANGE: frozenset({Role.CENTER_ADMIN})},
    own_org={Action.VIEW: SYSTEM_EDITORS, Action.CHANGE: SYSTEM_EDITORS},
    extra=_exemption_extra,
)


class MigrationExemption(TimeStampedModel):
    """A department's request not to migrate a system (Art. 3): the center organizes an expert
    review, the leading group decides; an approval is valid for EXEMPTION_VALID_MONTHS months."""

    system = models.ForeignKey(InformationSystem, on_delete=models.PROTECT, related_name="exemptions")
    state = models.CharField(_("state"), max_length=24, choices=ExemptionState.choices, default=ExemptionState.DRAFT)
    reasons = models.TextField(_("reasons the system cannot migrate"))
    renewal_of = models.ForeignKey(
        "self",
        verbose_name=_("renews"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="renewals",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("requested by")
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    review_due_at = models.DateTimeField(_("expert votes due"), null=True, blank=True)
    review_due_provisional = models.BooleanField(default=False)
    forwarded_at = models.DateTimeField(_("forwarded at"), null=True, blank=True)
    decision_due_at = models.DateTimeField(_("decision due"), null=True, blank=True)
    decision_due_provisional = models.BooleanField(default=False)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("decided by")
    )
    decision_comment = models.TextField(_("decision"), blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    objects = ScopedManager()
    scope_policy = EXEMPTION_SCOPE

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("migration exemption")
        verbose_name_plural = _("migration exemptions")
        constraints = [
            # One request in progress per system, even if two people submit at the same moment.
            models.UniqueConstraint(
                fields=["system"],
                condition=Q(state__in=sorted(OPEN_EXEMPTION_STATES)),
                name="systems_one_open_exemption",
            ),
            models.UniqueConstraint(
                fields=["system"], condition=Q(state=ExemptionState.APPROVED), name="systems_one_approved_exemption"
            ),
            models.CheckConstraint(
                condition=~Q(state=ExemptionState.APPROVED) | Q(valid_from__isnull=False, valid_until__isnull=False),
                name="systems_approved_exemption_has_validity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.system} #{self.pk}"


class Vote(models.TextChoices):
    APPROVE = "approve", pgettext_lazy("expert vote", "Approve")
    REJECT = "reject", pgettext_lazy("expert vote", "Reject")


class ExpertAssignment(models.Model):
    """An expert assigned to review a request, with their vote and opinion once given."""

    exemption = models.ForeignKey(MigrationExemption, on_delete=models.CASCADE, related_name="assignments")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="exemption_reviews")
    assigned_at = models.DateTimeField(_("assigned at"), auto_now_add=True)
    vote = models.CharField(_("vote"), max_length=8, choices=Vote.choices, blank=True)
    opinion = models.TextField(_("opinion"), blank=True)
    voted_at = models.DateTimeField(_("voted at"), null=True, blank=True)

    objects = ScopedManager()
    scope_policy = ScopePolicy(
        org_path="exemption__system__organization__path",
        see_all=EXEMPTION_SCOPE.see_all,
        own_org=EXEMPTION_SCOPE.own_org,
        extra=_exemption_child_extra,
    )

    class Meta:
        ordering = ["assigned_at", "id"]
        verbose_name = _("expert assignment")
        verbose_name_plural = _("expert assignments")
        constraints = [
            models.UniqueConstraint(fields=["exemption", "expert"], name="systems_expert_once_per_exemption"),
            models.CheckConstraint(
                condition=Q(vote="", voted_at__isnull=True) | (~Q(vote="") & Q(voted_at__isnull=False)),
                name="systems_vote_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.expert} → {self.exemption_id}"


class ExemptionAction(models.TextChoices):
    CREATE = "create", _("Created")
    SUBMIT = "submit", _("Submitted")
    WITHDRAW = "withdraw", _("Withdrawn")
    RETURN = "return", _("Returned for correction")
    ASSIGN_EXPERTS = "assign_experts", _("Experts assigned")
    VOTE = "vote", _("Expert voted")
    FORWARD = "forward", _("Forwarded to the leading group")
    APPROVE = "approve", _("Approved by the leading group")
    REJECT = "reject", _("Rejected by the leading group")
    EXPIRE = "expire", _("Expired")
    SUPERSEDE = "supersede", _("Replaced by a renewal")


class ExemptionEvent(models.Model):
    """The request's readable timeline: who did what, when, with which comment."""

    exemption = models.ForeignKey(MigrationExemption, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(_("by"), max_length=150)
    action = models.CharField(_("action"), max_length=20, choices=ExemptionAction.choices)
    from_state = models.CharField(
        pgettext_lazy("state change", "from"), max_length=24, choices=ExemptionState.choices, blank=True
    )
    to_state = models.CharField(pgettext_lazy("state change", "to"), max_length=24, choices=ExemptionState.choices)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    objects = ScopedManager()
    scope_policy = ScopePolicy(
        org_path="exemption__system__organization__path",
        see_all=EXEMPTION_SCOPE.see_all,
        own_org=EXEMPTION_SCOPE.own_org,
        extra=_exemption_child_extra,
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("exemption event")
        verbose_name_plural = _("exemption events")

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.actor_name})"


# --- Attachments ---------------------------------------------------------------------------------


class AttachmentKind(models.TextChoices):
    FILING_CERTIFICATE = "filing_certificate", _("Filing certificate")
    ASSESSMENT_REPORT = "assessment_report", _("Assessment report")
    EXEMPTION_EVIDENCE = "exemption_evidence", _("Exemption evidence")


class SystemAttachment(models.Model):
    """A PDF or image kept outside the web root (settings.PRIVATE_MEDIA_ROOT) under a random name;
    served only through an audited view. It belongs to one record of one system."""

    system = models.ForeignKey(InformationSystem, on_delete=models.PROTECT, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=24, choices=AttachmentKind.choices)
    filing = models.ForeignKey(MlpsFiling, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments")
    assessment = models.ForeignKey(
        MlpsAssessment, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    exemption = models.ForeignKey(
        MigrationExemption, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    original_name = models.CharField(_("file name"), max_length=200)
    # Relative to settings.PRIVATE_MEDIA_ROOT.
    stored_path = models.CharField(max_length=300, editable=False)
    content_type = models.CharField(_("type"), max_length=40)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sm3 = models.CharField(_("SM3 digest"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = ScopedManager()
    scope_policy = SYSTEM_CHILD_SCOPE

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [
            # Exactly the record its kind names.
            models.CheckConstraint(
                condition=Q(
                    kind=AttachmentKind.FILING_CERTIFICATE,
                    filing__isnull=False,
                    assessment__isnull=True,
                    exemption__isnull=True,
                )
                | Q(
                    kind=AttachmentKind.ASSESSMENT_REPORT,
                    filing__isnull=True,
                    assessment__isnull=False,
                    exemption__isnull=True,
                )
                | Q(
                    kind=AttachmentKind.EXEMPTION_EVIDENCE,
                    filing__isnull=True,
                    assessment__isnull=True,
                    exemption__isnull=False,
                ),
                name="systems_attachment_one_target",
            )
        ]

    def __str__(self) -> str:
        return self.original_name
