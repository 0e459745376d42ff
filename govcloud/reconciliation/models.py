"""Reconciliation (the ledger must match reality, issue 5): a run compares what a cloud driver
reports with the resource ledger and records each difference as a Discrepancy:

- shadow: the cloud has a resource no application created (or one the ledger terminated);
- missing: the ledger has a resource in use that the cloud no longer reports;
- drift: both have it, but the spec differs (vCPU, memory or disk changed outside the platform).

The center decides what to do with each (adopt it into the ledger for a department, open an
incident, ask for deletion, dismiss). Nothing is deleted without the owning department's head (or,
for a resource nobody owns, the center's administrator) confirming it.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from govcloud.catalog.models import Dimension
from govcloud.core.roles import CENTER_ROLES, DEPARTMENT_ROLES, Role
from govcloud.core.scoping import Action, ScopedManager, ScopePolicy


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class DiscrepancyKind(models.TextChoices):
    SHADOW = "shadow", _("Shadow resource (not in the ledger)")
    MISSING = "missing", _("Missing from the cloud")
    DRIFT = "drift", _("Specification drift")


class DiscrepancyState(models.TextChoices):
    OPEN = "open", _("Open")
    ADOPTED = "adopted", _("Adopted into the ledger")
    INCIDENT_OPENED = "incident_opened", _("Incident opened")
    DELETION_REQUESTED = "deletion_requested", _("Deletion awaiting the department's confirmation")
    DELETION_CONFIRMED = "deletion_confirmed", _("Deletion confirmed (scheduled)")
    DELETED = "deleted", _("Deleted from the cloud")
    RESOLVED = "resolved", _("Resolved by itself")
    DISMISSED = "dismissed", _("Dismissed")


# Still live: later runs update these (last seen, what the cloud reports) instead of adding new ones.
ACTIVE_STATES = (
    DiscrepancyState.OPEN,
    DiscrepancyState.INCIDENT_OPENED,
    DiscrepancyState.DELETION_REQUESTED,
    DiscrepancyState.DELETION_CONFIRMED,
)

# The center and the provider see every discrepancy; a department sees those of its own resources
# and those awaiting its confirmation (both carry its organization).
RECONCILIATION_VIEWERS = CENTER_ROLES | {Role.PROVIDER_OPERATOR}

DISCREPANCY_SCOPE = ScopePolicy(
    org_path="organization__path",
    see_all={Action.VIEW: RECONCILIATION_VIEWERS, Action.CHANGE: RECONCILIATION_VIEWERS},
    own_org={Action.VIEW: DEPARTMENT_ROLES, Action.CHANGE: frozenset({Role.DEPARTMENT_HEAD})},
)

RUN_SCOPE = ScopePolicy(
    org_path=None,
    see_all={Action.VIEW: RECONCILIATION_VIEWERS, Action.CHANGE: frozenset({Role.CENTER_ADMIN})},
    own_org={},
)


class ReconciliationRun(models.Model):
    driver = models.CharField(_("driver"), max_length=30, db_index=True)
    started_at = models.DateTimeField(_("started at"), db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    started_by_name = models.CharField(_("started by"), max_length=150)
    status = models.CharField(_("status"), max_length=20, choices=RunStatus.choices, default=RunStatus.RUNNING)
    error = models.TextField(_("error"), blank=True)
    cloud_count = models.PositiveIntegerField(_("in the cloud"), default=0)
    ledger_count = models.PositiveIntegerField(_("in the ledger"), default=0)
    shadow_count = models.PositiveIntegerField(_("shadow"), default=0)
    missing_count = models.PositiveIntegerField(_("missing"), default=0)
    drift_count = models.PositiveIntegerField(_("drift"), default=0)
    resolved_count = models.PositiveIntegerField(_("resolved"), default=0)

    objects = ScopedManager()
    scope_policy = RUN_SCOPE

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("reconciliation run")
        verbose_name_plural = _("reconciliation runs")

    def __str__(self) -> str:
        return f"{self.driver} {self.started_at:%Y-%m-%d %H:%M}"


class Discrepancy(models.Model):
    run = models.ForeignKey(
        ReconciliationRun, verbose_name=_("found by run"), on_delete=models.PROTECT, related_name="found"
    )
    last_run = models.ForeignKey(
        ReconciliationRun, verbose_name=_("last seen by run"), on_delete=models.PROTECT, related_name="seen"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DiscrepancyKind.choices, db_index=True)
    state = models.CharField(
        _("state"), max_length=30, choices=DiscrepancyState.choices, default=DiscrepancyState.OPEN, db_index=True
    )
    driver = models.CharField(_("driver"), max_length=30, db_index=True)
    # The platform's name in the cloud (the ledger code) and the cloud's own id.
    ref = models.CharField(_("cloud reference"), max_length=120, blank=True)
    provider_id = models.CharField(_("provider id"), max_length=120, blank=True)
    # What identifies "the same" discrepancy across runs: the cloud's id, else the reference.
    key = models.CharField(max_length=130, editable=False)
    resource = models.ForeignKey(
        "ledger.Resource",
        verbose_name=_("resource"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="discrepancies",
    )
    # The scope: the resource's department, or the department it was adopted for.
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="discrepancies",
    )
    observed = models.JSONField(_("what the cloud reports"), default=dict, blank=True)
    expected = models.JSONField(_("what the ledger says"), default=dict, blank=True)
    # The spec fields that differ (drift): ["vcpu", "memory_gb", "disk_gb"].
    fields = models.JSONField(_("differing fields"), default=list, blank=True)
    first_seen_at = models.DateTimeField(_("first seen"))
    last_seen_at = models.DateTimeField(_("last seen"), db_index=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by_name = models.CharField(_("decided by"), max_length=150, blank=True)
    note = models.TextField(_("note"), blank=True)
    deletion_requested_by_name = models.CharField(_("deletion requested by"), max_length=150, blank=True)
    deletion_confirmed_by_name = models.CharField(_("deletion confirmed by"), max_length=150, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = ScopedManager()
    scope_policy = DISCREPANCY_SCOPE

    class Meta:
        ordering = ["-last_seen_at", "-id"]
        constraints = [
            # One live discrepancy per thing per driver, whatever runs race.
            models.UniqueConstraint(
                fields=["driver", "kind", "key"],
                condition=Q(state__in=ACTIVE_STATES),
                name="reconciliation_one_active_discrepancy",
            )
        ]
        indexes = [models.Index(fields=["driver", "state"], name="reconciliation_driver_state")]
        verbose_name = _("discrepancy")
        verbose_name_plural = _("discrepancies")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.ref or self.provider_id}"

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def field_labels(self) -> list[str]:
        """The differing fields as people read them (vCPU, 内存（GB）, total disk)."""
        return [str(FIELD_LABELS.get(name, name)) for name in self.fields]


FIELD_LABELS = {
    Dimension.VCPU.value: Dimension.VCPU.label,
    Dimension.MEMORY_GB.value: Dimension.MEMORY_GB.label,
    "disk_gb": _("Disks in total (GB)"),
}


class DiscrepancyEvent(models.Model):
    """The discrepancy's timeline: found, seen again, each decision, deleted, resolved. Append-only."""

    discrepancy = models.ForeignKey(Discrepancy, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("time"))
    state_before = models.CharField(_("state before"), max_length=30, choices=DiscrepancyState.choices, blank=True)
    state_after = models.CharField(_("state after"), max_length=30, choices=DiscrepancyState.choices)
    actor_name = models.CharField(_("by"), max_length=150)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["discrepancy", "at", "pk"]
        verbose_name = _("discrepancy event")
        verbose_name_plural = _("discrepancy events")

    def __str__(self) -> str:
        return f"{self.discrepancy_id} {self.state_after} {self.at:%Y-%m-%d %H:%M}"
