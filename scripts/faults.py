#!/usr/bin/env python
"""Faults under load against the production-shaped stack (issue 17), bounded in time, loopback only.

    scripts/stack.sh start && scripts/stack.sh manage load_demo --force
    .venv/bin/python scripts/faults.py            # STACK_DIR as for scripts/stack.sh

Start the stack with short worker-recovery settings so that a killed task is run again within
seconds rather than the production bound of about 100 s (.ci/run does this):
TASK_WORKER_HEARTBEAT_SECONDS=2 TASK_WORKER_DEAD_SECONDS=4 TASK_WORKER_RECOVERY_SECONDS=3.

Clients (threads, each with the demo people's API tokens) take applications for cloud hosts
through the API over https through nginx: create (with an Idempotency-Key), submit, the head's
sign-off, the center's acceptance and approval; a Redis worker carries out each host's work order
(libvirt driver, test hypervisor); then the department accepts the delivery. A client treats a
lost connection, a 5xx or a 409 "still being processed" as a client in the field would: it retries
(a creation with the same key; a step after reading the application's state, so a step that was
done before the answer was lost is not asked for twice).

Meanwhile, while requests are in flight:
  - kill -9 of a web process (a gunicorn master and its workers), twice, one of each;
  - kill -9 of a task worker (and its work-horse) caught while it runs a work order, twice;
  - a PostgreSQL restart (`pg_ctl restart -m fast`; the stack's private cluster only).

Then, once the task queue is idle, it checks that nothing is half-recorded and that every task took
effect exactly once:
  - every application created once per key, and approved once (one `approve` event);
  - every approved application has one provision work order per approved item, and this run's all
    completed, each with exactly its approved quantity of cloud refs and ledger resources;
  - every ledger resource that came from an application has a completed provision order for it;
  - the task queue holds nothing started, queued or failed; work-order tasks completed per order;
  - `manage.py audit_verify` passes;
and prints the counts (requests, kills, tasks, completions) as one JSON line at the end. Exit
status 0 only when every check passed.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import os
import shlex
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
TERMINAL_BAD = {"rejected", "cancelled", "returned"}
HOST_SPEC = {
    "vcpu": 4,
    "memory_gb": 8,
    "disk_type": "ssd",
    "os_image": "centos-7.0-64",
    "system_disk_gb": 100,
    "data_disk_gb": 200,
}
# The state an application is in once each step has been taken (or any later one).
ORDER = ["draft", "awaiting_signoff", "submitted", "accepted", "in_delivery", "delivered", "in_service"]


def load_env(run: Path) -> dict[str, str]:
    env = {}
    for line in (run / "stack.env").read_text().splitlines():
        if line.startswith("export "):
            key, _, value = line[len("export ") :].partition("=")
            env[key] = shlex.split(value)[0] if value else ""
    return env


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counts: collections.Counter[str] = collections.Counter()
        self.events: list[str] = []
        self.t0 = time.monotonic()

    def add(self, key: str, n: int = 1) -> None:
        with self.lock:
            self.counts[key] += n

    def note(self, text: str) -> None:
        line = f"[faults {time.monotonic() - self.t0:6.1f}s] {text}"
        print(line, flush=True)
        with self.lock:
            self.events.append(line)


class Client:
    """HTTPS to nginx with a personal API token; retries what a field client would retry."""

    def __init__(self, base: str, token: str, stats: Stats, cert: Path) -> None:
        self.base = base
        self.stats = stats
        self.session = requests.Session()
        # Loopback only: no proxy or CA bundle from the environment; the stack's own certificate.
        self.session.trust_env = False
        self.session.verify = str(cert)
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.session.headers["Accept-Language"] = "en"

    def call(self, method: str, path: str, body: dict | None = None, key: str | None = None):
        headers = {"Idempotency-Key": key} if key else {}
        self.stats.add("requests")
        try:
            response = self.session.request(method, self.base + path, json=body, headers=headers, timeout=60)
        except requests.RequestException:
            self.stats.add("responses_connection_error")
            return 0, None
        self.stats.add(f"responses_{response.status_code}")
        try:
            data = response.json()
        except ValueError:
            data = None
        return response.status_code, data


def retryable(status: int) -> bool:
    return status == 0 or status >= 500 or status in (409, 429)


class Journey:
    """One application through the workflow, as four people; every step survives the faults."""

    def __init__(self, n: int, clients: dict[str, Client], system_id: int, tag: str, stats: Stats, deadline: float):
        self.n = n
        self.c = clients
        self.system_id = system_id
        self.purpose = f"{tag} 故障演练 #{n}：云主机一台。"
        self.stats = stats
        self.deadline = deadline
        self.key = str(uuid.uuid4())
        self.pk: int | None = None
        self.state = ""
        self.error = ""

    def _wait(self) -> None:
        if time.monotonic() > self.deadline:
            raise TimeoutError("the time bound ran out")
        self.stats.add("retries")
        time.sleep(0.5)

    def create(self) -> None:
        body = {
            "kind": "new",
            "system": self.system_id,
            "purpose": self.purpose,
            "environment": "production",
            "contact_name": "孙伟",
            "contact_phone": "0523-86830001",
            "quota_justification": "故障演练：超出配额部分为临时测试主机。",
            "items": [{"catalog_item": "host", "quantity": 1, "spec": HOST_SPEC}],
        }
        while True:
            status, data = self.c["applicant"].call("POST", "/api/v1/applications/", body, key=self.key)
            if status == 201:
                self.pk, self.state = data["id"], data["state"]
                return
            if not retryable(status):
                raise RuntimeError(f"create answered {status}: {data}")
            self._wait()

    def read(self, who: str = "applicant") -> str:
        while True:
            status, data = self.c[who].call("GET", f"/api/v1/applications/{self.pk}/")
            if status == 200:
                self.state = data["state"]
                return self.state
            if not retryable(status):
                raise RuntimeError(f"read answered {status}: {data}")
            self._wait()

    def step(self, who: str, slug: str, body: dict, reached: str) -> None:
        """POST the step until the application is in `reached` (or later): a retry first reads the
        state, so a step whose answer was lost is not taken twice."""
        first = True
        while True:
            if not first:
                state = self.read(who)
                if state in ORDER and ORDER.index(state) >= ORDER.index(reached):
                    return
            first = False
            status, data = self.c[who].call("POST", f"/api/v1/applications/{self.pk}/{slug}/", body)
            if status == 200:
                self.state = data["state"]
                if self.state in ORDER and ORDER.index(self.state) >= ORDER.index(reached):
                    return
            elif not retryable(status):
                state = self.read(who)
                if state in ORDER and ORDER.index(state) >= ORDER.index(reached):
                    return
                raise RuntimeError(f"{slug} answered {status}: {data}")
            self._wait()

    def run(self) -> None:
        try:
            self.create()
            self.stats.add("applications_created")
            self.step("applicant", "submit", {}, "awaiting_signoff")
            self.step("head", "sign-off", {"comment": "同意"}, "submitted")
            self.step("reviewer", "accept", {}, "accepted")
            self.step("admin", "approve", {"decisions": [], "comment": "同意"}, "in_delivery")
            self.stats.add("applications_approved")
            while self.read() != "delivered":  # the worker's part
                if self.state in TERMINAL_BAD or self.state == "in_service":
                    break
                if time.monotonic() > self.deadline:
                    raise TimeoutError(f"not delivered in time (state {self.state})")
                time.sleep(1)
            self.stats.add("applications_delivered")
            self.step("applicant", "accept-delivery", {"comment": "测试通过"}, "in_service")
            self.stats.add("applications_in_service")
        except Exception as exc:
            self.error = f"application #{self.n} ({self.pk}): {exc}"
            self.stats.note(self.error)


# --- faults -----------------------------------------------------------------------------------------


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def kill9(pids: list[int]) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, 9)


def pid_of(run: Path, name: str) -> int:
    return int((run / f"{name}.pid").read_text())


def wait_back(run: Path, name: str, old: int, timeout: float = 30) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            pid = pid_of(run, name)
            if pid != old:
                os.kill(pid, 0)
                return True
        except (OSError, ValueError):
            pass
        time.sleep(0.2)
    return False


def kill_web(run: Path, name: str, stats: Stats) -> None:
    master = pid_of(run, name)
    victims = [master, *children(master)]
    kill9(victims)
    stats.add("kills_web")
    stats.note(f"kill -9 {name}: gunicorn master {master} and its workers {victims[1:]}")
    if not wait_back(run, name, master):
        stats.note(f"{name} did not come back")


def kill_worker_mid_task(run: Path, redis_url: str, stats: Stats, stop: threading.Event, timeout: float) -> bool:
    """Waits (up to `timeout`) for a worker running a work order and kills it and its work-horse."""
    from redis import Redis
    from rq import Worker

    conn = Redis.from_url(redis_url)
    pids = {}
    for name in ("worker1", "worker2"):
        with contextlib.suppress(OSError, ValueError):
            pids[pid_of(run, name)] = name
    end = time.monotonic() + timeout
    while time.monotonic() < end and not stop.is_set():
        for worker in Worker.all(connection=conn):
            if worker.pid not in pids:
                continue
            job = worker.get_current_job()
            if job is None or "work_order_execute_task" not in (job.description or ""):
                continue
            horse = children(worker.pid)
            kill9([worker.pid, *horse])
            stats.add("kills_worker")
            stats.add("kills_worker_mid_task")
            stats.note(f"kill -9 {pids[worker.pid]} ({worker.pid}, horse {horse}) running {job.description}")
            wait_back(run, pids[worker.pid], worker.pid)
            return True
        time.sleep(0.02)
    return False


def kill_idle_worker(run: Path, stats: Stats) -> None:
    """No worker was caught running a work order: kill one anyway (the check below then fails the
    run if no kill at all landed in the middle of a task)."""
    pid = pid_of(run, "worker2")
    kill9([pid, *children(pid)])
    stats.add("kills_worker")
    stats.note(f"no worker caught running a work order in 20 s: kill -9 worker2 ({pid}) anyway")
    wait_back(run, "worker2", pid)


def restart_postgres(run: Path, stats: Stats) -> None:
    bins = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]))
    command = [str(bins[-1]), "-D", str(run / "pg"), "-m", "fast", "-w", "-t", "60", "restart"]
    command += ["-l", str(run / "log" / "postgres.log")]
    if os.getuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    port = (run / "pg.port").read_text().strip()
    command += ["-o", f"-p {port} -h 127.0.0.1 -k {run / 'pgsock'} -c max_connections=100"]
    started = time.monotonic()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    stats.add("postgres_restarts")
    stats.note(f"PostgreSQL restarted in {time.monotonic() - started:.1f}s")


def fault_plan(run: Path, env: dict, stats: Stats, stop: threading.Event, private_pg: bool) -> None:
    def until(key: str, n: int) -> bool:
        while not stop.is_set():
            if stats.counts[key] >= n:
                return True
            time.sleep(0.05)
        return False

    if until("applications_created", 2):
        kill_web(run, "web1", stats)
    if until("applications_approved", 1) and not kill_worker_mid_task(run, env["REDIS_URL"], stats, stop, 20):
        kill_idle_worker(run, stats)
    if until("applications_approved", 4):
        if private_pg:
            restart_postgres(run, stats)
        else:
            stats.note("PostgreSQL restart skipped: the stack uses STACK_DATABASE_URL, not its own cluster")
    if until("applications_created", 6):
        kill_web(run, "web2", stats)
    if until("applications_approved", 6) and not kill_worker_mid_task(run, env["REDIS_URL"], stats, stop, 20):
        kill_idle_worker(run, stats)


# --- checks ------------------------------------------------------------------------------------------


def wait_tasks_idle(redis_url: str, timeout: float) -> dict[str, int]:
    from redis import Redis
    from rq import Queue
    from rq.registry import FailedJobRegistry, StartedJobRegistry

    queue = Queue("default", connection=Redis.from_url(redis_url))
    end = time.monotonic() + timeout
    while True:
        state = {
            "queued": queue.count,
            "started": StartedJobRegistry(queue=queue).count,
            "failed": FailedJobRegistry(queue=queue).count,
        }
        if (state["queued"] == 0 and state["started"] == 0) or time.monotonic() > end:
            return state
        time.sleep(0.5)


def task_counts(redis_url: str) -> dict[str, int]:
    from redis import Redis
    from rq import Queue
    from rq.registry import FailedJobRegistry, FinishedJobRegistry

    queue = Queue("default", connection=Redis.from_url(redis_url))
    finished = FinishedJobRegistry(queue=queue).get_job_ids()
    counts = collections.Counter()
    per_order: collections.Counter[str] = collections.Counter()
    requeued = lost_db = 0
    for job_id in finished:
        job = queue.fetch_job(job_id)
        if job is None:
            continue
        counts["tasks_completed"] += 1
        if int(job.meta.get("govcloud_worker_lost", 0)):
            requeued += 1
        if int(job.meta.get("govcloud_database_lost", 0)):
            lost_db += 1
        if "work_order_execute_task" in (job.description or ""):
            counts["work_order_tasks_completed"] += 1
            per_order[job.description] += 1
    counts["tasks_failed"] = FailedJobRegistry(queue=queue).count
    counts["tasks_run_again_after_worker_lost"] = requeued
    counts["tasks_run_again_after_database_lost"] = lost_db
    counts["work_orders_with_more_than_one_task"] = sum(1 for n in per_order.values() if n > 1)
    return dict(counts)


def check_records(tag: str, journeys: list[Journey]) -> list[str]:
    """The database after the faults: what must hold, as a list of failures."""
    from django.db import connections
    from django.db.models import Count

    from govcloud.applications.models import Application, ApplicationEvent, ApplicationState
    from govcloud.delivery.models import CloudRef, WorkOrder, WorkOrderKind, WorkOrderState
    from govcloud.ledger.models import Resource

    connections.close_all()  # this process's connection did not survive the restart
    problems: list[str] = []
    mine = Application.objects.filter(purpose__startswith=f"{tag} ")
    per_purpose = mine.values("purpose").annotate(n=Count("pk")).filter(n__gt=1)
    problems += [f"{row['n']} applications for one request: {row['purpose']}" for row in per_purpose]
    if mine.count() != len(journeys):
        problems.append(f"{mine.count()} applications recorded for {len(journeys)} requests")
    approves = ApplicationEvent.objects.filter(application__in=mine, action="approve")
    for row in approves.values("application").annotate(n=Count("pk")).filter(n__gt=1):
        problems.append(f"application {row['application']} approved {row['n']} times")
    approved_states = [
        ApplicationState.IN_DELIVERY,
        ApplicationState.DELIVERED,
        ApplicationState.IN_SERVICE,
    ]
    for app in Application.objects.filter(state__in=approved_states).prefetch_related("items", "work_orders"):
        orders = [o for o in app.work_orders.all() if o.kind == WorkOrderKind.PROVISION]
        for item in app.items.all():
            if not item.approved_quantity or item.target_resource_id:
                continue
            n = sum(1 for o in orders if o.item_id == item.pk)
            if n != 1:
                problems.append(f"application {app.pk} item {item.pk}: {n} provision work orders")
    for order in WorkOrder.objects.filter(application__in=mine).select_related("item"):
        if order.state != WorkOrderState.COMPLETED:
            problems.append(f"work order {order.pk} of this run is {order.state}")
            continue
        refs = CloudRef.objects.filter(work_order=order)
        want = order.item.approved_quantity
        if refs.count() != want or refs.filter(resource__isnull=True).exists():
            problems.append(f"work order {order.pk}: {refs.count()} cloud refs for {want} hosts, or one unrecorded")
        resources = Resource.objects.filter(cloud_refs__work_order=order).count()
        if resources != want:
            problems.append(f"work order {order.pk}: {resources} ledger resources for {want} hosts")
    delivered = set(
        WorkOrder.objects.filter(kind=WorkOrderKind.PROVISION, state=WorkOrderState.COMPLETED).values_list(
            "application_id", "item__catalog_item_id"
        )
    )
    for pk, app_id, item_id in Resource.objects.filter(origin_application__isnull=False).values_list(
        "pk", "origin_application_id", "catalog_item_id"
    ):
        if (app_id, item_id) not in delivered:
            problems.append(f"ledger resource {pk} has no completed provision work order")
    if Resource.objects.filter(origin_application__in=mine).count() != len(journeys):
        problems.append(
            f"{Resource.objects.filter(origin_application__in=mine).count()} resources for {len(journeys)} hosts"
        )
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--applications", type=int, default=12)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--time-bound", type=float, default=240, help="seconds for the whole run")
    args = parser.parse_args()

    run = Path(os.environ.get("STACK_DIR", ROOT / "var" / "stack"))
    env = load_env(run)
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "govcloud.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from govcloud.core.roles import TOTP_REQUIRED_ROLES
    from govcloud.organizations.models import User
    from govcloud.organizations.services import token_create
    from govcloud.systems.models import InformationSystem

    base = f"https://127.0.0.1:{env['STACK_HTTPS_PORT']}"
    stats = Stats()
    deadline = time.monotonic() + args.time_bound
    people = {"applicant": "gaj_applicant", "head": "gaj_head", "reviewer": "center_reviewer", "admin": "center_admin"}
    tokens = {}
    for role, name in people.items():
        user = User.objects.get(username=name)
        if user.roles & TOTP_REQUIRED_ROLES and not user.has_totp_device:
            # As if the administrator had enrolled at the first login (the browser journeys do that).
            TOTPDevice.objects.create(user=user, name="faults", confirmed=True)
        tokens[role] = token_create(actor=user, name="faults", expires_in_days=1)[1]
    system_id = InformationSystem.objects.get(name="出入境证件办理系统").pk
    tag = f"[faults {uuid.uuid4().hex[:8]}]"
    private_pg = "STACK_DATABASE_URL" not in os.environ and (run / "pg" / "PG_VERSION").exists()
    stats.note(f"{args.applications} applications by {args.clients} clients against {base}")

    journeys = []
    for n in range(args.applications):
        clients = {role: Client(base, tokens[role], stats, run / "tls" / "cert.pem") for role in people}
        journeys.append(Journey(n + 1, clients, system_id, tag, stats, deadline))
    status, _ = journeys[0].c["applicant"].call("GET", "/readyz")
    if status != 200:
        print(f"the stack does not answer {base}/readyz ({status}): scripts/stack.sh status", file=sys.stderr)
        return 2
    stop = threading.Event()
    faults = threading.Thread(target=fault_plan, args=(run, env, stats, stop, private_pg), daemon=True)
    faults.start()
    pending = collections.deque(journeys)
    pending_lock = threading.Lock()

    def client_loop() -> None:
        while True:
            with pending_lock:
                if not pending:
                    return
                journey = pending.popleft()
            journey.run()

    threads = [threading.Thread(target=client_loop) for _ in range(args.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stop.set()
    faults.join(timeout=30)

    problems = [j.error for j in journeys if j.error]
    if not stats.counts["kills_worker_mid_task"]:
        problems.append("no worker was killed in the middle of a work order")
    idle = wait_tasks_idle(env["REDIS_URL"], max(10.0, deadline - time.monotonic()))
    if idle["queued"] or idle["started"]:
        problems.append(f"the task queue is not idle: {idle}")
    tasks = task_counts(env["REDIS_URL"])
    if tasks.get("tasks_failed"):
        problems.append(f"{tasks['tasks_failed']} tasks failed")
    problems += check_records(tag, journeys)
    verify = subprocess.run(
        [sys.executable, "manage.py", "audit_verify"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if verify.returncode != 0:
        problems.append(f"audit_verify failed: {verify.stdout[-500:]} {verify.stderr[-500:]}")
    names = ("web1", "web2", "worker1", "worker2", "scheduler", "nginx")
    restarts = {name: int((run / f"{name}.restarts").read_text()) for name in names}
    summary = {
        **dict(sorted(stats.counts.items())),
        **tasks,
        "process_restarts": restarts,
        "audit_verify": "ok" if verify.returncode == 0 else "FAILED",
        "seconds": round(time.monotonic() - stats.t0, 1),
        "problems": len(problems),
    }
    for problem in problems:
        print(f"PROBLEM: {problem}")
    print("FAULTS " + json.dumps(summary, ensure_ascii=False), flush=True)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
