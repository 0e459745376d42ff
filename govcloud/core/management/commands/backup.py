from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from govcloud.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump custom format, or SQLite's backup API) and the private files, with a "
        "manifest and SM3 digests, into OUTPUT: a new or empty folder, or an archive (.tar, .tar.gz, .tgz)."
    )

    def add_arguments(self, parser):
        parser.add_argument("output", type=Path)

    def handle(self, *args, output: Path, **options):
        try:
            manifest = backup_create(output=output)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        totals = manifest["totals"]
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {len(manifest['tables'])} tables ({totals['rows']} rows) and {totals['files']} files "
                f"({totals['bytes']} bytes) to {output}."
            )
        )
