"""Annual cloud-service budgets per department (Art. 19: platform usage is the basis of every
department's IT budget) and the warnings sent when a department reaches 80 % / 100 % of it."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from govcloud.core.models import TimeStampedModel
from govcloud.core.roles import CENTER_ROLES, DEPARTMENT_ROLES, Role
from govcloud.core.scoping import Action, ScopedManager, ScopePolicy

# Who sees every department's budget and costs: the center, finance (财政局) and the leading group.
BUDGET_VIEWERS = CENTER_ROLES | {Role.FINANCE_VIEWER, Role.LEADING_GROUP}
# Who sets budgets: the center's administrator and finance, which approves the budget (audited).
BUDGET_SETTERS = frozenset({Role.CENTER_ADMIN, Role.FINANCE_VIEWER})

BUDGET_SCOPE = ScopePolicy(
    org_path="organization__path",
    see_all={Action.VIEW: BUDGET_VIEWERS, Action.CHANGE: BUDGET_SETTERS},
    # A department sees its own budget (and its units'), never changes it.
    own_org={Action.VIEW: DEPARTMENT_ROLES},
)


class Threshold(models.IntegerChoices):
    WARNING = 80, _("Budget at 80 %")
    EXHAUSTED = 100, _("Budget at 100 %")


class Basis(models.TextChoices):
    ACTUAL = "actual", _("Actual cost")
    FORECAST = "forecast", _("Forecast to year end")


class Budget(TimeStampedModel):
    organization = models.ForeignKey(
        "organizations.Organization", verbose_name=_("department"), on_delete=models.PROTECT, related_name="budgets"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2)
    note = models.TextField(_("note"), blank=True)
    set_by_name = models.CharField(_("set by"), max_length=150, blank=True)

    objects = ScopedManager()
    scope_policy = BUDGET_SCOPE

    class Meta:
        ordering = ["-year", "organization__path"]
        constraints = [models.UniqueConstraint(fields=["organization", "year"], name="budgets_one_per_year")]
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")

    def __str__(self) -> str:
        return f"{self.organization_id} {self.year}: {self.amount}"


class BudgetAlert(models.Model):
    """One warning sent: a budget's threshold reached on a basis. Unique, so each is sent once."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="alerts")
    threshold = models.PositiveSmallIntegerField(_("threshold (%)"), choices=Threshold.choices)
    basis = models.CharField(_("basis"), max_length=10, choices=Basis.choices)
    value = models.DecimalField(_("cost at the time"), max_digits=14, decimal_places=2, default=0)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        ordering = ["budget", "threshold", "basis"]
        constraints = [
            models.UniqueConstraint(fields=["budget", "threshold", "basis"], name="budgets_alert_once"),
        ]
        verbose_name = _("budget warning")
        verbose_name_plural = _("budget warnings")

    def __str__(self) -> str:
        return f"{self.budget_id} {self.threshold}% {self.basis}"
