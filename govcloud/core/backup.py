"""Backup and restore of a whole GovCloud instance: the database and the private files.

A backup is a folder (or a tar archive of one, `.tar`, `.tar.gz` or `.tgz`) holding:

- `database.pgdump` (PostgreSQL: `pg_dump --format=custom`) or `database.sqlite3` (SQLite: a copy
  made with SQLite's online backup API, consistent while the instance runs);
- `files/`: every file under settings.PRIVATE_MEDIA_ROOT (uploaded documents, generated exports);
- `manifest.json`: versions, the migrations applied, row counts per table, the file list, and the
  SM3 digest (GB/T 32905, as the audit chain uses) of the database part and of every file;
- `manifest.sm3`: the SM3 digest of manifest.json itself.

The row counts describe exactly what the database part holds: on PostgreSQL they are counted in the
snapshot pg_dump then dumps (`pg_export_snapshot`), on SQLite in the copy itself.

A restore checks every digest before it touches anything, so a damaged or altered backup restores
nothing; it then refuses an instance that is in use (it has user accounts, audit events or private
files) unless forced, loads the database (pg_restore's SQL run by psql in one transaction; on SQLite the backup API
again, which replaces the database whole), puts the files in place and counts the rows again.

The keys are not in a backup (settings: SECRET_KEY, FIELD_ENCRYPTION_KEY, AUDIT_SIGNING_KEY): they
stay outside the database by design, and the instance restored into needs the same ones to read the
encrypted fields and to verify the audit chain.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import django
from cryptography.hazmat.primitives import hashes
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
MANIFEST_DIGEST = "manifest.sm3"
FILES = "files"
DATABASE_PARTS = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
ARCHIVE_SUFFIXES = (".tar", ".tar.gz", ".tgz")
# Tables a user's first action fills: an instance with rows in any of them is in use. (Migrations
# themselves fill others: content types, permissions, the seeded policies and calendars.)
IN_USE_TABLES = ("organizations_user", "audit_auditevent")
_CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup that cannot be made, or a restore refused; the message says why."""


@dataclass(frozen=True)
class RestoreResult:
    manifest: dict
    replaced_files: Path | None  # where the files that were there before went (with --force)


# --- digests ----------------------------------------------------------------------------------


def sm3_file(path: Path) -> str:
    digest = hashes.Hash(hashes.SM3())
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.finalize().hex()


def _copy_with_digest(source: Path, target: Path) -> tuple[int, str]:
    digest = hashes.Hash(hashes.SM3())
    size = 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with source.open("rb") as reader, target.open("wb") as writer:
        while chunk := reader.read(_CHUNK):
            digest.update(chunk)
            writer.write(chunk)
            size += len(chunk)
    return size, digest.finalize().hex()


# --- the database -----------------------------------------------------------------------------


