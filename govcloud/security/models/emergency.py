"""Emergency plans and drills (Art. 5, 12, 17), major events and protection plans (Art. 12).

- A plan is center-wide (the center's, Art. 5) or for one important system (the department's or
  the provider's, Art. 12). Plans are versioned: a new version supersedes the current one and the
  history stays.
- A drill exercises one plan version; its findings become follow-up items with an owner, a due
  date and a status. A plan not drilled for Policy.DRILL_INTERVAL_MONTHS is overdue (Art. 17).
- Before each statutory holiday period (from the working-day calendar) and each major event the
  center enters, the provider files a protection plan (保障方案).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from govcloud.core.models import TimeStampedModel
from govcloud.core.roles import CENTER_ROLES, DEPARTMENT_ROLES, Role
from govcloud.core.scoping import Action, ScopedManager, ScopePolicy
from govcloud.security.models.exposure import FILERS

PROVIDER = frozenset({Role.PROVIDER_OPERATOR})
EMERGENCY_VIEWERS = CENTER_ROLES | PROVIDER


class PlanScope(models.TextChoices):
    CENTER_WIDE = "center_wide", _("Center-wide")
    SYSTEM = "system", _("Important system")


def _center_wide(path: str):
    """Center-wide plans and their drills are every department's business (Art. 6: departments
    take part in drills)."""

    def extra(user, action):
        return Q(**{path: PlanScope.CENTER_WIDE}) if action == Action.VIEW else None

    return extra


def _emergency_scope(org_path: str, plan_scope_path: str) -> ScopePolicy:
    return ScopePolicy(
        org_path=org_path,
        see_all={Action.VIEW: EMERGENCY_VIEWERS, Action.CHANGE: frozenset({Role.CENTER_ADMIN}) | PROVIDER},
        own_org={Action.VIEW: DEPARTMENT_ROLES, Action.CHANGE: FILERS},
        extra=_center_wide(plan_scope_path),
    )


class EmergencyPlan(TimeStampedModel):
    scope = models.CharField(_("scope"), max_length=16, choices=PlanScope.choices)
    # The center for a center-wide plan, the system's owner for a system plan.
    organization = models.ForeignKey(
        "organizations.Organization", verbose_name=_("organization"), on_delete=models.PROTECT, related_name="+"
    )
    system = models.ForeignKey(
        "systems.InformationSystem",
        verbose_name=_("information system"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="emergency_plans",
    )
    title = models.CharField(_("title"), max_length=200)
    current_version = models.ForeignKey(
        "security.EmergencyPlanVersion",
        verbose_name=_("current version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedManager()
    scope_policy = _emergency_scope("organization__path", "scope")

    class Meta:
        ordering = ["scope", "title"]
        verbose_name = _("emergency plan")
        verbose_name_plural = _("emergency plans")
        constraints = [
            models.CheckConstraint(
                condition=Q(scope="center_wide", system__isnull=True) | Q(scope="system", system__isnull=False),
                name="security_plan_scope_matches_system",
            ),
            models.UniqueConstraint(
                fields=["system"], condition=Q(system__isnull=False), name="security_one_plan_per_system"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class EmergencyPlanVersion(models.Model):
    plan = models.ForeignKey(EmergencyPlan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    content = models.TextField(_("content"))
    change_summary = models.CharField(_("what changed"), max_length=300, blank=True)
    effective_from = models.DateField(_("effective from"))
    attachment = models.ForeignKey(
        "security.Attachment",
        verbose_name=_("attachment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)

    objects = ScopedManager()
    scope_policy = _emergency_scope("plan__organization__path", "plan__scope")

    class Meta:
        ordering = ["plan", "-number"]
        verbose_name = _("emergency plan version")
        verbose_name_plural = _("emergency plan versions")
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="security_plan_version_once")]

    def __str__(self) -> str:
        return f"{self.plan} v{self.number}"


class EmergencyDrill(TimeStampedModel):
    organization = models.ForeignKey(
        "organizations.Organization", verbose_name=_("organization"), on_delete=models.PROTECT, related_name="+"
    )
    plan_version = models.ForeignKey(
        EmergencyPlanVersion, verbose_name=_("plan version"), on_delete=models.PROTECT, related_name="drills"
    )
    held_on = models.DateField(_("date"))
    scenario = models.TextField(_("scenario"))
    participants = models.TextField(_("participants"))
    findings = models.TextField(_("findings"), blank=True)
    report = models.ForeignKey(
        "security.Attachment",
        verbose_name=_("drill report"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedManager()
    scope_policy = _emergency_scope("organization__path", "plan_version__plan__scope")

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("emergency drill")
        verbose_name_plural = _("emergency drills")

    def __str__(self) -> str:
        return f"{self.held_on} {self.scenario[:60]}"


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class DrillFollowUp(TimeStampedModel):
    drill = models.ForeignKey(EmergencyDrill, on_delete=models.CASCADE, related_name="follow_ups")
    description = models.TextField(_("follow-up item"))
    owner = models.CharField(_("owner"), max_length=150)
    due_on = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=16, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = ScopedManager()
    scope_policy = _emergency_scope("drill__organization__path", "drill__plan_version__plan__scope")

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("drill follow-up item")
        verbose_name_plural = _("drill follow-up items")

    def __str__(self) -> str:
        return self.description[:80]

    @property
    def is_overdue(self) -> bool:
        return self.status == FollowUpStatus.OPEN and self.due_on < timezone.localdate()


MAJOR_EVENT_EDITORS = frozenset({Role.CENTER_ADMIN})


def _everyone(user, action):
    # Major events are platform-wide facts (like the calendar): every signed-in user sees them.
    return Q(pk__isnull=False) if action == Action.VIEW else None


class MajorEvent(TimeStampedModel):
    """An event needing heightened protection (a conference, an examination), entered by the center."""

    name = models.CharField(_("name"), max_length=200)
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"))
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedManager()
    scope_policy = ScopePolicy(org_path=None, own_org={}, see_all={Action.CHANGE: MAJOR_EVENT_EDITORS}, extra=_everyone)

    class Meta:
        ordering = ["starts_on", "id"]
        verbose_name = _("major event")
        verbose_name_plural = _("major events")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="security_event_ends_after_start")
        ]

    def __str__(self) -> str:
        return self.name


class OccasionKind(models.TextChoices):
    HOLIDAY = "holiday", _("Statutory holiday")
    MAJOR_EVENT = "major_event", _("Major event")


class ProtectionPlan(TimeStampedModel):
    """The provider's protection plan (保障方案) for one holiday period or major event."""

    occasion_kind = models.CharField(_("occasion"), max_length=16, choices=OccasionKind.choices)
    # "holiday:2025-10-01" or "event:<id>": one plan per occasion.
    occasion_key = models.CharField(max_length=40, unique=True)
    occasion_name = models.CharField(_("occasion name"), max_length=200)
    occasion_starts_on = models.DateField(_("occasion starts"))
    occasion_ends_on = models.DateField(_("occasion ends"))
    major_event = models.ForeignKey(
        MajorEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="protection_plans"
    )
    title = models.CharField(_("title"), max_length=200)
    content = models.TextField(_("content"))
    attachment = models.ForeignKey(
        "security.Attachment",
        verbose_name=_("attachment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedManager()
    scope_policy = ScopePolicy(
        org_path=None, own_org={}, see_all={Action.VIEW: EMERGENCY_VIEWERS, Action.CHANGE: PROVIDER}
    )

    class Meta:
        ordering = ["-occasion_starts_on", "-id"]
        verbose_name = _("protection plan")
        verbose_name_plural = _("protection plans")

    def __str__(self) -> str:
        return self.title
