"""Maintenance windows (维护窗口, Art. 12) and their timeline.

A window moves along WINDOW_TRANSITIONS: the provider drafts and submits it, the center approves it
or returns it with a reason (a returned window is corrected and submitted again), the periodic job
starts it at its start time and completes it at its end (the provider may complete it earlier), and
it may be cancelled before it starts. `AffectedDepartment` lists the departments a window concerns:
the owners of its resources (only those resources are affected) and the departments chosen as a
whole (every resource of theirs is). A platform-wide window concerns every department.

A department sees a window once it is approved, and only if it concerns the department (or is
platform-wide); the center and the provider see every window.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from govcloud.core.actors import actor_roles
from govcloud.core.models import TimeStampedModel
from govcloud.core.roles import CENTER_ROLES, DEPARTMENT_ROLES, Role
from govcloud.core.scoping import Action, ScopedManager, ScopePolicy
from govcloud.organizations.models import OrganizationKind

# The provider schedules and carries out maintenance; the center approves it.
PLANNERS = frozenset({Role.PROVIDER_OPERATOR})
APPROVERS = CENTER_ROLES
# The organizations a window may concern (those that use the platform).
TENANT_KINDS = (OrganizationKind.DEPARTMENT, OrganizationKind.FINANCE)
MAX_RESOURCES = 500


class WindowKind(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("maintenance", "Planned")
    EMERGENCY = "emergency", pgettext_lazy("maintenance", "Emergency")


class WindowState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("maintenance", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("maintenance", "Awaiting approval")
    APPROVED = "approved", pgettext_lazy("maintenance", "Approved")
    RETURNED = "returned", pgettext_lazy("maintenance", "Returned")
    IN_PROGRESS = "in_progress", pgettext_lazy("maintenance", "In progress")
    COMPLETED = "completed", pgettext_lazy("maintenance", "Completed")
    CANCELLED = "cancelled", pgettext_lazy("maintenance", "Cancelled")


class WindowAction(models.TextChoices):
    SUBMIT = "submit", pgettext_lazy("maintenance", "Submit for approval")
    APPROVE = "approve", pgettext_lazy("maintenance", "Approve")
    RETURN = "return", pgettext_lazy("maintenance", "Return")
    START = "start", pgettext_lazy("maintenance", "Start")
    COMPLETE = "complete", pgettext_lazy("maintenance", "Complete")
    CANCEL = "cancel", pgettext_lazy("maintenance", "Cancel")


S, A = WindowState, WindowAction
# Every allowed move, once: (from, action) → (to, who may do it). The periodic job (SYSTEM) starts
# and completes windows by the clock; the provider may also start one at its start time and
# complete it early. Either side may cancel a window before it starts.
WINDOW_TRANSITIONS: dict[tuple[str, str], tuple[str, frozenset[Role]]] = {
    (S.DRAFT, A.SUBMIT): (S.SUBMITTED, PLANNERS),
    (S.RETURNED, A.SUBMIT): (S.SUBMITTED, PLANNERS),
    (S.SUBMITTED, A.APPROVE): (S.APPROVED, APPROVERS),
    (S.SUBMITTED, A.RETURN): (S.RETURNED, APPROVERS),
    (S.APPROVED, A.START): (S.IN_PROGRESS, PLANNERS),
    (S.IN_PROGRESS, A.COMPLETE): (S.COMPLETED, PLANNERS),
    (S.DRAFT, A.CANCEL): (S.CANCELLED, PLANNERS),
    (S.SUBMITTED, A.CANCEL): (S.CANCELLED, PLANNERS | APPROVERS),
    (S.RETURNED, A.CANCEL): (S.CANCELLED, PLANNERS | APPROVERS),
    (S.APPROVED, A.CANCEL): (S.CANCELLED, PLANNERS | APPROVERS),
}
# The provider may still change what it drafted or what came back.
EDITABLE = frozenset({S.DRAFT, S.RETURNED})
# Approved and not cancelled: the window counts as planned maintenance (see selectors.in_maintenance).
PLANNED_STATES = frozenset({S.APPROVED, S.IN_PROGRESS, S.COMPLETED})
# Still ahead or running.
OPEN_STATES = frozenset({S.DRAFT, S.SUBMITTED, S.RETURNED, S.APPROVED, S.IN_PROGRESS})


def ancestor_paths(path: str) -> list[str]:
    """The materialized paths of an organization and of every organization above it
    ("/1/4/17/" → ["/1/", "/1/4/", "/1/4/17/"])."""
    parts = [p for p in (path or "").split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def _concerns_my_department(user, action):
    """A department user sees the approved windows that concern their organization — listed
    directly, through a unit of theirs, or through a department above them — or the whole platform."""
    if action != Action.VIEW or not actor_roles(user) & DEPARTMENT_ROLES:
        return None
    org = getattr(user, "organization", None)
    if org is None or not org.path:
        return None
    mine = AffectedDepartment.objects.filter(
        Q(organization__path__startswith=org.path) | Q(organization__path__in=ancestor_paths(org.path))
    ).values("window_id")
    return Q(approved_at__isnull=False) & (Q(platform_wide=True) | Q(pk__in=mine))


class MaintenanceWindow(TimeStampedModel):
    """One maintenance the provider schedules (Art. 12)."""

    number = models.CharField(_("window number"), max_length=32, unique=True, null=True, blank=True)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=WindowKind.choices, default=WindowKind.PLANNED)
    state = models.CharField(
        _("state"), max_length=16, choices=WindowState.choices, default=WindowState.DRAFT, db_index=True
    )
    start = models.DateTimeField(pgettext_lazy("maintenance", "start"), db_index=True)
    end = models.DateTimeField(pgettext_lazy("maintenance", "end"), db_index=True)
    impact = models.TextField(_("impact"), help_text=_("What the departments will notice, and what they should do."))
    platform_wide = models.BooleanField(_("platform-wide"), default=False)
    resources = models.ManyToManyField(
        "ledger.Resource", verbose_name=_("affected resources"), blank=True, related_name="maintenance_windows"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # Set once, on approval: from then on the affected departments see the window, even cancelled.
    approved_at = models.DateTimeField(pgettext_lazy("maintenance", "approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_comment = models.TextField(pgettext_lazy("maintenance", "decision comment"), blank=True)
    # What happened: the actual start and end (the planned ones stay as approved).
    started_at = models.DateTimeField(pgettext_lazy("maintenance", "started at"), null=True, blank=True)
    completed_at = models.DateTimeField(pgettext_lazy("maintenance", "completed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(pgettext_lazy("maintenance", "cancelled at"), null=True, blank=True)
    # The reminder the day before, claimed by a conditional update: sent once however often the job runs.
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)

    objects = ScopedManager()
    scope_policy = ScopePolicy(
        org_path=None,
        own_org={},
        see_all={Action.VIEW: PLANNERS | APPROVERS, Action.CHANGE: PLANNERS | APPROVERS},
        extra=_concerns_my_department,
    )

    class Meta:
        ordering = ["-start", "-id"]
        verbose_name = _("maintenance window")
        verbose_name_plural = _("maintenance windows")
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="maintenance_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.number or self.pk} {self.title}"

    @property
    def is_emergency(self) -> bool:
        return self.kind == WindowKind.EMERGENCY

    @property
    def effective_start(self):
        return self.started_at or self.start

    @property
    def effective_end(self):
        return self.completed_at or self.end


class AffectedDepartment(models.Model):
    """A department a window concerns: the owner of some of its resources, or chosen as a whole
    (`whole`: every resource of the department and its units is affected)."""

    window = models.ForeignKey(MaintenanceWindow, on_delete=models.CASCADE, related_name="affected")
    organization = models.ForeignKey(
        "organizations.Organization", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    whole = models.BooleanField(_("all of its resources"), default=False)

    class Meta:
        ordering = ["window", "organization__path"]
        constraints = [
            models.UniqueConstraint(fields=["window", "organization"], name="maintenance_department_once"),
        ]

    def __str__(self) -> str:
        return f"{self.window_id} · {self.organization_id}"


class WindowEventKind(models.TextChoices):
    CREATED = "created", pgettext_lazy("maintenance", "Drafted")
    UPDATED = "updated", pgettext_lazy("maintenance", "Changed")
    SUBMITTED = "submitted", pgettext_lazy("maintenance", "Submitted for approval")
    APPROVED = "approved", pgettext_lazy("maintenance", "Approved; departments notified")
    RETURNED = "returned", pgettext_lazy("maintenance", "Returned to the provider")
    REMINDED = "reminded", pgettext_lazy("maintenance", "Departments reminded the day before")
    STARTED = "started", pgettext_lazy("maintenance", "Maintenance started")
    COMPLETED = "completed", pgettext_lazy("maintenance", "Maintenance completed")
    CANCELLED = "cancelled", pgettext_lazy("maintenance", "Cancelled")


class WindowEvent(models.Model):
    """The window's timeline, as people read it."""

    window = models.ForeignKey(MaintenanceWindow, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("action"), max_length=16, choices=WindowEventKind.choices)
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
