"""Backup and restore round-trip an instance (on SQLite, and on PostgreSQL when DATABASE_URL says
so): the same rows in every table, the same private files, an audit chain that verifies; and a
damaged backup or an instance in use restores nothing."""

from __future__ import annotations

import io
import json
import shutil
import tarfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from govcloud.audit.models import AuditEvent
from govcloud.audit.services import audit_record, audit_verify
from govcloud.core import backup
from govcloud.core.actors import SYSTEM
from govcloud.core.crypto import sm3_hex
from govcloud.core.roles import Role
from govcloud.organizations.models import User

pytestmark = pytest.mark.django_db(transaction=True)

FILES = {
    "attachments/2026/11/stamped.pdf": b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\n%%EOF\n",
    "jobs/export.csv": "编号,名称\n1,甲局\n".encode(),
}


@pytest.fixture
def private_root(settings, tmp_path):
    """A private folder of the test's own (the suite's is shared by every test)."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def instance(city, private_root):
    """An instance in use: people, audit events, private files."""
    users = [city.user(Role.DEPARTMENT_APPLICANT), city.user(Role.CENTER_ADMIN), city.user(Role.AUDIT_ADMIN)]
    for user in users:
        audit_record(actor=user, action="auth.login", target=user)
    for relative, content in FILES.items():
        path = private_root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    assert audit_verify(actor=SYSTEM).ok
    return users


def empty_the_instance(private_root: Path, *, fresh: bool = False) -> None:
    """What a new instance looks like, without private files: `fresh`, a new database without a
    single table; otherwise one just migrated (the schema, no rows)."""
    if not fresh:
        call_command("flush", interactive=False, verbosity=0)
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
    else:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA foreign_keys = OFF")
            for table in backup._sqlite_tables(cursor):
                cursor.execute(f'DROP TABLE "{table}"')
            cursor.execute("PRAGMA foreign_keys = ON")
    shutil.rmtree(private_root, ignore_errors=True)


@pytest.mark.parametrize(("name", "fresh"), [("backup.tar.gz", True), ("backup-folder", False)])
def test_round_trip_into_an_empty_instance(instance, private_root, tmp_path, name, fresh):
    before = backup._current_tables()
    target = tmp_path / name
    call_command("backup", str(target), stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert target.is_file() if name.endswith(".gz") else (target / backup.MANIFEST).is_file()

    empty_the_instance(private_root, fresh=fresh)
    assert backup.instance_in_use() == []
    if fresh:
        assert backup._current_tables() == {}

    call_command("restore", str(target), stdout=open("/dev/null", "w"))  # noqa: SIM115

    after = backup._current_tables()
    assert after == before
    assert sorted(User.objects.values_list("username", flat=True)) == sorted(u.username for u in instance)
    assert AuditEvent.objects.filter(action="auth.login").count() == 3
    for relative, content in FILES.items():
        assert (private_root / relative).read_bytes() == content
    assert audit_verify(actor=SYSTEM).ok
    call_command("audit_verify", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_the_manifest(instance, private_root, tmp_path):
    manifest = backup.backup_create(output=tmp_path / "b")
    on_disk = json.loads((tmp_path / "b" / backup.MANIFEST).read_text())
    assert on_disk == manifest
    assert manifest["versions"]["database"] == connection.vendor
    assert manifest["versions"]["django"] and manifest["versions"]["govcloud"]
    assert manifest["tables"]["organizations_user"] == 3
    assert manifest["tables"]["audit_auditevent"] == AuditEvent.objects.count()
    assert ["audit", "0001_initial"] in manifest["migrations"]
    assert {f["path"] for f in manifest["files"]} == set(FILES)
    part = tmp_path / "b" / manifest["database"]["part"]
    assert backup.sm3_file(part) == manifest["database"]["sm3"]
    stamped = next(f for f in manifest["files"] if f["path"].endswith(".pdf"))
    assert stamped["sm3"] == backup.sm3_file(private_root / stamped["path"]) and len(stamped["sm3"]) == 64
    if connection.vendor == "postgresql":
        assert part.read_bytes().startswith(b"PGDMP")  # pg_dump's custom format
    else:
        assert part.read_bytes().startswith(b"SQLite format 3\x00")


def test_a_damaged_backup_restores_nothing(instance, private_root, tmp_path):
    folder = tmp_path / "b"
    manifest = backup.backup_create(output=folder)
    empty_the_instance(private_root)
    empty = backup._current_tables()

    altered = folder / backup.FILES / "jobs/export.csv"
    altered.write_bytes(altered.read_bytes().replace("甲局".encode(), "乙局".encode()))
    with pytest.raises(CommandError, match="jobs/export.csv does not match its SM3 digest"):
        call_command("restore", str(folder))
    altered.write_bytes(FILES["jobs/export.csv"])

    # A byte of the database part.
    part = folder / manifest["database"]["part"]
    data = bytearray(part.read_bytes())
    data[len(data) // 2] ^= 0x01
    part.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="does not match its SM3 digest"):
        call_command("restore", str(folder))

    # A file slipped in; then a manifest edited without its digest.
    (folder / backup.FILES / "extra.txt").write_text("x")
    with pytest.raises(CommandError, match="not in the manifest|does not match"):
        call_command("restore", str(folder))
    (folder / backup.MANIFEST).write_text((folder / backup.MANIFEST).read_text().replace('"format": 1', '"format": 2'))
    with pytest.raises(CommandError, match="manifest.json does not match its SM3 digest"):
        call_command("restore", str(folder))

    # A truncated archive.
    archive = tmp_path / "b.tar"
    shutil.rmtree(folder)
    backup.backup_create(output=archive)
    archive.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(CommandError):
        call_command("restore", str(archive))

    # Exactly as empty as before.
    assert backup._current_tables() == empty
    assert backup.instance_in_use() == []


def test_an_instance_in_use_is_refused_unless_forced(instance, private_root, tmp_path):
    folder = tmp_path / "b"
    backup.backup_create(output=folder)
    audit_record(actor=SYSTEM, action="auth.login", target=instance[0])  # after the backup
    (private_root / "later.pdf").write_bytes(b"%PDF-later")
    with pytest.raises(CommandError, match="not empty .*rows in organizations_user.*private files"):
        call_command("restore", str(folder))
    assert AuditEvent.objects.filter(action="auth.login").count() == 4

    call_command("restore", str(folder), "--force", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert AuditEvent.objects.filter(action="auth.login").count() == 3
    assert not (private_root / "later.pdf").exists()
    kept = list(private_root.parent.glob("private.replaced-*"))
    assert len(kept) == 1 and (kept[0] / "later.pdf").read_bytes() == b"%PDF-later"
    assert audit_verify(actor=SYSTEM).ok


def test_backup_refuses_a_folder_in_use_and_leaves_nothing_when_it_fails(instance, tmp_path, monkeypatch):
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "x").write_text("x")
    with pytest.raises(CommandError, match="not an empty folder"):
        call_command("backup", str(busy))

    def broken(target):
        raise backup.BackupError("pg_dump failed: disk full")

    monkeypatch.setitem(backup.__dict__, "_dump_sqlite", broken)
    monkeypatch.setitem(backup.__dict__, "_dump_postgresql", broken)
    with pytest.raises(CommandError, match="disk full"):
        call_command("backup", str(tmp_path / "new"))
    assert not (tmp_path / "new").exists()
    with pytest.raises(CommandError, match="disk full"):
        call_command("backup", str(tmp_path / "new.tar.gz"))
    # Nothing left beside: no partial archive, no staging folder.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["busy", "private"]


def test_a_backup_of_another_database_kind_is_refused(instance, tmp_path):
    folder = tmp_path / "b"
    manifest = backup.backup_create(output=folder)
    other = "sqlite" if connection.vendor == "postgresql" else "postgresql"
    manifest["database"]["vendor"] = other
    body = json.dumps(manifest).encode()
    (folder / backup.MANIFEST).write_bytes(body)
    (folder / backup.MANIFEST_DIGEST).write_text(sm3_hex(body))
    with pytest.raises(CommandError, match=f"backup is of a {other} database"):
        call_command("restore", str(folder), "--force")


def test_an_archive_cannot_write_outside_its_folder(tmp_path):
    evil = tmp_path / "evil.tar"
    with tarfile.open(evil, "w") as archive:
        info = tarfile.TarInfo("../outside.txt")
        info.size = 1
        archive.addfile(info, io.BytesIO(b"x"))
    with pytest.raises(backup.BackupError, match="outside the destination"), backup.opened(evil):
        pass
    assert not (tmp_path.parent / "outside.txt").exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's restore runs in psql")
def test_a_postgresql_restore_that_fails_half_way_changes_nothing(instance, private_root, tmp_path, monkeypatch):
    folder = tmp_path / "b"
    backup.backup_create(output=folder)
    audit_record(actor=SYSTEM, action="auth.login", target=instance[0])
    before = backup._current_tables()
    run = backup._run

    def failing_at_the_end(command, env):
        if command[0] == "psql":  # the schema emptied and the whole dump loaded, then an error
            command = [
                *command[: command.index("--file") + 2],
                "--command",
                "SELECT 1/0",
                *command[command.index("--file") + 2 :],
            ]
        return run(command, env)

    monkeypatch.setattr(backup, "_run", failing_at_the_end)
    with pytest.raises(CommandError, match="division by zero"):
        call_command("restore", str(folder), "--force")
    assert backup._current_tables() == before
    assert AuditEvent.objects.filter(action="auth.login").count() == 4
    assert audit_verify(actor=SYSTEM).ok
    # The files come after the database: untouched, nothing moved aside.
    assert (private_root / "jobs/export.csv").read_bytes() == FILES["jobs/export.csv"]
    assert not list(private_root.parent.glob("private.replaced-*"))
