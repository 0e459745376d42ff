"""Database-level append-only guard for audit events, beside the ORM's.

PostgreSQL: a trigger refuses any UPDATE, and any DELETE of an event not yet covered by a purge
checkpoint. SQLite: the same rules as triggers; the DELETE trigger also asks the function
`govcloud_audit_locked()`, which only GovCloud's own connections define — another client (the
sqlite3 shell) fails on it, and a test-database flush can switch it off.
"""

from django.db.backends.signals import connection_created
from django.dispatch import receiver

# Switched on only for wiping a whole test database (pytest's flush between transactional tests).
maintenance = {"allow_delete": False}

SQLITE_CREATE = [
    """CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;""",
    """CREATE TRIGGER IF NOT EXISTS audit_event_no_delete BEFORE DELETE ON audit_auditevent
       WHEN OLD.seq > COALESCE((SELECT MAX(seq) FROM audit_auditcheckpoint), 0) AND govcloud_audit_locked()
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;""",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS audit_event_no_update;", "DROP TRIGGER IF EXISTS audit_event_no_delete;"]

POSTGRES_CREATE = [
    """CREATE OR REPLACE FUNCTION audit_event_guard() RETURNS trigger AS $$
    BEGIN
      IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'audit events are append-only';
      END IF;
      IF OLD.seq > COALESCE((SELECT MAX(seq) FROM audit_auditcheckpoint), 0) THEN
        RAISE EXCEPTION 'audit events are append-only';
      END IF;
      RETURN OLD;
    END $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER audit_event_guard BEFORE UPDATE OR DELETE ON audit_auditevent
       FOR EACH ROW EXECUTE FUNCTION audit_event_guard();""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS audit_event_guard ON audit_auditevent;",
    "DROP FUNCTION IF EXISTS audit_event_guard();",
]


def install(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}.get(vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


def uninstall(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}.get(vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


@receiver(connection_created, dispatch_uid="govcloud_audit_sqlite_guard")
def _register_sqlite_function(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "govcloud_audit_locked", 0, lambda: 0 if maintenance["allow_delete"] else 1, deterministic=False
        )
