"""Verifying the audit chain only reads (issue 12).

A verification run with the wrong AUDIT_SIGNING_KEY (a shell without the production key, a worker
configured by mistake) used to append its verdict to the chain, re-signing the head with that wrong
key: the next run with the right key then reported tampering that never happened. Verification must
leave the database as it found it; its verdict is recorded only when appending cannot change what a
later verification finds.
"""

from __future__ import annotations

import contextlib
import re

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from conftest import login
from govcloud.audit import chain, services
from govcloud.audit.models import AuditChainHead, AuditEvent, Outcome
from govcloud.audit.services import audit_record
from govcloud.audit.tasks import audit_verify_task
from govcloud.core.actors import SYSTEM
from govcloud.core.models import Job, JobStatus
from govcloud.core.roles import Role

pytestmark = pytest.mark.django_db

_WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER)\b|\bFOR UPDATE\b", re.IGNORECASE)


@contextlib.contextmanager
def no_writes():
    """Fails the test if any statement that writes (or locks rows for writing) runs inside."""
    writes: list[str] = []

    def guard(execute, sql, params, many, context):
        if _WRITE.search(sql):
            writes.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(guard):
        yield writes
    assert not writes, writes


def database_dump() -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order: compared before and after a run."""
    dump = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        dump[model._meta.db_table] = list(model._base_manager.order_by("pk").values_list())
    return dump


def _chain(n: int = 3) -> None:
    for i in range(n):
        audit_record(actor=SYSTEM, action="test.event", message=f"event {i}")


def test_command_with_a_wrong_key_reports_failure_and_writes_nothing(capsys):
    _chain()
    before = database_dump()
    with (
        override_settings(AUDIT_SIGNING_KEY="not-the-key-that-signed-the-chain"),
        no_writes(),
        pytest.raises(CommandError, match="signature"),
    ):
        call_command("audit_verify")
    assert database_dump() == before
    assert "not recorded" in capsys.readouterr().err
    # The right key finds the chain intact: the wrong-key run left no trace.
    call_command("audit_verify")
    assert "intact" in capsys.readouterr().out
    # A run with the right key records its verdict, and the chain still verifies after it.
    assert AuditEvent.objects.filter(action="audit.verify", outcome=Outcome.SUCCESS).count() == 1
    assert chain.verify_chain().ok


def test_service_with_a_wrong_key_changes_nothing_and_says_it_did_not_record():
    _chain()
    before = database_dump()
    with override_settings(AUDIT_SIGNING_KEY="wrong"), no_writes():
        result = services.audit_verify(actor=SYSTEM)
    assert not result.ok and not result.recorded
    assert "signature" in result.problem
    assert database_dump() == before
    assert services.audit_verify(actor=SYSTEM).ok


def test_failed_verification_with_the_right_key_is_recorded():
    """The key is proven right (the head's signature verifies): the FAILURE verdict is appended, and
    appending does not hide the altered event from the next run."""
    _chain(4)
    from govcloud.audit.tests.test_chain import _raw

    _raw("UPDATE audit_auditevent SET message = %s WHERE seq = %s", ["forged", 2])
    result = services.audit_verify(actor=SYSTEM)
    assert not result.ok and result.recorded and result.broken_seq == 2
    assert AuditEvent.objects.filter(action="audit.verify", outcome=Outcome.FAILURE).count() == 1
    assert chain.verify_chain().broken_seq == 2


def test_a_forged_head_is_not_healed_by_recording_the_verdict():
    """The tail is cut off and the head rewritten to match, without the key: recording the verdict
    would re-sign that head with a valid signature and make the next run pass. It is not recorded."""
    _chain(4)
    from govcloud.audit.tests.test_chain import _raw

    _raw("DELETE FROM audit_auditevent WHERE seq = %s", [4])
    AuditChainHead.objects.filter(pk=1).update(seq=3, hash=AuditEvent.objects.get(seq=3).hash)
    result = services.audit_verify(actor=SYSTEM)
    assert not result.ok and not result.recorded
    assert not services.audit_verify(actor=SYSTEM).ok
    assert not AuditEvent.objects.filter(action="audit.verify").exists()


def test_verification_job_with_a_wrong_key_leaves_the_chain_alone(city):
    _chain()
    admin = city.user(Role.AUDIT_ADMIN)
    job = services.audit_verify_start(actor=admin)
    head = AuditChainHead.objects.values_list("seq", "hash", "signature").get()
    count = AuditEvent.objects.count()
    with override_settings(AUDIT_SIGNING_KEY="wrong"):
        audit_verify_task.call(str(job.pk))
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.result["ok"] is False and job.result["recorded"] is False
    assert AuditChainHead.objects.values_list("seq", "hash", "signature").get() == head
    assert AuditEvent.objects.count() == count
    assert chain.verify_chain().ok
    assert Job.objects.count() == 1


def test_api_verification_with_a_wrong_key_writes_nothing(city, client):
    _chain()
    admin = city.user(Role.AUDIT_ADMIN)
    login(client, admin)
    client.get("/audit/")  # the session's activity stamp is written once; not part of the check
    before = database_dump()
    with override_settings(AUDIT_SIGNING_KEY="wrong"), no_writes():
        response = client.post("/api/v1/audit-chain/verify/")
    assert response.status_code == 200
    assert response.json()["ok"] is False
    assert database_dump() == before
    assert client.post("/api/v1/audit-chain/verify/").json()["ok"] is True


def test_audit_pages_and_reads_write_nothing(city, client):
    _chain()
    admin = city.user(Role.AUDIT_ADMIN)
    login(client, admin)
    client.get("/audit/")
    pk = AuditEvent.objects.order_by("seq").first().pk
    with no_writes():
        for url in ("/audit/", f"/audit/{pk}/", "/audit/verify/", "/api/v1/audit-events/"):
            assert client.get(url).status_code == 200, url
        chain.verify_chain()


def test_events_appended_while_verifying_are_not_reported_as_tampering():
    """A writer appends while the verification walks the chain (the head was read first): the new
    events are covered by the head by the time they are seen, so they are no sign of tampering."""
    _chain(3)
    fired = []

    def append_during_walk(execute, sql, params, many, context):
        if not fired and 'FROM "audit_auditevent"' in sql and "ORDER BY" in sql:
            fired.append(sql)
            audit_record(actor=SYSTEM, action="test.concurrent")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(append_during_walk):
        result = chain.verify_chain()
    assert fired
    assert result.ok, result.problem


def test_an_event_beyond_the_signed_head_is_still_reported():
    _chain(3)
    last = AuditEvent.objects.get(seq=3)
    forged = AuditEvent(
        seq=4,
        occurred_at=last.occurred_at,
        actor_username="intruder",
        action="test.forged",
        prev_hash=last.hash,
    )
    forged.hash = chain.event_hash(forged)
    forged.save()
    result = chain.verify_chain()
    assert not result.ok
    assert result.broken_seq == 4 and "not covered" in result.problem
