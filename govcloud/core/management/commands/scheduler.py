import logging
import signal
import time

from django.core.management.base import BaseCommand
from django.db import InterfaceError, OperationalError, connections

from govcloud.core import periodic

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Enqueue the periodic jobs of govcloud/schedule.py, each scheduled time exactly once."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=15.0, help="seconds between passes")
        parser.add_argument("--once", action="store_true", help="run one pass and exit")

    def handle(self, *args, interval: float, once: bool, **options):
        running = True

        def stop(*_):
            nonlocal running
            running = False

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        jobs = periodic.periodic_jobs()
        self.stdout.write(f"scheduler: {len(jobs)} periodic jobs, pass every {interval:g}s")
        while running:
            try:
                names = periodic.tick(jobs)
            except (OperationalError, InterfaceError):
                # The database is away (PostgreSQL restarting): the pass claimed nothing (its
                # transaction rolled back), so the next one enqueues what is due, once.
                logger.exception("scheduler: the database is unavailable; trying again next pass")
                connections.close_all()
                names = []
            for name in names:
                self.stdout.write(f"scheduler: enqueued {name}")
            if once:
                break
            slept = 0.0
            while running and slept < interval:
                time.sleep(0.5)
                slept += 0.5
