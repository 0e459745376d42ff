"""Background task throughput (issue 5): no-op tasks per second through each task backend, beside
the raw enqueue-and-dequeue rate of the backend itself, and the ratio (the task system's overhead).

- database (django-tasks-db): N no-op tasks enqueued, then drained by the `db_worker` loop in this
  process; floor: N raw INSERTs into a queue table, then N × (SELECT the oldest, DELETE it);
- Redis (django-tasks-rq), when REDIS_URL (or localhost:6379) answers: N enqueued, drained by an RQ
  SimpleWorker in burst mode with django-tasks-rq's job class; floor: N LPUSH then N RPOP.

    .venv/bin/python benchmarks/tasks.py [N]                  # SQLite (a throwaway test database)
    DATABASE_URL=postgres://postgres@localhost:5432/bench .venv/bin/python benchmarks/tasks.py
    REDIS_URL=redis://localhost:6379/13 .venv/bin/python benchmarks/tasks.py   # empties the RQ queue "default"

Prints rates and ratios; there is no pass/fail.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govcloud.settings_test")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import override_settings, setup_test_environment  # noqa: E402
from django_tasks import task  # noqa: E402

REDIS_URL = os.environ.get("REDIS_URL") or "redis://localhost:6379/13"


@task()
def noop() -> None:
    return None


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds else float("inf")


def db_tasks(count: int) -> float:
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        start = time.perf_counter()
        for _ in range(count):
            noop.enqueue()
        Worker(
            queue_names=["default"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="bench",
            excluded_queue_names=[],
        ).run()
        seconds = time.perf_counter() - start
        assert DBTaskResult.objects.successful().count() >= count
        DBTaskResult.objects.all().delete()
    return rate(count, seconds)


def db_raw(count: int) -> float:
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_queue (id INTEGER PRIMARY KEY, payload VARCHAR(200))")
        start = time.perf_counter()
        for n in range(count):
            cursor.execute("INSERT INTO bench_queue (id, payload) VALUES (%s, %s)", [n + 1, "{}"])
        for _ in range(count):
            cursor.execute("SELECT id, payload FROM bench_queue ORDER BY id LIMIT 1")
            (pk, _payload) = cursor.fetchone()
            cursor.execute("DELETE FROM bench_queue WHERE id = %s", [pk])
        seconds = time.perf_counter() - start
        cursor.execute("DROP TABLE bench_queue")
    return rate(count, seconds)


def redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def rq_tasks(count: int) -> float:
    import django_rq
    from django_tasks_rq import Job as RQJob
    from rq import SimpleWorker

    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}},
        RQ_QUEUES={"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 60}},
    ):
        queue = django_rq.get_queue("default")
        queue.empty()
        start = time.perf_counter()
        for _ in range(count):
            noop.enqueue()
        SimpleWorker([queue], connection=queue.connection, job_class=RQJob).work(burst=True)
        seconds = time.perf_counter() - start
        queue.empty()
    return rate(count, seconds)


def redis_raw(count: int) -> float:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.delete("bench:queue")
    start = time.perf_counter()
    for n in range(count):
        client.lpush("bench:queue", f'{{"n": {n}}}')
    for _ in range(count):
        client.rpop("bench:queue")
    seconds = time.perf_counter() - start
    client.delete("bench:queue")
    return rate(count, seconds)


def main(count: int) -> None:
    logging.disable(logging.INFO)  # one log line per task would measure the terminal
    vendor = connection.vendor
    rows = [(f"database ({vendor})", db_tasks(count), db_raw(count))]
    if redis_available():
        rows.append(("Redis (RQ)", rq_tasks(count), redis_raw(count)))
    else:
        print(f"(Redis at {REDIS_URL} not reachable: skipped)")
    print(f"{count} no-op tasks per backend")
    print(f"  {'backend':20} : {'tasks/s':>10}  {'raw ops/s':>10}  {'raw/tasks':>9}")
    for name, tasks, raw in rows:
        print(f"  {name:20} : {tasks:10.0f}  {raw:10.0f}  {raw / tasks:8.1f}x")


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        main(count)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
