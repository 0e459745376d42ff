"""Load Annex 1 of the Measures into the catalog (idempotent: what exists, as the center may have
edited it, stays). `manage.py bootstrap` can call the same service for a new installation."""

from django.core.management.base import BaseCommand

from govcloud.catalog.services import catalog_seed
from govcloud.core.actors import SYSTEM


class Command(BaseCommand):
    help = "Load the Annex 1 resource catalog (items, allowed values and ranges); idempotent."

    def handle(self, *args, **options):
        counts = catalog_seed(actor=SYSTEM)
        self.stdout.write("Annex 1 catalog: added {items} items, {options} values, {ranges} ranges.".format(**counts))
