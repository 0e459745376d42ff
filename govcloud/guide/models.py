"""Announcements of the public service guide (Art. 9: the platform's website): what the center tells
every department and the public — a new catalog entry, a maintenance window, a changed rule.

An announcement is a draft until the center administrator publishes it; unpublishing takes it off
the guide again (it is kept, with its audit trail)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from govcloud.core.models import TimeStampedModel
from govcloud.core.roles import CENTER_ROLES, Role
from govcloud.core.scoping import Action, ScopedManager, ScopePolicy

ANNOUNCEMENT_EDITORS = frozenset({Role.CENTER_ADMIN})


def _published(user, action):
    return Q(published_at__isnull=False) if action == Action.VIEW else None


class Announcement(TimeStampedModel):
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    pinned = models.BooleanField(_("pinned"), default=False, help_text=_("Pinned announcements stay at the top."))
    # Empty: a draft (or unpublished). Set: on the guide since then.
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by_name = models.CharField(_("last changed by"), max_length=150, blank=True)

    objects = ScopedManager()
    # Platform-wide, not department data: drafts are the center's, published ones everyone's (the
    # public pages read published ones without a user, see selectors.published_announcements).
    scope_policy = ScopePolicy(
        org_path=None,
        own_org={},
        see_all={Action.VIEW: CENTER_ROLES, Action.CHANGE: ANNOUNCEMENT_EDITORS},
        extra=_published,
    )

    class Meta:
        ordering = ["-pinned", "-published_at", "-created_at", "-pk"]
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.published_at is not None
