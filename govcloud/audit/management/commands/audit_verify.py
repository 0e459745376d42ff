from django.core.management.base import BaseCommand, CommandError

from govcloud.audit.chain import verify_chain
from govcloud.audit.services import audit_record
from govcloud.core.actors import SYSTEM


class Command(BaseCommand):
    help = "Walk the audit chain; name the first altered or missing event. Exits 1 when broken."

    def handle(self, *args, **options):
        result = verify_chain()
        audit_record(
            actor=SYSTEM,
            action="audit.verify",
            object_type="audit.auditevent",
            outcome="success" if result.ok else "failure",
            message=str(result.summary()),
        )
        if not result.ok:
            raise CommandError(str(result.summary()))
        self.stdout.write(self.style.SUCCESS(str(result.summary())))
