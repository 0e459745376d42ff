"""Waste control (Art. 10, 12, 19): turning what monitoring measured and what the department asked
for into action.

- `RightsizingAdvice` (规格优化建议): for one host or database, what its daily CPU and memory peaks
  of the last `Policy.RIGHTSIZING_WINDOW_DAYS` days need — the peak plus the headroom policy,
  rounded up to a size the catalog offers — beside what it has, with the monthly saving at the price
  list in effect. The numbers behind it are stored with it (days of data, peaks, headroom, the
  daily series), so the advice reads the same later whatever the rollups become. A newer advice
  for the resource supersedes the open one. The department accepts it (one click drafts a change
  application pre-filled with the recommended spec) or dismisses it with a reason.
- `Expiry` (到期回收): a resource's needed-until date (the item's `needed_until`, or the test period
  of a test-environment resource) followed from the first warning to its end: warnings, then a
  termination application drafted by the platform for the department to confirm, a grace period,
  and the center told when nobody confirmed or extended.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from govcloud.core.roles import CENTER_ROLES, DEPARTMENT_ROLES, Role
from govcloud.core.scoping import Action, ScopedManager, ScopePolicy

# Who reads waste control: the center (and the provider who advises, finance for Art. 19) every
# department's; a department its own and its units'. Only the department acts on its advice.
WASTE_VIEWERS = CENTER_ROLES | {Role.PROVIDER_OPERATOR, Role.FINANCE_VIEWER}
ADVICE_DECIDERS = frozenset({Role.DEPARTMENT_APPLICANT, Role.DEPARTMENT_HEAD})
# Who computes the advice on demand: the department for its own, the center and the provider (who
# advise, Art. 10) for everyone's.
ADVICE_GENERATORS = ADVICE_DECIDERS | CENTER_ROLES | {Role.PROVIDER_OPERATOR}

WASTE_SCOPE = ScopePolicy(
    org_path="resource__organization__path",
    see_all={Action.VIEW: WASTE_VIEWERS},
    own_org={Action.VIEW: DEPARTMENT_ROLES, Action.CHANGE: DEPARTMENT_ROLES},
)


class AdviceState(models.TextChoices):
    OPEN = "open", _("Open")
    ACCEPTED = "accepted", _("Accepted (change application drafted)")
    DISMISSED = "dismissed", _("Dismissed")
    SUPERSEDED = "superseded", _("Superseded")


class RightsizingAdvice(models.Model):
    resource = models.ForeignKey(
        "ledger.Resource", verbose_name=_("resource"), on_delete=models.CASCADE, related_name="rightsizing_advice"
    )
    state = models.CharField(_("state"), max_length=12, choices=AdviceState.choices, default=AdviceState.OPEN)
    computed_at = models.DateTimeField(_("computed at"))
    # The numbers behind it.
    window_days = models.PositiveSmallIntegerField(_("window (days)"))
    days = models.PositiveSmallIntegerField(_("days of data"))
    cpu_peak = models.FloatField(_("CPU peak (%)"))
    memory_peak = models.FloatField(_("memory peak (%)"))
    headroom_percent = models.PositiveSmallIntegerField(_("headroom (%)"))
    current_vcpu = models.PositiveIntegerField(_("current vCPU"))
    current_memory_gb = models.PositiveIntegerField(_("current memory (GB)"))
    recommended_vcpu = models.PositiveIntegerField(_("recommended vCPU"))
    recommended_memory_gb = models.PositiveIntegerField(_("recommended memory (GB)"))
    current_monthly = models.DecimalField(_("current monthly cost (CNY)"), max_digits=14, decimal_places=2)
    recommended_monthly = models.DecimalField(_("recommended monthly cost (CNY)"), max_digits=14, decimal_places=2)
    # Positive: what the department saves per month; negative: what a needed upsizing costs.
    monthly_saving = models.DecimalField(_("monthly saving (CNY)"), max_digits=14, decimal_places=2)
    price_list = models.ForeignKey(
        "catalog.PriceList",
        verbose_name=_("price list"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # [[day ISO, cpu peak %, memory peak %], ...] of the window, for the chart.
    series = models.JSONField(_("daily peaks"), default=list, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by_name = models.CharField(_("decided by"), max_length=150, blank=True)
    dismiss_reason = models.TextField(_("reason for dismissing"), blank=True)
    application = models.ForeignKey(
        "applications.Application",
        verbose_name=_("change application"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedManager()
    scope_policy = WASTE_SCOPE

    class Meta:
        constraints = [
            # A newer advice supersedes the open one: at most one open per resource.
            models.UniqueConstraint(
                fields=["resource"], condition=models.Q(state="open"), name="waste_advice_one_open"
            ),
        ]
        indexes = [models.Index(fields=["state", "-monthly_saving"], name="waste_advice_state_saving")]
        ordering = ["-monthly_saving", "-pk"]
        verbose_name = _("rightsizing advice")
        verbose_name_plural = _("rightsizing advice")

    def __str__(self) -> str:
        current = f"{self.current_vcpu}/{self.current_memory_gb}"
        return f"{self.resource_id} {current} → {self.recommended_vcpu}/{self.recommended_memory_gb}"


class ExpiryState(models.TextChoices):
    UPCOMING = "upcoming", _("Due soon (warned)")
    DUE = "due", _("Termination drafted, awaiting the department")
    ESCALATED = "escalated", _("Escalated to the center")
    CONFIRMED = "confirmed", _("Termination confirmed")
    EXTENDED = "extended", _("Term extended")
    CLOSED = "closed", _("Closed (resource terminated)")


OPEN_EXPIRY_STATES = frozenset({ExpiryState.UPCOMING, ExpiryState.DUE, ExpiryState.ESCALATED})


class Expiry(models.Model):
    resource = models.ForeignKey(
        "ledger.Resource", verbose_name=_("resource"), on_delete=models.CASCADE, related_name="expiries"
    )
    needed_until = models.DateField(_("needed until"))
    # The date comes from the test period of a test-environment resource, not from an item.
    test_environment = models.BooleanField(_("test environment"), default=False)
    state = models.CharField(_("state"), max_length=12, choices=ExpiryState.choices, default=ExpiryState.UPCOMING)
    # The warnings sent: the days-before figures of the policies at the time (30, 7).
    warned_days = models.JSONField(_("warnings sent (days before)"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"))
    drafted_at = models.DateTimeField(_("termination drafted at"), null=True, blank=True)
    grace_until = models.DateField(_("grace period ends"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    termination_application = models.ForeignKey(
        "applications.Application",
        verbose_name=_("termination application"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    extension_application = models.ForeignKey(
        "applications.Application",
        verbose_name=_("extension application"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedManager()
    scope_policy = WASTE_SCOPE

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["resource", "needed_until"], name="waste_expiry_once"),
        ]
        indexes = [models.Index(fields=["state", "needed_until"], name="waste_expiry_state_day")]
        ordering = ["needed_until", "pk"]
        verbose_name = _("expiry")
        verbose_name_plural = _("expiries")

    def __str__(self) -> str:
        return f"{self.resource_id} {self.needed_until}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_EXPIRY_STATES
