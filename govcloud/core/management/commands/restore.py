from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from govcloud.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into an empty instance (no users, no audit events, no "
        "private files). Every SM3 digest is checked first: a damaged backup restores nothing. Stop the web "
        "processes, the workers and the scheduler first."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path, help="the backup folder or archive")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace an instance that is in use (its private files are moved beside, not deleted)",
        )

    def handle(self, *args, source: Path, force: bool, **options):
        try:
            result = backup_restore(source=source, force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        manifest = result.manifest
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the backup of {manifest['created_at']}: {len(manifest['tables'])} tables "
                f"({manifest['totals']['rows']} rows, counts checked) and {manifest['totals']['files']} files."
            )
        )
        if result.replaced_files:
            self.stdout.write(f"The private files that were there before are in {result.replaced_files}.")
        self.stdout.write("Run `manage.py audit_verify` to check the audit chain with this instance's keys.")
