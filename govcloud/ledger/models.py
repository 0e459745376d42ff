"""The resource ledger (资源台账, Art. 7): every resource delivered, its owner, system, application of
origin, catalog item and spec, addresses, state, and the full history of every change.

Metering (Art. 7 dynamic billing) derives usage intervals from `ResourceHistory`: a resource is
billed from the moment it goes into service (开通), at the spec each history entry records, until
it is terminated (终止). The test period is not billed.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from govcloud.catalog.models import NetworkKind, ResourceKind
from govcloud.core.models import TimeStampedModel
from govcloud.core.roles import CENTER_ROLES, DEPARTMENT_ROLES, Role
from govcloud.core.scoping import Action, ScopedManager, ScopePolicy


class ResourceState(models.TextChoices):
    TESTING = "testing", _("Delivered, in testing")
    IN_SERVICE = "in_service", _("In service")
    CHANGING = "changing", _("Changing")
    TERMINATED = "terminated", _("Terminated")


class HistoryKind(models.TextChoices):
    DELIVERED = "delivered", _("Delivered for testing")
    ACTIVATED = "activated", _("Put into service")
    CHANGE_STARTED = "change_started", _("Change started")
    CHANGED = "changed", _("Changed")
    TERMINATED = "terminated", _("Terminated")
    ADOPTED = "adopted", _("Adopted into the ledger")
    CORRECTED = "corrected", _("Corrected")


# The center sees the whole ledger; the provider operates every resource; finance sees usage.
LEDGER_VIEWERS = CENTER_ROLES | {Role.PROVIDER_OPERATOR, Role.FINANCE_VIEWER}

RESOURCE_SCOPE = ScopePolicy(
    org_path="organization__path",
    see_all={Action.VIEW: LEDGER_VIEWERS, Action.CHANGE: CENTER_ROLES | {Role.PROVIDER_OPERATOR}},
    own_org={Action.VIEW: DEPARTMENT_ROLES, Action.CHANGE: DEPARTMENT_ROLES},
)


class Resource(TimeStampedModel):
    code = models.CharField(_("resource number"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    organization = models.ForeignKey(
        "organizations.Organization", verbose_name=_("department"), on_delete=models.PROTECT, related_name="resources"
    )
    system = models.ForeignKey(
        "systems.InformationSystem",
        verbose_name=_("information system"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resources",
    )
    catalog_item = models.ForeignKey(
        "catalog.CatalogItem", verbose_name=_("catalog item"), on_delete=models.PROTECT, related_name="resources"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ResourceKind.choices, db_index=True)
    spec = models.JSONField(_("specification"), default=dict)
    # [{"network": "extranet"|"internet", "address": "…", "domain": "…"}]
    addresses = models.JSONField(_("addresses"), default=list, blank=True)
    # The identifier in the cloud (a libvirt domain UUID, an OpenStack id); empty for manual delivery.
    provider_ref = models.CharField(_("provider reference"), max_length=120, blank=True, db_index=True)
    state = models.CharField(_("state"), max_length=20, choices=ResourceState.choices, db_index=True)
    origin_application = models.ForeignKey(
        "applications.Application",
        verbose_name=_("application of origin"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="created_resources",
    )
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    in_service_at = models.DateTimeField(_("in service since"), null=True, blank=True, db_index=True)
    terminated_at = models.DateTimeField(_("terminated at"), null=True, blank=True, db_index=True)

    # Denormalized from the spec by the services (catalog.specs.resource_columns), so filters,
    # totals, quotas and metering are set-based SQL instead of reading JSON row by row.
    vcpu = models.PositiveIntegerField(_("vCPU"), default=0)
    memory_gb = models.PositiveIntegerField(_("memory (GB)"), default=0)
    # A host's system and data disks, or a database's storage.
    disk_gb = models.PositiveIntegerField(_("disk (GB)"), default=0)
    storage_tb = models.DecimalField(_("storage (TB)"), max_digits=10, decimal_places=2, default=0)
    bandwidth_mbps = models.PositiveIntegerField(_("bandwidth (Mbps)"), default=0)
    public_addresses = models.PositiveIntegerField(_("public addresses"), default=0)
    os_image = models.CharField(_("operating system"), max_length=60, blank=True, db_index=True)
    network = models.CharField(_("network"), max_length=20, choices=NetworkKind.choices, blank=True, db_index=True)
    # The addresses as one line of text, for searching by IP address or domain.
    addresses_text = models.CharField(_("addresses"), max_length=1000, blank=True)

    objects = ScopedManager()
    scope_policy = RESOURCE_SCOPE

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "state"], name="ledger_org_state"),
            models.Index(fields=["kind", "state"], name="ledger_kind_state"),
            # The list's order: the newest first, one page at a time without sorting the table.
            models.Index(fields=["-created_at", "-id"], name="ledger_newest_first"),
        ]
        verbose_name = _("resource")
        verbose_name_plural = _("resources")

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()

    @property
    def is_terminated(self) -> bool:
        return self.state == ResourceState.TERMINATED


class ResourceHistory(models.Model):
    """One entry per change of a resource: what it was, what it became, when, on which application.
    Append-only; metering reads it."""

    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="history")
    at = models.DateTimeField(_("time"), db_index=True)
    kind = models.CharField(_("change"), max_length=20, choices=HistoryKind.choices)
    state_before = models.CharField(_("state before"), max_length=20, choices=ResourceState.choices, blank=True)
    state_after = models.CharField(_("state after"), max_length=20, choices=ResourceState.choices)
    spec_before = models.JSONField(_("spec before"), default=dict, blank=True)
    spec_after = models.JSONField(_("spec after"), default=dict, blank=True)
    application = models.ForeignKey(
        "applications.Application",
        verbose_name=_("application"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resource_history",
    )
    actor_name = models.CharField(_("by"), max_length=150)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["resource", "at", "pk"]
        indexes = [models.Index(fields=["resource", "at"], name="ledger_history_resource_at")]
        verbose_name = _("resource history entry")
        verbose_name_plural = _("resource history")

    def __str__(self) -> str:
        return f"{self.resource_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        # Append-only: metering and statements are computed from these entries, so an entry that
        # exists is never rewritten (a mistake is corrected by a new entry).
        if not self._state.adding:
            raise ValueError("Resource history is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Resource history is append-only.")
