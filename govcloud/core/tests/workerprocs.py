"""Real worker processes for the tests that kill one: start `manage.py db_worker` or `rqworker`
against the test database, wait for a condition, kill -9 (the whole process group: an RQ worker's
work horse is a child process), stop gracefully."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from django.db import close_old_connections, connection

ROOT = Path(__file__).resolve().parents[3]
# Two minutes compressed into about three seconds (see govcloud.core.workers).
FAST = {
    "TASK_WORKER_HEARTBEAT_SECONDS": "1",
    "TASK_WORKER_DEAD_SECONDS": "2",
    "TASK_WORKER_RECOVERY_SECONDS": "1",
}


def worker_env(*, fast: bool = True, **extra: str) -> dict[str, str]:
    # Not PYTEST_XDIST_WORKER: the test process has already turned it into its own data folder and
    # Redis databases (settings_test.py) and exported them; a child that saw it would move again.
    inherited = {name: value for name, value in os.environ.items() if name != "PYTEST_XDIST_WORKER"}
    return {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "govcloud.core.tests.worker_settings",
        "GOVCLOUD_TEST_DB_NAME": str(connection.settings_dict["NAME"]),
        **(FAST if fast else {}),
        **extra,
    }


def start(command: list[str], **env: str) -> subprocess.Popen:
    # Output to a file, not a pipe: a worker that logs more than a pipe holds would block on it.
    log = tempfile.NamedTemporaryFile(prefix="worker-", suffix=".log", delete=False)  # noqa: SIM115
    worker = subprocess.Popen(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=worker_env(**env),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, for kill_hard
    )
    worker.log_path = log.name  # type: ignore[attr-defined]
    log.close()
    return worker


def wait_for(condition: Callable[[], object], *, timeout: float, what: str, workers=()) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        close_old_connections()  # see the workers' commits
        value = condition()
        if value:
            return value
        for worker in workers:
            if worker.poll() is not None:
                raise AssertionError(f"a worker exited while waiting for {what}:\n{output(worker)}")
        time.sleep(0.1)
    details = "\n".join(output(stop(worker)) for worker in workers)
    raise AssertionError(f"timed out waiting for {what}\n{details}")


def _session(sid: int) -> list[int]:
    """The processes of a session (Linux /proc): an RQ work horse leaves its parent's process group
    (rq calls setpgrp) but stays in its session."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        if int(fields[3]) == sid and fields[0] != "Z":  # (after "pid (comm)") state ppid pgrp session …
            pids.append(int(stat.parent.name))
    return pids


def kill_hard(worker: subprocess.Popen) -> None:
    """kill -9 the worker and every process it started, as a lost machine or the OOM killer would."""
    for pid in _session(worker.pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    worker.wait(timeout=10)
    wait_for(lambda: not _session(worker.pid), timeout=10, what="every process of the killed worker to end")


def stop(worker: subprocess.Popen) -> subprocess.Popen:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
    for pid in _session(worker.pid):  # a work horse left behind (its own process group)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return worker


def output(worker: subprocess.Popen) -> str:
    return Path(worker.log_path).read_text(errors="replace")[-4000:]  # type: ignore[attr-defined]


def rq_worker_ready(name: str) -> bool:
    """The RQ worker `name` has registered (it then runs its first maintenance and waits for jobs)."""
    import django_rq
    from rq import Worker

    return any(worker.name == name for worker in Worker.all(connection=django_rq.get_connection()))