def _vendor() -> str:
    if connection.vendor not in DATABASE_PARTS:
        raise BackupError(f"backups support PostgreSQL and SQLite, not {connection.vendor}")
    return connection.vendor


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _count_rows(cursor, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")  # names from the catalog, quoted
        counts[table] = cursor.fetchone()[0]
    return counts


def _migrations(cursor, tables: dict[str, int]) -> list[list[str]]:
    if "django_migrations" not in tables:
        return []
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    return [[app, name] for app, name in cursor.fetchall()]


def _sqlite_tables(cursor) -> list[str]:
    cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    return [row[0] for row in cursor.fetchall()]


def _pg_tables(cursor) -> list[str]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    return [row[0] for row in cursor.fetchall()]


def _pg_environment() -> tuple[list[str], dict[str, str]]:
    """pg_dump/pg_restore arguments and environment for the default database (the password goes in
    the environment, never on a command line another user could read)."""
    params = connection.settings_dict
    args = []
    if params.get("HOST"):
        args += ["--host", str(params["HOST"])]
    if params.get("PORT"):
        args += ["--port", str(params["PORT"])]
    if params.get("USER"):
        args += ["--username", str(params["USER"])]
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    if params.get("PASSWORD"):
        env["PGPASSWORD"] = str(params["PASSWORD"])
    sslmode = (params.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    return [*args, "--dbname", str(params["NAME"])], env


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupError(f"{command[0]} is not installed (Debian package postgresql-client)") from None
    if completed.returncode != 0:
        raise BackupError(f"{command[0]} failed: {completed.stderr.strip()[-2000:]}")


def _tool_version(tool: str) -> str:
    try:
        return subprocess.run([tool, "--version"], capture_output=True, text=True, check=False).stdout.strip()
    except FileNotFoundError:
        return ""


def _dump_postgresql(target: Path) -> tuple[dict[str, int], list[list[str]], dict[str, str]]:
    args, env = _pg_environment()
    with transaction.atomic(), connection.cursor() as cursor:
        # The counts and pg_dump read one snapshot: the manifest describes exactly the dump.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        tables = _count_rows(cursor, _pg_tables(cursor))
        migrations = _migrations(cursor, tables)
        _run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-acl", f"--snapshot={snapshot}", "--file", str(target)]
            + args,
            env,
        )
    return tables, migrations, {"database_server": str(connection.pg_version), "pg_dump": _tool_version("pg_dump")}


def _dump_sqlite(target: Path) -> tuple[dict[str, int], list[list[str]], dict[str, str]]:
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        cursor = copy.cursor()
        tables = _count_rows(cursor, _sqlite_tables(cursor))
        migrations = _migrations(cursor, tables)
    finally:
        copy.close()
    return tables, migrations, {"database_server": sqlite3.sqlite_version}


# --- backup -----------------------------------------------------------------------------------


def _is_archive(path: Path) -> bool:
    return path.name.endswith(ARCHIVE_SUFFIXES)


def _private_files(root: Path) -> Iterator[Path]:
    if not root.is_dir():
        return
    for folder, _dirs, names in os.walk(root):
        for name in sorted(names):
            path = Path(folder) / name
            # Regular files only: a link could point anywhere on the machine.
            if path.is_file() and not path.is_symlink():
                yield path


def _govcloud_version() -> str:
    import tomllib

    try:
        return tomllib.loads((Path(settings.BASE_DIR) / "pyproject.toml").read_text())["project"]["version"]
    except (OSError, KeyError, ValueError):
        return ""


def _write_backup(folder: Path) -> dict:
    vendor = _vendor()
    part = DATABASE_PARTS[vendor]
    dump = _dump_postgresql if vendor == "postgresql" else _dump_sqlite
    tables, migrations, db_versions = dump(folder / part)
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    files = []
    for path in _private_files(root):
        relative = path.relative_to(root).as_posix()
        size, digest = _copy_with_digest(path, folder / FILES / relative)
        files.append({"path": relative, "size": size, "sm3": digest})
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "versions": {
            "govcloud": _govcloud_version(),
            "django": django.get_version(),
            "python": platform.python_version(),
            "database": vendor,
            **db_versions,
        },
        "database": {
            "vendor": vendor,
            "part": part,
            "size": (folder / part).stat().st_size,
            "sm3": sm3_file(folder / part),
        },
        "migrations": migrations,
        "tables": tables,
        "files": files,
        "totals": {"rows": sum(tables.values()), "files": len(files), "bytes": sum(f["size"] for f in files)},
    }
    body = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()
    (folder / MANIFEST).write_bytes(body)
    digest = hashes.Hash(hashes.SM3())
    digest.update(body)
    (folder / MANIFEST_DIGEST).write_text(f"{digest.finalize().hex()}  {MANIFEST}\n")
    return manifest


