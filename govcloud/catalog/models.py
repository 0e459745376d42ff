"""The resource catalog (Annex 1) and the price list (Art. 5, 7, 19).

The catalog is data the center edits: items (a cloud host, a MySQL 5.6 database, storage, a load
balancer, network access), each with the discrete values it allows (`SpecOption`: vCPU counts,
memory sizes, disk types, OS images, load-balancer layers) and the numeric ranges (`SpecRange`: disk
GB, storage TB, bandwidth Mbps, public addresses). Retiring an item or an option stops new
applications from choosing it; resources that already use it keep it.

Prices are versioned: a `PriceList` takes effect from a date and is never edited once in effect —
a new version takes over from a later date.
"""

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from govcloud.core.models import TimeStampedModel
from govcloud.core.roles import CENTER_ROLES, DEPARTMENT_ROLES, Role
from govcloud.core.scoping import Action, ScopedManager, ScopePolicy


class ResourceKind(models.TextChoices):
    HOST = "host", _("Cloud host")
    DATABASE = "database", _("Cloud database")
    STORAGE = "storage", _("Cloud storage")
    LOAD_BALANCER = "load_balancer", _("Load balancer")
    NETWORK_ACCESS = "network_access", _("Network access")
    # Art. 8 lists security beside compute, storage, network and bandwidth: firewall, WAF, bastion
    # host, scanning, log audit, backup — each item a flat monthly service.
    SECURITY = "security", _("Security service")


class Dimension(models.TextChoices):
    """The specification fields an item may have. Each is either a choice (SpecOption rows) or a
    range (a SpecRange row) for a given item."""

    VCPU = "vcpu", _("vCPU")
    MEMORY_GB = "memory_gb", _("Memory (GB)")
    DISK_TYPE = "disk_type", _("Disk type")
    SYSTEM_DISK_GB = "system_disk_gb", _("System disk (GB)")
    DATA_DISK_GB = "data_disk_gb", _("Data disk (GB)")
    OS_IMAGE = "os_image", _("Operating system")
    STORAGE_GB = "storage_gb", _("Database storage (GB)")
    STORAGE_TB = "storage_tb", _("Storage (TB)")
    LB_LAYER = "lb_layer", _("Load-balancing layer")
    NETWORK = "network", _("Network")
    BANDWIDTH_MBPS = "bandwidth_mbps", _("Bandwidth (Mbps)")
    PUBLIC_ADDRESSES = "public_addresses", _("Public addresses")


class DiskType(models.TextChoices):
    SATA = "sata", _("General IO (SATA)")
    SSD = "ssd", _("Ultra-high IO (SSD)")


class NetworkKind(models.TextChoices):
    EXTRANET = "extranet", _("E-government extranet")
    INTERNET = "internet", _("Internet")


# A slug that may carry a version's dots: the seeded catalog has "db-mysql-5.6" (a plain slug field
# refused to save that item again, and the API schema's pattern disagreed with the codes it sent).
CODE_VALIDATOR = RegexValidator(
    r"^[-a-zA-Z0-9_.]+\Z", _("Use letters, digits, hyphens, underscores and dots only."), code="invalid"
)


class CatalogItem(TimeStampedModel):
    kind = models.CharField(_("kind"), max_length=20, choices=ResourceKind.choices)
    code = models.CharField(_("code"), max_length=60, unique=True, validators=[CODE_VALIDATOR])
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    # For databases: the engine and version the item stands for (MySQL 5.6, SQL Server 2008 R2 ...).
    engine = models.CharField(_("engine"), max_length=60, blank=True)
    # For network access: which network the item connects to (Annex 1: extranet or internet; an
    # internet item needs address filing before go-live).
    network = models.CharField(_("network"), max_length=20, choices=NetworkKind.choices, blank=True)
    sort = models.PositiveSmallIntegerField(_("order"), default=100)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    class Meta:
        ordering = ["sort", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=ResourceKind.NETWORK_ACCESS) | Q(network=""), name="catalog_network_only_for_access"
            ),
        ]
        verbose_name = _("catalog item")
        verbose_name_plural = _("catalog items")

    def __str__(self) -> str:
        return self.name

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


class SpecOption(models.Model):
    item = models.ForeignKey(CatalogItem, on_delete=models.CASCADE, related_name="options")
    dimension = models.CharField(_("field"), max_length=30, choices=Dimension.choices)
    value = models.CharField(_("value"), max_length=60)
    label = models.CharField(_("label"), max_length=120, blank=True)
    sort = models.PositiveSmallIntegerField(_("order"), default=100)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    class Meta:
        ordering = ["item", "dimension", "sort", "value"]
        constraints = [
            models.UniqueConstraint(fields=["item", "dimension", "value"], name="catalog_option_once"),
        ]
        verbose_name = _("allowed value")
        verbose_name_plural = _("allowed values")

    def __str__(self) -> str:
        return self.label or self.value


