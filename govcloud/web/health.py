"""Readiness checks for the load balancer (/readyz): can this web process do its work?

Each check answers ok or the name of the error. The probe is public, so an answer never carries an
exception's message (a connection error names hosts, a URL may hold a password): the message goes
to the server's log only.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection

logger = logging.getLogger(__name__)

# A probe answers within the load balancer's timeout (often 5 s) even when Redis does not.
REDIS_TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    error: str = ""
    detail: str = ""

    def as_dict(self) -> dict[str, object]:
        answer: dict[str, object] = {"ok": self.ok}
        if self.detail:
            answer["detail"] = self.detail
        if self.error:
            answer["error"] = self.error
        return answer


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_tasks() -> str:
    """The task backend the workers read from: the database backend's table, or Redis."""
    backend = settings.TASKS_BACKEND
    if backend == "db":
        from django_tasks_db.models import DBTaskResult

        list(DBTaskResult.objects.order_by().values_list("pk", flat=True)[:1])
    elif backend == "rq":
        import redis

        for queue in settings.TASKS["default"].get("QUEUES", ["default"]):
            client = redis.Redis.from_url(
                settings.RQ_QUEUES[queue]["URL"],
                socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
                socket_timeout=REDIS_TIMEOUT_SECONDS,
            )
            try:
                client.ping()
            finally:
                client.close()
    # "immediate" runs tasks inside the request: nothing apart from the process to check.
    return backend


def check_storage() -> None:
    """Uploads and job results are written to the private folder: write and remove a file there."""
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=root, prefix=".readyz-") as probe:
        probe.write(b"ok")
        probe.flush()


CHECKS: dict[str, Callable[[], object]] = {
    "database": check_database,
    "tasks": check_tasks,
    "storage": check_storage,
}


def run_checks() -> dict[str, CheckResult]:
    results = {}
    for name, check in CHECKS.items():
        try:
            detail = check()
        except Exception as error:  # any failure makes the process not ready; none may escape
            logger.warning("readiness check %s failed", name, exc_info=True)
            results[name] = CheckResult(ok=False, error=type(error).__name__)
        else:
            results[name] = CheckResult(ok=True, detail=detail if isinstance(detail, str) else "")
    return results