def backup_create(*, output: Path) -> dict:
    """Writes a backup to `output` (a new or empty folder, or an archive by its suffix); returns the
    manifest. Nothing is left behind when it fails."""
    output = Path(output)
    if _is_archive(output):
        if output.exists():
            raise BackupError(f"{output} exists already")
        output.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".govcloud-backup-", dir=output.parent) as staging:
            manifest = _write_backup(Path(staging))
            partial = output.with_name(output.name + ".partial")
            mode = "w" if output.name.endswith(".tar") else "w:gz"
            try:
                with tarfile.open(partial, mode) as archive:
                    for path in sorted(Path(staging).rglob("*")):
                        if path.is_file():
                            archive.add(path, arcname=path.relative_to(staging).as_posix(), recursive=False)
                partial.replace(output)
            finally:
                partial.unlink(missing_ok=True)
        return manifest
    if output.exists() and (not output.is_dir() or any(output.iterdir())):
        raise BackupError(f"{output} is not an empty folder")
    created = not output.exists()
    output.mkdir(parents=True, exist_ok=True)
    try:
        return _write_backup(output)
    except BaseException:
        if created:
            shutil.rmtree(output, ignore_errors=True)
        else:
            for child in output.iterdir():
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        raise


# --- verification -----------------------------------------------------------------------------


@contextmanager
def opened(source: Path) -> Iterator[Path]:
    """The backup's folder: `source` itself, or an archive unpacked into a temporary folder (with
    tarfile's "data" filter: no links out, no absolute paths, no devices)."""
    source = Path(source)
    if source.is_dir():
        yield source
        return
    if not source.is_file() or not tarfile.is_tarfile(source):
        raise BackupError(f"{source} is neither a backup folder nor a tar archive")
    with tempfile.TemporaryDirectory(prefix=".govcloud-restore-") as staging:
        try:
            with tarfile.open(source) as archive:
                archive.extractall(staging, filter="data")
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise BackupError(f"the archive cannot be read: {exc}") from None
        yield Path(staging)


def _safe_relative(path: str) -> bool:
    pure = PurePosixPath(path)
    return bool(path) and not pure.is_absolute() and ".." not in pure.parts and "\\" not in path


