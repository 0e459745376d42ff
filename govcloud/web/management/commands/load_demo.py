from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from govcloud.web.demo import DEMO_PASSWORD, USERS, load_demo


class Command(BaseCommand):
    help = "Load the demo city (idempotent). Refuses to run with DEBUG off unless --force is given."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="load even though DEBUG is off")

    def handle(self, *args, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refusing to load demo data with GOVCLOUD_DEBUG off (this looks like production). "
                "Use --force if you really mean it."
            )
        created = load_demo()
        self.stdout.write(
            f"demo data: {created['organizations']} organizations and {created['users']} users created "
            f"({len(USERS)} demo users in all, password {DEMO_PASSWORD})"
        )
