"""The audit trail (Art. 7, Art. 16; Cybersecurity Law Art. 21).

Events are append-only and hash-chained with SM3: each event's hash covers its canonical content and
the previous event's hash. The chain head and purge checkpoints are signed with an HMAC-SM3 key
held outside the database, so rewriting the chain without the key is detected too.

Events keep snapshots of the actor and organization (id, name, path) rather than foreign keys: an
event must outlive the user and organization it names and must never change when they do.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from govcloud.core.roles import Role
from govcloud.core.scoping import Action, ScopedQuerySet, ScopePolicy

GENESIS_HASH = "0" * 64


class Outcome(models.TextChoices):
    SUCCESS = "success", _("Success")
    FAILURE = "failure", _("Failure")
    DENIED = "denied", _("Denied")


class AppendOnlyQuerySet(ScopedQuerySet):
    def update(self, **kwargs):
        raise TypeError("Audit events are append-only.")

    def delete(self):
        raise TypeError("Audit events are append-only; only the retention purge removes them.")


def _subject_org(user, action):
    # A department's security officer (Art. 16 security auditor) also sees what others did to
    # their organization's data.
    org = getattr(user, "organization", None)
    if action == Action.VIEW and org is not None and Role.DEPARTMENT_SECURITY_OFFICER in user.roles:
        return models.Q(subject_organization_path__startswith=org.path)
    return None


class AuditEvent(models.Model):
    seq = models.BigIntegerField(_("sequence"), unique=True)
    occurred_at = models.DateTimeField(_("time"), db_index=True)
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True, db_index=True)
    actor_username = models.CharField(_("actor"), max_length=150, db_index=True)
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    actor_roles = models.CharField(_("roles"), max_length=300, blank=True)
    organization_id = models.BigIntegerField(_("organization id"), null=True, blank=True, db_index=True)
    organization_name = models.CharField(_("organization"), max_length=200, blank=True)
    organization_path = models.CharField(max_length=255, blank=True, db_index=True)
    subject_organization_path = models.CharField(max_length=255, blank=True, db_index=True)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.SUCCESS)
    object_type = models.CharField(_("object type"), max_length=100, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    # Canonical JSON text ({"field": [before, after]}), stored exactly as hashed.
    changes = models.TextField(_("changes"), blank=True)
    message = models.TextField(_("message"), blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True, db_index=True)
    source_ip = models.CharField(_("source address"), max_length=64, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = models.Manager.from_queryset(AppendOnlyQuerySet)()
    scope_policy = ScopePolicy(
        org_path="organization_path",
        see_all={Action.VIEW: frozenset({Role.AUDIT_ADMIN})},
        own_org={Action.VIEW: frozenset({Role.DEPARTMENT_SECURITY_OFFICER})},
        extra=_subject_org,
    )

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} by {self.actor_username}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("Audit events are append-only.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Audit events are append-only.")


class AuditChainHead(models.Model):
    """The last event's sequence number and hash, signed. Appending locks this one row, which
    orders the chain; the signature shows whether the tail of the chain was cut off."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)
    signature = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"head #{self.seq}"


class AuditCheckpoint(models.Model):
    """Left by the retention purge: the last purged event's sequence number and hash, signed, so
    the remaining chain still verifies from it."""

    seq = models.BigIntegerField(unique=True)
    hash = models.CharField(max_length=64)
    purged_before = models.DateTimeField()
    purged_count = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    signature = models.CharField(max_length=64)

    class Meta:
        ordering = ["-seq"]

    def __str__(self) -> str:
        return f"checkpoint #{self.seq}"
