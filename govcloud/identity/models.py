"""Identities of the unified identity platform (统一身份认证) and the GovCloud accounts they sign in as.

An identity is an (issuer, subject) pair: the OIDC provider's `iss` and `sub`, or the CAS server's URL
and user name. It signs in only as an account it is linked to; a link is made by matching a configured
claim to an existing account, or by the system administrator approving a link request. Roles are never
taken from the platform: they stay assigned in GovCloud (三员分立 unchanged).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from govcloud.core.models import TimeStampedModel
from govcloud.core.roles import Role
from govcloud.core.scoping import Action, ScopedManager, ScopePolicy


class Protocol(models.TextChoices):
    OIDC = "oidc", _("OpenID Connect")
    CAS = "cas", _("CAS")


class LinkRequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


# The system administrator manages accounts, so only they see identities and link requests; nobody
# else (a department user included) sees any.
_SYSADMIN_ONLY = ScopePolicy(
    org_path=None,
    see_all={Action.VIEW: frozenset({Role.SYSTEM_ADMIN}), Action.CHANGE: frozenset({Role.SYSTEM_ADMIN})},
    own_org={},
)


class IdentityLink(TimeStampedModel):
    """A platform identity that signs in as `user`."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("account"), on_delete=models.CASCADE, related_name="identity_links"
    )
    protocol = models.CharField(_("protocol"), max_length=10, choices=Protocol.choices)
    issuer = models.CharField(_("issuer"), max_length=300)
    subject = models.CharField(_("subject"), max_length=255)
    last_sign_on_at = models.DateTimeField(_("last sign-on"), null=True, blank=True)

    objects = ScopedManager()
    scope_policy = _SYSADMIN_ONLY

    class Meta:
        verbose_name = _("identity link")
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="identity_link_once")]

    def __str__(self) -> str:
        return f"{self.subject} @ {self.issuer}"


class IdentityLinkRequest(TimeStampedModel):
    """A first sign-in that matched no account: waits for the system administrator."""

    protocol = models.CharField(_("protocol"), max_length=10, choices=Protocol.choices)
    issuer = models.CharField(_("issuer"), max_length=300)
    subject = models.CharField(_("subject"), max_length=255)
    # What the platform said about the person (name, e-mail, employee number…), to decide with.
    display_name = models.CharField(_("name"), max_length=150, blank=True)
    email = models.CharField(_("e-mail"), max_length=254, blank=True)
    match_value = models.CharField(_("matched claim value"), max_length=255, blank=True)
    claims = models.JSONField(_("claims"), default=dict, blank=True)
    attempts = models.PositiveIntegerField(_("sign-in attempts"), default=1)
    status = models.CharField(
        _("status"), max_length=10, choices=LinkRequestStatus.choices, default=LinkRequestStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("linked account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    objects = ScopedManager()
    scope_policy = _SYSADMIN_ONLY

    class Meta:
        verbose_name = _("link request")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "subject"],
                condition=Q(status="pending"),
                name="identity_one_pending_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.display_name or self.subject} @ {self.issuer}"


class SignOnSession(models.Model):
    """A GovCloud session opened by the platform: what a back-channel or single logout names it by
    (OIDC issuer + subject and `sid`; CAS server + service ticket, the SAML SessionIndex)."""

    session_key = models.CharField(max_length=40, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    protocol = models.CharField(max_length=10, choices=Protocol.choices)
    issuer = models.CharField(max_length=300)
    subject = models.CharField(max_length=255)
    platform_session = models.CharField(max_length=255, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["issuer", "subject"], name="identity_session_iss_sub")]

    def __str__(self) -> str:
        return f"{self.subject} @ {self.issuer}"
