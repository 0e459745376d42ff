"""The provider's monthly security bulletin (Art. 17 安全公告) and who has read it.

The provider drafts and publishes one bulletin per month; once published every signed-in user sees
it. Each department user who opens it leaves a read receipt, so the provider and the center see
which departments have read it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from govcloud.core.models import TimeStampedModel
from govcloud.core.roles import CENTER_ROLES, DEPARTMENT_ROLES, Role
from govcloud.core.scoping import Action, ScopedManager, ScopePolicy

BULLETIN_AUTHORS = frozenset({Role.PROVIDER_OPERATOR})


class BulletinStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


def _published(user, action):
    return Q(status=BulletinStatus.PUBLISHED) if action == Action.VIEW else None


class SecurityBulletin(TimeStampedModel):
    # The month reported on, stored as its first day.
    period = models.DateField(_("month"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    content = models.TextField(_("content"))
    attachment = models.ForeignKey(
        "security.Attachment",
        verbose_name=_("attachment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=BulletinStatus.choices, default=BulletinStatus.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedManager()
    # Drafts are the provider's (and visible to the center); published bulletins are everyone's.
    scope_policy = ScopePolicy(
        org_path=None,
        own_org={},
        see_all={Action.VIEW: CENTER_ROLES | BULLETIN_AUTHORS, Action.CHANGE: BULLETIN_AUTHORS},
        extra=_published,
    )

    class Meta:
        ordering = ["-period"]
        verbose_name = _("security bulletin")
        verbose_name_plural = _("security bulletins")

    def __str__(self) -> str:
        return f"{self.period:%Y-%m} {self.title}"

    @property
    def is_published(self) -> bool:
        return self.status == BulletinStatus.PUBLISHED


class BulletinReceipt(models.Model):
    bulletin = models.ForeignKey(SecurityBulletin, on_delete=models.CASCADE, related_name="receipts")
    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The reader's organization when they read it (people move; the receipt does not).
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="bulletin_receipts"
    )
    read_at = models.DateTimeField(_("read at"))

    objects = ScopedManager()
    scope_policy = ScopePolicy(
        org_path="organization__path",
        see_all={Action.VIEW: CENTER_ROLES | BULLETIN_AUTHORS},
        own_org={Action.VIEW: DEPARTMENT_ROLES},
    )

    class Meta:
        ordering = ["read_at"]
        verbose_name = _("read receipt")
        verbose_name_plural = _("read receipts")
        constraints = [models.UniqueConstraint(fields=["bulletin", "reader"], name="security_read_once")]

    def __str__(self) -> str:
        return f"{self.bulletin_id}:{self.reader_id}"
