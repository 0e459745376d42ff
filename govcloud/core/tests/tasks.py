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
