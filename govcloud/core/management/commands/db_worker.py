"""`manage.py db_worker`: django-tasks-db's worker, beating, so that a task whose worker was killed
runs again within two minutes (govcloud.core.workers). It replaces the library's command of the same
name (govcloud.core comes before django_tasks_db in INSTALLED_APPS), so every way of starting a
database worker — `make run`, the Procfile, a service unit — gets it; the options are the library's."""

import logging
import os

from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from govcloud.core.workers import heartbeat_worker_class


class Command(db_worker.Command):
    help = "Run a database background worker (with heartbeats: a killed worker's tasks run again)."

    def handle(
        self,
        *,
        verbosity: int,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        reload: bool,
        max_tasks: int | None,
        worker_id: str,
        exclude_queues: str,
        **options,
    ) -> None:
        # The library's handle() builds its own Worker class; this builds the beating one with the
        # same arguments and checks.
        self.configure_logging(verbosity)
        if reload and batch:
            logging.getLogger("django_tasks_db").warning("--reload and --batch cannot be used together: not reloading.")
            reload = False
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = heartbeat_worker_class()(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded,
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()  # only the child process runs tasks
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
