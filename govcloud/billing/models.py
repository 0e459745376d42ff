"""Monthly statements (对账单, Art. 7 dynamic billing): one per department and month, drafted from
the metering of the ledger's history, kept as a draft during the late-data window, then issued.
An issued statement never changes: corrections are adjustment lines on a later statement."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from govcloud.catalog.models import PriceUnit, ResourceKind
from govcloud.core.models import TimeStampedModel
from govcloud.core.roles import CENTER_ROLES, DEPARTMENT_ROLES, Role
from govcloud.core.scoping import Action, ScopedManager, ScopePolicy


class StatementState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")


# The center, finance and the leading group read every statement; only the center adjusts.
STATEMENT_VIEWERS = CENTER_ROLES | {Role.FINANCE_VIEWER, Role.LEADING_GROUP}
STATEMENT_ADJUSTERS = frozenset({Role.CENTER_ADMIN})

STATEMENT_SCOPE = ScopePolicy(
    org_path="organization__path",
    see_all={Action.VIEW: STATEMENT_VIEWERS, Action.CHANGE: STATEMENT_ADJUSTERS},
    own_org={Action.VIEW: DEPARTMENT_ROLES},
)
LINE_SCOPE = ScopePolicy(
    org_path="statement__organization__path",
    see_all={Action.VIEW: STATEMENT_VIEWERS, Action.CHANGE: STATEMENT_ADJUSTERS},
    own_org={Action.VIEW: DEPARTMENT_ROLES},
)


class Statement(TimeStampedModel):
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="statements",
    )
    # The first day of the month billed.
    period = models.DateField(_("month"))
    state = models.CharField(_("state"), max_length=10, choices=StatementState.choices, default=StatementState.DRAFT)
    number = models.CharField(_("statement number"), max_length=40, unique=True)
    total = models.DecimalField(_("total (CNY)"), max_digits=14, decimal_places=2, default=0)
    drafted_at = models.DateTimeField(_("drafted at"))
    # End of the late-data window: the draft is issued after this moment.
    issue_after = models.DateTimeField(_("issued after"))
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    verification_code = models.CharField(_("verification code"), max_length=24, blank=True, db_index=True)

    objects = ScopedManager()
    scope_policy = STATEMENT_SCOPE

    class Meta:
        ordering = ["-period", "organization__path"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "period"], name="billing_statement_once_per_month"),
        ]
        indexes = [models.Index(fields=["period", "state"], name="billing_period_state")]
        verbose_name = _("statement")
        verbose_name_plural = _("statements")

    def __str__(self) -> str:
        return self.number

    @property
    def is_issued(self) -> bool:
        return self.state == StatementState.ISSUED


class StatementLine(models.Model):
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="lines")
    # No index on the resource and the system: lines are only ever read by statement, and neither
    # resources (terminated, never deleted) nor systems are deleted, so nothing looks lines up by
    # them; a month's drafting writes some hundred thousand lines and would maintain both indexes.
    resource = models.ForeignKey(
        "ledger.Resource",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="statement_lines",
        db_index=False,
    )
    system = models.ForeignKey(
        "systems.InformationSystem",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="statement_lines",
        db_index=False,
    )
    resource_kind = models.CharField(_("kind"), max_length=20, choices=ResourceKind.choices)
    unit = models.CharField(_("unit"), max_length=30, choices=PriceUnit.choices)
    # The disk type or the database engine the unit is priced for.
    unit_detail = models.CharField(_("detail"), max_length=60, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=4)
    unit_price = models.DecimalField(_("unit price (CNY/month)"), max_digits=12, decimal_places=4)
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    seconds = models.PositiveIntegerField(_("seconds"))
    amount = models.DecimalField(_("amount (CNY)"), max_digits=14, decimal_places=2)
    adjusts = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="adjustments", verbose_name=_("adjusts")
    )
    reason = models.TextField(_("reason"), blank=True)
    is_adjustment = models.BooleanField(_("adjustment"), default=False)

    objects = ScopedManager()
    scope_policy = LINE_SCOPE

    class Meta:
        ordering = ["statement", "is_adjustment", "resource_id", "unit", "starts_at", "pk"]
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")

    def __str__(self) -> str:
        return f"{self.statement_id} {self.unit} {self.amount}"

    @property
    def unit_detail_display(self) -> str:
        """The detail as people read it: a disk type's name (never the code "ssd"), an engine as
        the catalog writes it (MySQL 5.6)."""
        from govcloud.catalog.models import DiskType

        if self.unit_detail in DiskType.values:
            return str(DiskType(self.unit_detail).label)
        return self.unit_detail
