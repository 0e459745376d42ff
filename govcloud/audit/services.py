"""Writing the audit trail. Every service of every app ends by calling `audit_record`, in the same
transaction as its change: the event exists exactly when the change does."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govcloud.audit import chain
from govcloud.audit.models import GENESIS_HASH, AuditChainHead, AuditCheckpoint, AuditEvent, Outcome
from govcloud.core import context
from govcloud.core.actors import Actor, is_system
from govcloud.core.permissions import require_role
from govcloud.core.roles import Role

SENSITIVE_MASK = "******"

logger = logging.getLogger(__name__)


class UnauthenticHead(Exception):
    """The chain head's signature does not verify with this process's key."""


def _actor_snapshot(actor: Actor | None) -> dict[str, Any]:
    if actor is None or is_system(actor) or not getattr(actor, "is_authenticated", False):
        name = "system" if actor is None or is_system(actor) else "anonymous"
        return {"actor_id": None, "actor_username": name, "actor_name": "", "actor_roles": ""}
    org = getattr(actor, "organization", None)
    return {
        "actor_id": actor.pk,
        "actor_username": actor.get_username(),
        "actor_name": getattr(actor, "full_name", "")[:150],
        "actor_roles": ",".join(sorted(actor.roles)),
        "organization_id": org.pk if org else None,
        "organization_name": org.name[:200] if org else "",
        "organization_path": org.path if org else "",
    }


def _object_type(target: models.Model) -> str:
    return target._meta.label_lower


def _subject_path(target: models.Model | None) -> str:
    if target is None:
        return ""
    if hasattr(target, "path") and target._meta.model_name == "organization":
        return target.path
    org = getattr(target, "organization", None)
    return getattr(org, "path", "") or ""


def audit_record(
    *,
    actor: Actor | None,
    action: str,
    target: models.Model | None = None,
    object_type: str = "",
    object_id: Any = "",
    object_repr: str = "",
    changes: dict[str, Any] | None = None,
    outcome: Outcome = Outcome.SUCCESS,
    message: str = "",
    subject_organization_path: str | None = None,
    actor_username: str | None = None,
    require_authentic_head: bool = False,
) -> AuditEvent:
    """Append one event to the chain.

    `actor` is a user or SYSTEM (never silently absent: None is recorded as `system`). For events
    without a signed-in user (a failed login), `actor_username` names who was claimed.
    `require_authentic_head`: append only onto a head signed with this process's key, else raise
    UnauthenticHead having written nothing (see `audit_verify_record`).
    """
    ctx = context.current()
    snapshot = _actor_snapshot(actor)
    if actor_username is not None:
        snapshot["actor_username"] = actor_username[:150]
    if target is not None:
        object_type = object_type or _object_type(target)
        object_id = object_id or target.pk
        object_repr = object_repr or str(target)
    if subject_organization_path is None:
        subject_organization_path = _subject_path(target)
    with transaction.atomic():
        # Locking the head orders the chain: concurrent writers append one after another.
        if require_authentic_head:
            head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
            if not chain.head_is_authentic(head):
                raise UnauthenticHead
        else:
            head, _created = AuditChainHead.objects.select_for_update().get_or_create(
                pk=1, defaults={"seq": 0, "hash": GENESIS_HASH}
            )
        event = AuditEvent(
            seq=head.seq + 1,
            occurred_at=timezone.now(),
            action=action,
            outcome=outcome,
            object_type=object_type,
            object_id=str(object_id or "")[:64],
            object_repr=str(object_repr or "")[:300],
            changes=chain.canonical_json(changes) if changes else "",
            message=str(message),
            request_id=ctx.request_id,
            source_ip=ctx.source_ip,
            user_agent=ctx.user_agent,
            subject_organization_path=subject_organization_path or "",
            prev_hash=head.hash,
            **snapshot,
        )
        event.hash = chain.event_hash(event)
        event.save()
        head.seq, head.hash = event.seq, event.hash
        head.signature = chain.head_signature(head.seq, head.hash)
        head.save(update_fields=["seq", "hash", "signature"])
    return event


class _Sensitive(str):
    """A sensitive field's value inside a snapshot: compared, never written out."""


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (set, frozenset)):
        return sorted(str(v) for v in value)
    return value


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """Field values of `instance` to diff against later; sensitive fields are masked."""
    values = {}
    for f in instance._meta.concrete_fields:
        if fields is not None and f.name not in fields:
            continue
        if f.name in ("password",):
            continue
        value = getattr(instance, f.attname)
        if getattr(f, "is_sensitive", False):
            # Kept in memory only, wrapped so that `diff` reports that it changed, never the value.
            value = _Sensitive(value or "")
        values[f.name] = value
    return values


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [before, after]} for every field that changed; sensitive fields show only a mask."""
    changes = {}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old != new:
            if isinstance(old, _Sensitive) or isinstance(new, _Sensitive):
                changes[key] = [SENSITIVE_MASK if old else "", SENSITIVE_MASK if new else ""]
            else:
                changes[key] = [_plain(old), _plain(new)]
    return changes


def created(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, list[Any]]:
    return diff({}, snapshot(instance, fields))


def retention_cutoff(*, retention_days: int, now: datetime | None = None) -> datetime:
    if retention_days < 180:
        raise ValueError(_("Audit events must be kept for at least 180 days."))
    return (now or timezone.now()) - timedelta(days=retention_days)


def audit_purge(*, actor: Actor, retention_days: int, now: datetime | None = None) -> int:
    """Remove events older than the retention period, leaving a signed checkpoint.

    Only a prefix of the chain is removed (events up to the last one older than the cutoff), so
    the remaining events still verify from the checkpoint. The purge itself is an audit event.
    """
    cutoff = retention_cutoff(retention_days=retention_days, now=now)
    with transaction.atomic():
        AuditChainHead.objects.select_for_update().get_or_create(pk=1, defaults={"seq": 0, "hash": GENESIS_HASH})
        last = AuditEvent.objects.filter(occurred_at__lt=cutoff).order_by("-seq").first()
        if last is None:
            return 0
        previous = AuditCheckpoint.objects.order_by("-seq").first()
        count = AuditEvent.objects.filter(seq__lte=last.seq).count()
        checkpoint = AuditCheckpoint(
            seq=last.seq,
            hash=last.hash,
            purged_before=cutoff,
            purged_count=count + (previous.purged_count if previous else 0),
        )
        checkpoint.signature = chain.checkpoint_signature(checkpoint)
        checkpoint.save()
        # The base manager bypasses the append-only queryset; the database triggers allow deleting
        # only events at or below a checkpoint.
        AuditEvent._base_manager.filter(seq__lte=last.seq).delete()
    audit_record(
        actor=actor,
        action="audit.purge",
        object_type="audit.auditcheckpoint",
        object_id=checkpoint.pk,
        object_repr=f"#{checkpoint.seq}",
        message=_("Purged %(count)d audit events older than %(days)d days.") % {"count": count, "days": retention_days},
    )
    return count


EXPORT_FORMATS = ("xlsx", "csv")


def export_start(
    *,
    actor: Actor,
    kind: str,
    label: str,
    task: Any,
    action: str,
    filters: dict[str, str],
    allowed: Iterable[str] | None,
    fmt: str,
):
    """Start a filtered XLSX/CSV export as a background job. The request is itself an audit event
    with the filters used (every export of the platform goes through here). `allowed`: the filter
    names kept (None keeps all but the page number)."""
    from govcloud.core.services import job_start

    if fmt not in EXPORT_FORMATS:
        raise ValidationError(_("Choose XLSX or CSV."))
    keep = set(allowed) if allowed is not None else None
    clean = {k: v for k, v in filters.items() if v and k != "page" and (keep is None or k in keep)}
    with transaction.atomic():
        job = job_start(actor=actor, kind=kind, label=label, task=task, params={"filters": clean, "format": fmt})
        audit_record(
            actor=actor,
            action=action,
            object_type="core.job",
            object_id=job.pk,
            object_repr=job.label,
            message=chain.canonical_json(clean),
        )
    return job


def audit_export_start(*, actor: Actor, filters: dict[str, str], fmt: str):
    """Export the events this user may see, filtered, as a background job."""
    # Imported here: tasks import this module, and the job needs the task object.
    from govcloud.audit.tasks import audit_export_task

    require_role(actor, {Role.AUDIT_ADMIN, Role.DEPARTMENT_SECURITY_OFFICER})
    return export_start(
        actor=actor,
        kind="audit.export",
        label=_("Audit events export (%(fmt)s)") % {"fmt": fmt.upper()},
        task=audit_export_task,
        action="audit.export",
        filters=filters,
        allowed=None,
        fmt=fmt,
    )


def audit_verify(*, actor: Actor, progress=None) -> chain.VerifyResult:
    """Walk the whole chain now (the audit admin, or SYSTEM for the command and the job).

    The walk only reads. Its verdict is then recorded by `audit_verify_record`, a separate step that
    writes only when writing cannot change what a later verification finds."""
    require_role(actor, {Role.AUDIT_ADMIN})
    result = chain.verify_chain(progress=progress)
    audit_verify_record(actor=actor, result=result)
    return result


def audit_verify_record(*, actor: Actor, result: chain.VerifyResult) -> AuditEvent | None:
    """Append a verification's verdict to the chain as an `audit.verify` event, if it is safe to.

    Appending re-signs the chain head with this process's AUDIT_SIGNING_KEY. That is harmless only
    when the head's current signature verifies with the same key: then the key is the one that
    signed the chain, and the new event changes no verdict (an altered event stays altered, a gap
    stays a gap). Otherwise nothing is written, and the verdict goes to the log and to the caller
    (the command's exit status, the job's result, the API's answer):
    - a wrong key (a shell or worker without the production key) would sign the head with that key,
      and the next run with the right key would report tampering that never happened;
    - a forged head (a cut-off tail with the head rewritten to match) would get a valid signature,
      and the next run would find the chain intact.
    The head is checked again under its lock, as another process may append in between.
    """
    if not result.head_authentic:
        logger.warning("audit chain verification not recorded (head not signed with this key): %s", result.summary())
        return None
    try:
        event = audit_record(
            actor=actor,
            action="audit.verify",
            object_type="audit.auditevent",
            outcome=Outcome.SUCCESS if result.ok else Outcome.FAILURE,
            message=str(result.summary()),
            require_authentic_head=True,
        )
    except UnauthenticHead:
        logger.warning("audit chain verification not recorded (head changed and not signed with this key)")
        return None
    result.recorded = True
    return event


def audit_verify_start(*, actor: Actor):
    from govcloud.audit.tasks import audit_verify_task
    from govcloud.core.services import job_start

    require_role(actor, {Role.AUDIT_ADMIN})
    return job_start(actor=actor, kind="audit.verify", label=_("Audit chain verification"), task=audit_verify_task)