class SpecRange(models.Model):
    item = models.ForeignKey(CatalogItem, on_delete=models.CASCADE, related_name="ranges")
    dimension = models.CharField(_("field"), max_length=30, choices=Dimension.choices)
    minimum = models.DecimalField(_("minimum"), max_digits=12, decimal_places=2)
    maximum = models.DecimalField(_("maximum"), max_digits=12, decimal_places=2)
    step = models.DecimalField(_("step"), max_digits=12, decimal_places=2, default=1)
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        ordering = ["item", "dimension"]
        constraints = [
            models.UniqueConstraint(fields=["item", "dimension"], name="catalog_range_once"),
            models.CheckConstraint(condition=Q(minimum__lte=models.F("maximum")), name="catalog_range_ordered"),
            models.CheckConstraint(condition=Q(step__gt=0), name="catalog_range_step_positive"),
        ]
        verbose_name = _("allowed range")
        verbose_name_plural = _("allowed ranges")

    def __str__(self) -> str:
        return f"{self.dimension} {self.minimum}–{self.maximum}"


class PriceUnit(models.TextChoices):
    """The metered units (Art. 7 dynamic billing). Every amount is per unit per calendar month."""

    VCPU_MONTH = "vcpu_month", _("per vCPU·month")
    MEMORY_GB_MONTH = "memory_gb_month", _("per GB memory·month")
    DISK_SATA_GB_MONTH = "disk_sata_gb_month", _("per GB general IO (SATA) disk·month")
    DISK_SSD_GB_MONTH = "disk_ssd_gb_month", _("per GB ultra-high IO (SSD) disk·month")
    STORAGE_TB_MONTH = "storage_tb_month", _("per TB storage·month")
    LOAD_BALANCER_MONTH = "load_balancer_month", _("per load balancer·month")
    BANDWIDTH_MBPS_MONTH = "bandwidth_mbps_month", _("per Mbps·month")
    PUBLIC_ADDRESS_MONTH = "public_address_month", _("per public address·month")
    DATABASE_INSTANCE_MONTH = "database_instance_month", _("per database instance·month (by engine)")
    SECURITY_SERVICE_MONTH = "security_service_month", _("per security service·month (by service)")


class PriceList(TimeStampedModel):
    name = models.CharField(_("name"), max_length=120)
    effective_from = models.DateField(_("effective from"), unique=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by_name = models.CharField(_("published by"), max_length=150, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")

    def __str__(self) -> str:
        return f"{self.name} ({self.effective_from})"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def in_effect_by(self, day) -> bool:
        """Published and effective by `day`: from then on it is never edited (a new version takes
        over instead), because statements already priced with it must stay reproducible."""
        return self.published_at is not None and self.effective_from <= day


class Price(models.Model):
    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="prices")
    unit = models.CharField(_("unit"), max_length=30, choices=PriceUnit.choices)
    # Only for DATABASE_INSTANCE_MONTH: the engine's catalog item.
    item = models.ForeignKey(CatalogItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("amount (CNY)"), max_digits=12, decimal_places=4)

    class Meta:
        ordering = ["price_list", "unit"]
        constraints = [
            models.UniqueConstraint(
                fields=["price_list", "unit"], condition=Q(item__isnull=True), name="catalog_price_once"
            ),
            models.UniqueConstraint(
                fields=["price_list", "unit", "item"], condition=Q(item__isnull=False), name="catalog_price_once_item"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="catalog_price_not_negative"),
        ]
        verbose_name = _("price")
        verbose_name_plural = _("prices")

    def __str__(self) -> str:
        return f"{self.unit} {self.amount}"


QUOTA_SCOPE = ScopePolicy(
    org_path="organization__path",
    see_all={
        Action.VIEW: CENTER_ROLES | {Role.PROVIDER_OPERATOR, Role.FINANCE_VIEWER},
        Action.CHANGE: frozenset({Role.CENTER_ADMIN}),
    },
    # A department sees its own limits (and its units'); only the center sets them.
    own_org={Action.VIEW: DEPARTMENT_ROLES},
)


class QuotaDimension(models.TextChoices):
    """What a quota limits; the same names as the ledger's numeric columns."""

    VCPU = "vcpu", _("vCPU")
    MEMORY_GB = "memory_gb", _("memory (GB)")
    DISK_GB = "disk_gb", _("disk (GB)")
    STORAGE_TB = "storage_tb", _("storage (TB)")
    PUBLIC_ADDRESSES = "public_addresses", _("public addresses")


class Quota(TimeStampedModel):
    """Optional limits per department (and its units, Art. 4 tree); an application beyond them
    needs a justification the center sees highlighted. Empty means no limit."""

    organization = models.OneToOneField(
        "organizations.Organization", on_delete=models.CASCADE, related_name="quota", verbose_name=_("department")
    )
    vcpu = models.PositiveIntegerField(_("vCPU"), null=True, blank=True)
    memory_gb = models.PositiveIntegerField(_("memory (GB)"), null=True, blank=True)
    disk_gb = models.PositiveIntegerField(_("disk (GB)"), null=True, blank=True)
    storage_tb = models.DecimalField(_("storage (TB)"), max_digits=8, decimal_places=2, null=True, blank=True)
    public_addresses = models.PositiveIntegerField(_("public addresses"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = ScopedManager()
    scope_policy = QUOTA_SCOPE

    class Meta:
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")

    def __str__(self) -> str:
        return f"quota {self.organization_id}"

    def limits(self) -> dict[str, object]:
        """{dimension: limit} for the dimensions that have one."""
        return {d.value: getattr(self, d.value) for d in QuotaDimension if getattr(self, d.value) is not None}