def backup_verify(folder: Path) -> dict:
    """The manifest, once every digest in it has been checked; BackupError naming the first part
    that is missing, altered or unexpected."""
    try:
        expected = (folder / MANIFEST_DIGEST).read_text().split()[0]
        body = (folder / MANIFEST).read_bytes()
    except (OSError, IndexError):
        raise BackupError("the backup has no manifest (manifest.json and manifest.sm3)") from None
    digest = hashes.Hash(hashes.SM3())
    digest.update(body)
    if digest.finalize().hex() != expected:
        raise BackupError("manifest.json does not match its SM3 digest: the backup was altered or damaged")
    try:
        manifest = json.loads(body)
        database = manifest["database"]
        files = manifest["files"]
        well_formed = (
            isinstance(manifest["tables"], dict)
            and isinstance(manifest["migrations"], list)
            and isinstance(database.get("part"), str)
            and all(isinstance(f.get("path"), str) for f in files)
            and all(isinstance(e.get("sm3"), str) and isinstance(e.get("size"), int) for e in [database, *files])
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        well_formed = False
    if not well_formed:
        raise BackupError("manifest.json is not a GovCloud backup manifest")
    if manifest.get("format") != FORMAT:
        raise BackupError(f"backup format {manifest.get('format')} is not supported (this version reads {FORMAT})")
    if database.get("part") not in DATABASE_PARTS.values():
        raise BackupError("the manifest names no database part")
    parts = [(database["part"], database)] + [(f"{FILES}/{f['path']}", f) for f in files]
    for name, entry in parts:
        if not _safe_relative(name):
            raise BackupError(f"the manifest names an unsafe path: {name}")
        path = folder / name
        if not path.is_file() or path.is_symlink():
            raise BackupError(f"{name} is missing from the backup")
        if path.stat().st_size != entry["size"] or sm3_file(path) != entry["sm3"]:
            raise BackupError(f"{name} does not match its SM3 digest: the backup was altered or damaged")
    listed = {f"{FILES}/{f['path']}" for f in files}
    present = {p.relative_to(folder).as_posix() for p in (folder / FILES).rglob("*") if not p.is_dir()}
    if present - listed:
        raise BackupError(f"files not in the manifest: {', '.join(sorted(present - listed)[:5])}")
    return manifest


# --- restore ----------------------------------------------------------------------------------


def _current_tables() -> dict[str, int]:
    with connection.cursor() as cursor:
        tables = _pg_tables(cursor) if connection.vendor == "postgresql" else _sqlite_tables(cursor)
        return _count_rows(cursor, tables)


def instance_in_use() -> list[str]:
    """Why this instance is not empty (nothing: it is): rows in the tables a first sign-in fills, or
    private files. A database just migrated, with only what migrations seed, counts as empty."""
    reasons = []
    with connection.cursor() as cursor:
        existing = set(_pg_tables(cursor) if connection.vendor == "postgresql" else _sqlite_tables(cursor))
        for table, count in _count_rows(cursor, [t for t in IN_USE_TABLES if t in existing]).items():
            if count:
                reasons.append(f"{count} rows in {table}")
    files = sum(1 for _ in _private_files(Path(settings.PRIVATE_MEDIA_ROOT)))
    if files:
        reasons.append(f"{files} private files under {settings.PRIVATE_MEDIA_ROOT}")
    return reasons


def _restore_postgresql(part: Path) -> None:
    """One transaction: empty the schema, then run the dump's SQL (pg_restore's --clean cannot drop
    the constraints of partitions, monitoring's samples). Any error rolls all of it back."""
    args, env = _pg_environment()
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = _quote(cursor.fetchone()[0])
    connection.close()  # the tables it may hold plans for are about to be replaced
    # Beside the backup would write into it (it may be read-only, and is the operator's).
    with tempfile.TemporaryDirectory(prefix=".govcloud-restore-sql-") as scratch:
        script = Path(scratch) / "restore.sql"
        _run(["pg_restore", "--no-owner", "--no-acl", "--file", str(script), str(part)], env)
        _run(
            [
                "psql",
                "--no-psqlrc",
                "--quiet",
                "--set",
                "ON_ERROR_STOP=1",
                "--single-transaction",
                "--command",
                f"DROP SCHEMA IF EXISTS {schema} CASCADE",
                "--command",
                f"CREATE SCHEMA {schema}",
                "--file",
                str(script),
                *args,
            ],
            env,
        )


def _restore_sqlite(part: Path) -> None:
    connection.ensure_connection()
    if connection.in_atomic_block:
        raise BackupError("restore cannot run inside a transaction")
    source = sqlite3.connect(f"file:{part}?mode=ro", uri=True)
    try:
        # Replaces the whole database, schema included, page by page, under SQLite's lock.
        source.backup(connection.connection)
    finally:
        source.close()
    connection.close()


def _restore_files(folder: Path, files: list[dict]) -> Path | None:
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    replaced = None
    if root.exists() and any(root.iterdir()):
        # Only with --force: the files there before are kept beside, never deleted.
        replaced = root.with_name(f"{root.name}.replaced-{timezone.now():%Y%m%dT%H%M%S}")
        root.rename(replaced)
    root.mkdir(parents=True, exist_ok=True)
    for entry in files:
        target = root / entry["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(folder / FILES / entry["path"], target)
    return replaced


def backup_restore(*, source: Path, force: bool = False) -> RestoreResult:
    """Restores the backup at `source` into this instance (see the module docstring)."""
    vendor = _vendor()
    with opened(source) as folder:
        manifest = backup_verify(folder)
        if manifest["database"]["vendor"] != vendor:
            raise BackupError(
                f"the backup is of a {manifest['database']['vendor']} database; this instance uses {vendor}"
            )
        if not force and (reasons := instance_in_use()):
            raise BackupError(
                "this instance is not empty (" + "; ".join(reasons) + "); restore into a new instance, or use --force"
            )
        part = folder / manifest["database"]["part"]
        (_restore_postgresql if vendor == "postgresql" else _restore_sqlite)(part)
        replaced = _restore_files(folder, manifest["files"])
    tables = _current_tables()
    differ = sorted(t for t, n in manifest["tables"].items() if tables.get(t) != n)
    if differ:
        raise BackupError(f"restored, but these tables' row counts differ from the manifest: {', '.join(differ[:10])}")
    return RestoreResult(manifest=manifest, replaced_files=replaced)
