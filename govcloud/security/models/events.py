"""Security events (安全事件) as the provider and the center record them (Art. 17: monitor network
behaviour, block attacks): attacks blocked, vulnerabilities found, malicious code, intrusions …

One row is one observation: a kind, when, how many (a WAF's day of blocked attacks is one row with
its count), the department whose systems it concerned (none: the platform as a whole) and those
systems. The monthly statistics (by kind, by department) are what the monthly report reads.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from govcloud.core.models import TimeStampedModel
from govcloud.core.roles import CENTER_ROLES, DEPARTMENT_ROLES, Role
from govcloud.core.scoping import Action, ScopedManager, ScopePolicy

# The provider monitors and blocks (Art. 17); the center records what it learns from elsewhere.
EVENT_RECORDERS = CENTER_ROLES | {Role.PROVIDER_OPERATOR}


class SecurityEventKind(models.TextChoices):
    ATTACK_BLOCKED = "attack_blocked", _("Attacks blocked")
    VULNERABILITY = "vulnerability", _("Vulnerabilities found")
    MALWARE = "malware", _("Malicious code")
    INTRUSION = "intrusion", _("Intrusion")
    DENIAL_OF_SERVICE = "denial_of_service", _("Denial of service")
    DATA_LEAK = "data_leak", _("Data leak")
    OTHER = "other", _("Other")


class SecurityEvent(TimeStampedModel):
    kind = models.CharField(_("kind"), max_length=20, choices=SecurityEventKind.choices, db_index=True)
    occurred_at = models.DateTimeField(_("time"), db_index=True)
    count = models.PositiveIntegerField(
        pgettext_lazy("security event", "count"), default=1, validators=[MinValueValidator(1)]
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    systems = models.ManyToManyField(
        "systems.InformationSystem",
        verbose_name=pgettext_lazy("security", "affected systems"),
        blank=True,
        related_name="security_events",
    )
    source = models.CharField(_("source"), max_length=100, blank=True)
    summary = models.TextField(pgettext_lazy("security event", "summary"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedManager()
    # A department sees the events that concerned its own systems; platform-wide ones (no
    # department) are the provider's and the center's.
    scope_policy = ScopePolicy(
        org_path="organization__path",
        see_all={Action.VIEW: EVENT_RECORDERS, Action.CHANGE: EVENT_RECORDERS},
        own_org={Action.VIEW: DEPARTMENT_ROLES},
    )

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        constraints = [models.CheckConstraint(condition=models.Q(count__gte=1), name="security_event_count_positive")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} × {self.count}"
