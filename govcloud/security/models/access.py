"""Access grants and access sessions (Art. 18: without the department's authorization nobody enters
its cloud hosts, databases or storage).

A department head or security officer grants a named provider operator access to a named system
and/or named resources, for a purpose and a window of at most Policy.ACCESS_GRANT_MAX_HOURS. A
grant's status is computed from its window (and revocation) at every read, so it ends exactly when
its window does; the sweep only records that end (audit event, timeline).

The operator records every session against a grant; a session no valid grant covers is kept,
flagged with its reasons, and reported to the department and the center.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from govcloud.core.actors import actor_roles
from govcloud.core.models import TimeStampedModel
from govcloud.core.roles import CENTER_ROLES, DEPARTMENT_ROLES, Role
from govcloud.core.scoping import Action, ScopedManager, ScopePolicy

# Who may authorize entry into a department's resources (Art. 18).
GRANTORS = frozenset({Role.DEPARTMENT_HEAD, Role.DEPARTMENT_SECURITY_OFFICER})


class GrantStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Not yet started")
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


def _given_to_me(user, action):
    # A provider operator sees the grants given to them, never anyone else's.
    if action == Action.VIEW and Role.PROVIDER_OPERATOR in actor_roles(user):
        return Q(grantee=user)
    return None


class AccessGrant(TimeStampedModel):
    organization = models.ForeignKey(
        "organizations.Organization", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    system = models.ForeignKey(
        "systems.InformationSystem",
        verbose_name=_("information system"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="access_grants",
    )
    # The department's own ledger resources the grant covers (cloud hosts, databases, storage).
    resources = models.ManyToManyField(
        "ledger.Resource", verbose_name=_("resources"), blank=True, related_name="access_grants"
    )
    # What grants named in free text before they named ledger resources (kept as written when the
    # text matched no resource of the department), or a remark on the resources.
    resource_note = models.TextField(_("note on the resources"), blank=True)
    grantee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("provider staff member"),
        on_delete=models.PROTECT,
        related_name="access_grants_received",
    )
    purpose = models.TextField(_("purpose"))
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"), db_index=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("granted by"), on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoke_reason = models.TextField(_("reason for revoking"), blank=True)
    # When the sweep recorded that the window had passed (the grant ended at `ends_at` regardless).
    expiry_recorded_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager()
    scope_policy = ScopePolicy(
        org_path="organization__path",
        see_all={Action.VIEW: CENTER_ROLES},
        own_org={Action.VIEW: DEPARTMENT_ROLES, Action.CHANGE: GRANTORS},
        extra=_given_to_me,
    )

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("access grant")
        verbose_name_plural = _("access grants")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="security_grant_window_positive"),
        ]

    def __str__(self) -> str:
        target = self.system.name if self.system_id else self.resource_note[:60]
        return f"#{self.pk} {target}"

    def status_at(self, moment: datetime) -> GrantStatus:
        if self.revoked_at is not None and self.revoked_at <= moment:
            return GrantStatus.REVOKED
        if moment >= self.ends_at:
            return GrantStatus.EXPIRED
        if moment < self.starts_at:
            return GrantStatus.SCHEDULED
        return GrantStatus.ACTIVE

    @property
    def status(self) -> GrantStatus:
        return self.status_at(timezone.now())

    @property
    def effective_end(self) -> datetime:
        """When access really ends: the window's end, or the revocation if earlier."""
        if self.revoked_at is not None and self.revoked_at < self.ends_at:
            return self.revoked_at
        return self.ends_at

    def covers(self, *, system_id: int | None, resource=None) -> bool:
        """The grant covers the target named: a grant for a system covers that system and the
        resources that run in it; a grant naming resources covers exactly those. `resource`: a
        ledger Resource (or None). Reads `resources` through the prefetch cache when there is one."""
        if resource is not None:
            if any(r.pk == resource.pk for r in self.resources.all()):
                return True
            return self.system_id is not None and resource.system_id == self.system_id
        return system_id is not None and self.system_id == system_id

    @property
    def resources_display(self) -> str:
        names = [r.code for r in self.resources.all()]
        return ", ".join(names + ([self.resource_note] if self.resource_note else []))


class GrantEventKind(models.TextChoices):
    GRANTED = "granted", _("Access granted")
    REVOKED = "revoked", _("Access revoked")
    EXPIRED = "expired", _("Window passed")
    SESSION = "session", _("Session recorded")
    FLAGGED = "flagged", _("Flagged session recorded")


class GrantEvent(models.Model):
    grant = models.ForeignKey(AccessGrant, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("action"), max_length=16, choices=GrantEventKind.choices)
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


class FlagReason(models.TextChoices):
    """Why a session is not covered by a valid grant (each one is reported)."""

    NO_GRANT = "no_grant", _("No access grant was named")
    OTHER_GRANTEE = "other_grantee", _("The grant was given to someone else")
    REVOKED = "revoked", _("The grant had been revoked")
    EXPIRED = "expired", _("The grant had expired")
    OUTSIDE_WINDOW = "outside_window", _("The session lies outside the grant's time window")
    NOT_COVERED = "not_covered", _("The grant does not cover this system or resource")
    NO_COVERING_GRANT = "no_covering_grant", _("No grant of this person covers this resource at that time")


def _my_sessions(user, action):
    if action == Action.VIEW and Role.PROVIDER_OPERATOR in actor_roles(user):
        return Q(operator=user)
    return None


class AccessSession(models.Model):
    """One entry of provider staff into a department's resources, as they record it."""

    # The department whose resources were entered: the system's owner, else the grant's.
    organization = models.ForeignKey(
        "organizations.Organization", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    grant = models.ForeignKey(
        AccessGrant,
        verbose_name=_("access grant"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sessions",
    )
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("provider staff member"),
        on_delete=models.PROTECT,
        related_name="access_sessions",
    )
    system = models.ForeignKey(
        "systems.InformationSystem",
        verbose_name=_("information system"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="access_sessions",
    )
    resource = models.ForeignKey(
        "ledger.Resource",
        verbose_name=_("resource"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="access_sessions",
    )
    # What the session named in free text before sessions named ledger resources.
    resource_note = models.CharField(_("note on the resource"), max_length=200, blank=True)
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"))
    work_done = models.TextField(_("what was done"))
    flagged = models.BooleanField(_("flagged"), default=False, db_index=True)
    flag_reasons = models.JSONField(_("flag reasons"), default=list, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_comment = models.TextField(_("review comment"), blank=True)

    objects = ScopedManager()
    scope_policy = ScopePolicy(
        org_path="organization__path",
        see_all={Action.VIEW: CENTER_ROLES, Action.CHANGE: frozenset({Role.CENTER_ADMIN})},
        own_org={Action.VIEW: DEPARTMENT_ROLES, Action.CHANGE: GRANTORS},
        extra=_my_sessions,
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("access session")
        verbose_name_plural = _("access sessions")
        constraints = [
            models.CheckConstraint(condition=Q(ended_at__gt=F("started_at")), name="security_session_ends_after_start"),
            models.CheckConstraint(
                condition=Q(system__isnull=False) | Q(grant__isnull=False) | Q(resource__isnull=False),
                name="security_session_names_a_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.system or self.resource or self.resource_note}"

    @property
    def flag_labels(self) -> list[str]:
        return [str(FlagReason(code).label) for code in self.flag_reasons if code in FlagReason.values]
