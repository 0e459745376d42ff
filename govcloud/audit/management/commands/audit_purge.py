from django.core.management.base import BaseCommand

from govcloud.audit.services import audit_purge
from govcloud.core.actors import SYSTEM
from govcloud.core.policy import Policy, policy_value


class Command(BaseCommand):
    help = "Remove audit events older than the retention policy (at least 180 days), leaving a signed checkpoint."

    def handle(self, *args, **options):
        days = int(policy_value(Policy.AUDIT_RETENTION_DAYS))
        count = audit_purge(actor=SYSTEM, retention_days=days)
        self.stdout.write(f"purged {count} events older than {days} days")
