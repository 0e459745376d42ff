"""Information systems (Art. 3, 6, 11, 16): the registry of what runs where, at which protection
level, and who is responsible for it."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from govcloud.core.fields import EncryptedTextField
from govcloud.core.models import TimeStampedModel
from govcloud.core.roles import CENTER_ROLES, Role
from govcloud.core.scoping import Action, ScopedManager, ScopePolicy


class HostingStatus(models.TextChoices):
    ON_PLATFORM = "on_platform", _("On the platform")
    OWN_ROOM = "own_room", _("In the department's own machine room")
    MIGRATING = "migrating", _("Migrating")
    EXEMPTED = "exempted", _("Exempted from migration")


# Who sees the registry beyond the owning department: the center (all), the provider (it hosts and
# operates the systems), the leading group and experts (they decide exemptions).
SYSTEM_VIEWERS = CENTER_ROLES | {Role.PROVIDER_OPERATOR, Role.LEADING_GROUP}
# Department roles that may change their own systems.
SYSTEM_EDITORS = frozenset({Role.DEPARTMENT_APPLICANT, Role.DEPARTMENT_HEAD, Role.DEPARTMENT_SECURITY_OFFICER})

SYSTEM_SCOPE = ScopePolicy(
    org_path="organization__path",
    see_all={Action.VIEW: SYSTEM_VIEWERS, Action.CHANGE: frozenset({Role.CENTER_ADMIN})},
    own_org={Action.VIEW: SYSTEM_EDITORS, Action.CHANGE: SYSTEM_EDITORS},
)


class InformationSystem(TimeStampedModel):
    """A department's information system. A classified (涉密) system is recorded by name and flag
    only: every other field stays empty for it, by law (Art. 3)."""

    organization = models.ForeignKey(
        "organizations.Organization", verbose_name=_("owning unit"), on_delete=models.PROTECT, related_name="systems"
    )
    name = models.CharField(_("name"), max_length=200)
    classified = models.BooleanField(_("classified (涉密)"), default=False)
    purpose = models.TextField(_("purpose"), blank=True)
    hosting_status = models.CharField(_("hosting status"), max_length=20, choices=HostingStatus.choices, blank=True)
    planned_migration_date = models.DateField(_("planned migration date"), null=True, blank=True)
    users_served = models.CharField(_("users served"), max_length=200, blank=True)
    internet_facing = models.BooleanField(_("internet-facing"), default=False)
    holds_personal_information = models.BooleanField(_("holds personal information"), default=False)
    holds_important_data = models.BooleanField(_("holds important data"), default=False)
    protection_level = models.PositiveSmallIntegerField(
        _("protection level"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = ScopedManager()
    scope_policy = SYSTEM_SCOPE

    class Meta:
        ordering = ["organization__path", "name"]
        verbose_name = _("information system")
        verbose_name_plural = _("information systems")
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="systems_name_once_per_org"),
            # 涉密: nothing but the name and the flag is ever stored for a classified system.
            models.CheckConstraint(
                condition=models.Q(classified=False)
                | models.Q(
                    purpose="",
                    hosting_status="",
                    planned_migration_date__isnull=True,
                    users_served="",
                    internet_facing=False,
                    holds_personal_information=False,
                    holds_important_data=False,
                    protection_level__isnull=True,
                ),
                name="systems_classified_holds_nothing",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ResponsibleDuty(models.TextChoices):
    """The three dedicated people Art. 16 requires for each system."""

    SYSTEM_MANAGER = "system_manager", _("System manager")
    SECURITY_CONFIDENTIALITY = "security_confidentiality", _("Security and confidentiality")
    SECURITY_AUDITOR = "security_auditor", _("Security auditor")


class ResponsiblePerson(models.Model):
    system = models.ForeignKey(InformationSystem, on_delete=models.CASCADE, related_name="responsible_people")
    duty = models.CharField(_("duty"), max_length=30, choices=ResponsibleDuty.choices)
    name = models.CharField(_("name"), max_length=60)
    phone = EncryptedTextField(_("phone"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["system", "duty"], name="systems_one_person_per_duty")]
        ordering = ["duty"]

    def __str__(self) -> str:
        return f"{self.get_duty_display()}: {self.name}"
