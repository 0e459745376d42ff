"""A task for the worker-recovery tests: it writes down each run and, in a worker started with
GOVCLOUD_TEST_HOLD set, never finishes (the test kills that worker in the middle of it)."""

import os
import time
from pathlib import Path

from django_tasks import task


def _write(folder: str, line: str) -> None:
    with (Path(folder) / "runs").open("a") as runs:
        runs.write(f"{line} {os.getpid()}\n")


@task()
def record_run(folder: str) -> int:
    _write(folder, "start")
    if os.environ.get("GOVCLOUD_TEST_HOLD"):
        time.sleep(300)
    _write(folder, "done")
    return os.getpid()


def lose_the_database() -> None:
    """A job (plain rq) that fails as one does when PostgreSQL restarts under it."""
    from django.db import OperationalError

    raise OperationalError("the database system is shutting down")


def fail_for_a_bug() -> None:
    raise ValueError("a bug: not to be run again")
