from django.core.management.base import BaseCommand, CommandError

from govcloud.audit.services import audit_verify
from govcloud.core.actors import SYSTEM


class Command(BaseCommand):
    help = "Walk the audit chain; name the first altered or missing event. Exits 1 when broken."

    def handle(self, *args, **options):
        result = audit_verify(actor=SYSTEM)
        if not result.ok and not result.recorded:
            self.stderr.write(
                "The verdict was not recorded in the audit trail: the chain head's signature does not verify "
                "with this AUDIT_SIGNING_KEY (a wrong key, or a forged head), and appending would re-sign it."
            )
        if not result.ok:
            raise CommandError(str(result.summary()))
        self.stdout.write(self.style.SUCCESS(str(result.summary())))
