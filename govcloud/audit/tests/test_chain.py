"""The audit trail is append-only and tamper-evident (Art. 7, 16; Cybersecurity Law Art. 21)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from govcloud.audit import guard
from govcloud.audit.chain import verify_chain
from govcloud.audit.models import AuditChainHead, AuditCheckpoint, AuditEvent
from govcloud.audit.services import audit_purge, audit_record
from govcloud.core.actors import SYSTEM

pytestmark = pytest.mark.django_db


def _events(n: int) -> list[AuditEvent]:
    return [audit_record(actor=SYSTEM, action="test.event", message=f"event {i}") for i in range(n)]


def _raw(sql: str, params=()) -> None:
    """Run SQL as someone with direct database access would: with the guard triggers bypassed."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_guard")
            cursor.execute(sql, params)
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_guard")
        else:
            for drop in guard.SQLITE_DROP:
                cursor.execute(drop)
            cursor.execute(sql, params)
            for create in guard.SQLITE_CREATE:
                cursor.execute(create)


def test_events_chain_and_verify():
    events = _events(5)
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert all(b.prev_hash == a.hash for a, b in zip(events, events[1:], strict=False))
    result = verify_chain()
    assert result.ok, result.problem
    assert result.checked == 5


def test_event_has_actor_system_when_no_request():
    event = audit_record(actor=SYSTEM, action="test.system")
    assert event.actor_username == "system"
    assert event.request_id == ""


def test_altered_row_is_named():
    _events(6)
    _raw("UPDATE audit_auditevent SET message = %s WHERE seq = %s", ["forged", 4])
    result = verify_chain()
    assert not result.ok
    assert result.broken_seq == 4
    assert "#4" in result.problem and "altered" in result.problem


def test_missing_row_is_named():
    _events(6)
    _raw("DELETE FROM audit_auditevent WHERE seq = %s", [3])
    result = verify_chain()
    assert not result.ok
    assert result.broken_seq == 3
    assert "missing" in result.problem


def test_cut_off_tail_is_detected_by_the_signed_head():
    _events(4)
    _raw("DELETE FROM audit_auditevent WHERE seq = %s", [4])
    result = verify_chain()
    assert not result.ok
    assert result.broken_seq == 4


def test_recomputed_chain_without_the_key_is_detected():
    """Someone rewrites an event and recomputes every hash after it (SM3 has no key), and even the
    head's hash: the head's HMAC signature, keyed outside the database, gives it away."""
    from govcloud.audit.chain import event_hash

    _events(3)
    _raw("UPDATE audit_auditevent SET message = %s WHERE seq = %s", ["forged", 2])
    prev = AuditEvent.objects.get(seq=1).hash
    for seq in (2, 3):
        event = AuditEvent.objects.get(seq=seq)
        event.prev_hash = prev
        new_hash = event_hash(event)
        _raw("UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE seq = %s", [prev, new_hash, seq])
        prev = new_hash
    AuditChainHead.objects.filter(pk=1).update(hash=prev)
    result = verify_chain()
    assert not result.ok
    assert "signature" in result.problem


def test_database_refuses_update_and_delete():
    guard.maintenance["allow_delete"] = False
    _events(2)
    for sql in ("UPDATE audit_auditevent SET message = 'x'", "DELETE FROM audit_auditevent"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEvent.objects.count() == 2


def test_orm_refuses_update_and_delete():
    event = _events(1)[0]
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).update(message="x")
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()


def test_purge_leaves_a_checkpoint_and_the_rest_verifies(time_machine):
    guard.maintenance["allow_delete"] = False
    time_machine.move_to(timezone.now() - timedelta(days=200))
    _events(3)
    time_machine.move_to(timezone.now() + timedelta(days=200))
    _events(2)
    purged = audit_purge(actor=SYSTEM, retention_days=180)
    assert purged == 3
    assert AuditEvent.objects.filter(seq__lte=3).count() == 0
    checkpoint = AuditCheckpoint.objects.get()
    assert checkpoint.seq == 3
    result = verify_chain()
    assert result.ok, result.problem
    # The purge itself is an event.
    assert AuditEvent.objects.filter(action="audit.purge").exists()


def test_purge_never_keeps_less_than_180_days():
    with pytest.raises(ValueError):
        audit_purge(actor=SYSTEM, retention_days=179)


def test_forged_checkpoint_is_detected(time_machine):
    time_machine.move_to(timezone.now() - timedelta(days=200))
    _events(2)
    time_machine.move_to(timezone.now() + timedelta(days=200))
    _events(1)
    audit_purge(actor=SYSTEM, retention_days=180)
    AuditCheckpoint.objects.update(purged_count=0)
    result = verify_chain()
    assert not result.ok
    assert "checkpoint" in result.problem


def test_audit_verify_command(capsys):
    _events(3)
    call_command("audit_verify")
    assert "intact" in capsys.readouterr().out
    _raw("UPDATE audit_auditevent SET object_repr = %s WHERE seq = %s", ["x", 2])
    with pytest.raises(CommandError, match="#2"):
        call_command("audit_verify")


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_unbroken_chain():
    errors = []

    def writer(n):
        try:
            for i in range(10):
                audit_record(actor=SYSTEM, action="test.concurrent", message=f"{n}-{i}")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(AuditEvent.objects.values_list("seq", flat=True)) == list(range(1, 41))
    assert verify_chain().ok
