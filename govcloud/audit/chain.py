"""Canonical content, SM3 hashes and HMAC-SM3 signatures of the audit chain, and its verification."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _

from govcloud.audit.models import GENESIS_HASH, AuditChainHead, AuditCheckpoint, AuditEvent
from govcloud.core.crypto import constant_time_equal, hmac_sm3_hex, sm3_hex

HASHED_FIELDS = (
    "seq",
    "occurred_at",
    "actor_id",
    "actor_username",
    "actor_name",
    "actor_roles",
    "organization_id",
    "organization_name",
    "organization_path",
    "subject_organization_path",
    "action",
    "outcome",
    "object_type",
    "object_id",
    "object_repr",
    "changes",
    "message",
    "request_id",
    "source_ip",
    "user_agent",
    "prev_hash",
)


def canonical_json(value) -> str:
    """One text for one value: sorted keys, no spaces, Unicode kept, Decimal/dates as strings."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), cls=DjangoJSONEncoder)


def _timestamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(event: AuditEvent) -> str:
    content = {name: getattr(event, name) for name in HASHED_FIELDS}
    content["occurred_at"] = _timestamp(event.occurred_at)
    return sm3_hex(canonical_json(content).encode("utf-8"))


def _sign(*parts: object) -> str:
    message = "|".join(str(p) for p in parts).encode("utf-8")
    return hmac_sm3_hex(settings.AUDIT_SIGNING_KEY.encode("utf-8"), message)


def head_signature(seq: int, hash_: str) -> str:
    return _sign("head", seq, hash_)


def checkpoint_signature(checkpoint: AuditCheckpoint) -> str:
    return _sign(
        "checkpoint", checkpoint.seq, checkpoint.hash, _timestamp(checkpoint.purged_before), checkpoint.purged_count
    )


@dataclass
class VerifyResult:
    ok: bool
    checked: int = 0
    first_seq: int | None = None
    last_seq: int | None = None
    # The first problem found: the sequence number it concerns and what is wrong.
    broken_seq: int | None = None
    problem: str = ""
    details: list[str] = field(default_factory=list)
    # The chain head exists and its signature verifies with this process's AUDIT_SIGNING_KEY: only
    # then may the verdict be appended (appending re-signs the head with this key).
    head_authentic: bool = False
    # Whether the verdict was appended to the chain as an `audit.verify` event (set by the service).
    recorded: bool = False

    def summary(self) -> str:
        if self.ok:
            if not self.checked:
                return _("The audit chain is intact (no events yet).")
            return _("The audit chain is intact: %(count)d events, #%(first)d to #%(last)d.") % {
                "count": self.checked,
                "first": self.first_seq,
                "last": self.last_seq,
            }
        return self.problem


def head_is_authentic(head: AuditChainHead | None) -> bool:
    """The head exists, covers at least one event, and carries this key's signature."""
    return bool(
        head is not None and head.seq and constant_time_equal(head.signature, head_signature(head.seq, head.hash))
    )


def verify_chain(
    events: Iterable[AuditEvent] | None = None,
    *,
    progress=None,
    batch: int = 2000,
) -> VerifyResult:
    """Walk the chain from the latest checkpoint (or the genesis) to the signed head.

    Names the first event that is altered (its hash does not match its content), missing (a gap
    in the sequence) or out of place (its previous-hash does not match), and a cut-off tail.

    Only reads: it never writes, locks or re-signs anything, whatever key it is given.
    """
    checkpoint = AuditCheckpoint.objects.order_by("-seq").first()
    # The head is read before the events, and the walk stops at it: events appended meanwhile by
    # other writers are checked against the head as it is then (below), not reported as tampering.
    head = AuditChainHead.objects.filter(pk=1).first()
    result = VerifyResult(ok=True, head_authentic=head_is_authentic(head))
    if checkpoint is not None and not constant_time_equal(checkpoint.signature, checkpoint_signature(checkpoint)):
        result.ok = False
        result.broken_seq = checkpoint.seq
        result.problem = _("The purge checkpoint at #%(seq)d has an invalid signature.") % {"seq": checkpoint.seq}
        return result
    expected_seq = checkpoint.seq + 1 if checkpoint else 1
    expected_prev = checkpoint.hash if checkpoint else GENESIS_HASH
    head_seq = head.seq if head else 0
    head_hash = head.hash if head else GENESIS_HASH
    total = head_seq - expected_seq + 1

    if events is None:
        events = (
            AuditEvent.objects.filter(seq__gte=expected_seq, seq__lte=head_seq)
            .order_by("seq")
            .iterator(chunk_size=batch)
        )
    for event in events:
        if event.seq != expected_seq:
            result.ok = False
            result.broken_seq = expected_seq
            result.problem = _("Event #%(seq)d is missing (the next event present is #%(next)d).") % {
                "seq": expected_seq,
                "next": event.seq,
            }
            return result
        if event.prev_hash != expected_prev:
            result.ok = False
            result.broken_seq = event.seq
            result.problem = _("Event #%(seq)d does not link to the event before it.") % {"seq": event.seq}
            return result
        if not constant_time_equal(event_hash(event), event.hash):
            result.ok = False
            result.broken_seq = event.seq
            result.problem = _("Event #%(seq)d was altered: its content does not match its hash.") % {"seq": event.seq}
            return result
        if result.first_seq is None:
            result.first_seq = event.seq
        result.last_seq = event.seq
        result.checked += 1
        expected_seq += 1
        expected_prev = event.hash
        if progress and result.checked % batch == 0:
            progress(result.checked, max(total, result.checked))

    if head is not None and head.seq and not result.head_authentic:
        result.ok = False
        result.broken_seq = head.seq
        result.problem = _("The chain head (#%(seq)d) has an invalid signature.") % {"seq": head.seq}
        return result
    last_seq = expected_seq - 1
    if head_seq != last_seq or head_hash != expected_prev:
        result.ok = False
        result.broken_seq = last_seq + 1
        result.problem = _("Event #%(seq)d is missing: the signed chain head says the chain ends at #%(head)d.") % {
            "seq": last_seq + 1,
            "head": head_seq,
        }
        if head_seq < last_seq:
            _not_covered(result, head_seq)
        return result
    beyond = _uncovered_event(head_seq)
    if beyond is not None:
        _not_covered(result, head_seq)
        return result
    if progress:
        progress(result.checked, result.checked)
    return result


def _uncovered_event(head_seq: int) -> int | None:
    """The first event after the head that no signed head covers, or None.

    An append writes its event and the new head in one transaction, so once an event is seen, a
    head covering it has been committed: reading the head again after seeing the event tells an
    append made during the walk (covered now) from an event slipped in behind the head's back.
    """
    first = AuditEvent.objects.filter(seq__gt=head_seq).order_by("seq").values_list("seq", flat=True).first()
    if first is None:
        return None
    head = AuditChainHead.objects.filter(pk=1).first()
    newest = AuditEvent.objects.filter(seq__gt=head_seq).order_by("-seq").values_list("seq", flat=True).first()
    if head is not None and head_is_authentic(head) and newest is not None and head.seq >= newest:
        return None
    return first


def _not_covered(result: VerifyResult, head_seq: int) -> None:
    result.ok = False
    result.broken_seq = head_seq + 1
    result.problem = _("Event #%(seq)d is not covered by the signed chain head (#%(head)d).") % {
        "seq": head_seq + 1,
        "head": head_seq,
    }
