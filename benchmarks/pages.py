"""List pages at city scale through a real gunicorn, each beside the bare endpoint in the same run.

Builds the city of the workflow benchmark (10,000 applications across 50 departments, 30,000
resources in the ledger) plus a work order per application item, the two history entries a delivery
leaves per resource and two years of monthly statements per department in a throwaway database,
starts gunicorn on a free loopback port against it (DEBUG off, two sync workers — the production
setting, see Procfile), signs in a center reviewer, a provider operator and a department applicant,
and measures each list page:

- the median of sequential requests, and
- the 95th percentile with 10 concurrent clients,

each beside `/healthz` (the bare endpoint: middleware, no query) measured the same way in the same
run, and prints the ratios. The goal is 3x or less on SQLite and on PostgreSQL. Beside them, the two
floors every signed-in list page stands on (benchmarks/floors.py): a signed-in request that does
nothing, and the layout with an empty page in it; each page's ratio to the signed-in floor is
printed too.

    .venv/bin/python benchmarks/pages.py [APPLICATIONS] [--smoke]   # SQLite (a throwaway database file)
    DATABASE_URL=postgres://postgres@localhost:5432/postgres .venv/bin/python benchmarks/pages.py

Prints times and ratios; there is no pass/fail.
"""

from __future__ import annotations

import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "floors_settings")  # the test settings and the floors

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from floors import LAYOUT, SIGNED_IN  # noqa: E402

SEQUENTIAL = 30
CLIENTS = 10
PER_CLIENT = 15
MONTHS = 24


def build_more(departments) -> object:
    """Work orders for every item, the resources' history and statements for every department and
    month, in bulk."""
    from django.utils import timezone

    from govcloud.applications.models import ApplicationItem
    from govcloud.billing.models import Statement, StatementState
    from govcloud.core.roles import Role
    from govcloud.delivery.models import WorkOrder, WorkOrderKind, WorkOrderState
    from govcloud.ledger.models import HistoryKind, Resource, ResourceHistory, ResourceState
    from govcloud.organizations.models import Organization, OrganizationKind, OrganizationLevel, RoleAssignment, User

    now = timezone.now()
    states = [WorkOrderState.OPEN, WorkOrderState.CLAIMED, WorkOrderState.COMPLETED, WorkOrderState.COMPLETED]
    items = list(ApplicationItem.objects.order_by("pk").values_list("pk", "application_id"))
    WorkOrder.objects.bulk_create(
        [
            WorkOrder(
                number=f"GD-BENCH-{k:06d}",
                application_id=application_id,
                item_id=item_id,
                kind=WorkOrderKind.PROVISION,
                state=states[k % len(states)],
                due_at=now + timedelta(hours=k % 97 - 40),
                completed_at=now if states[k % len(states)] == WorkOrderState.COMPLETED else None,
            )
            for k, (item_id, application_id) in enumerate(items)
        ],
        batch_size=2000,
    )
    # What a delivery leaves in each resource's history (delivered for testing, then put into
    # service): a department's statements page meters its month so far from it.
    ResourceHistory.objects.bulk_create(
        [
            ResourceHistory(
                resource_id=pk,
                at=at,
                kind=kind,
                state_before=before,
                state_after=after,
                spec_before={} if kind == HistoryKind.DELIVERED else spec,
                spec_after=spec,
                application_id=application_id,
                actor_name="bench",
            )
            for pk, spec, at, application_id in Resource.objects.values_list(
                "pk", "spec", "in_service_at", "origin_application_id"
            )
            for kind, before, after in (
                (HistoryKind.DELIVERED, "", ResourceState.TESTING),
                (HistoryKind.ACTIVATED, ResourceState.TESTING, ResourceState.IN_SERVICE),
            )
        ],
        batch_size=5000,
    )
    first = date(now.year, now.month, 1)
    months = []
    for _ in range(MONTHS):
        first = (first - timedelta(days=1)).replace(day=1)
        months.append(first)
    Statement.objects.bulk_create(
        [
            Statement(
                organization=department,
                period=month,
                state=StatementState.ISSUED,
                number=f"ZD-BENCH-{d:03d}-{month:%Y%m}",
                total=Decimal("12345.67") + d,
                drafted_at=now,
                issue_after=now,
                issued_at=now,
            )
            for d, department in enumerate(departments)
            for month in months
        ],
        batch_size=2000,
    )
    city = Organization.objects.get(level=OrganizationLevel.CITY)
    provider = Organization.objects.create(
        name="云服务商", kind=OrganizationKind.PROVIDER, level=OrganizationLevel.DEPARTMENT, parent=city,
        credit_code="BENCH0000000009", contact_name="x",
    )  # fmt: skip
    provider.path = f"{city.path}{provider.pk}/"
    provider.depth = city.depth + 1
    provider.save(update_fields=["path", "depth"])
    operator = User.objects.create(
        username="bench_operator", organization=provider, full_name="运维", password_changed_at=now,
        must_change_password=False,
    )  # fmt: skip
    RoleAssignment.objects.create(user=operator, role=Role.PROVIDER_OPERATOR)
    return User.objects.get(pk=operator.pk)


def session_cookie(user) -> str:
    """A signed-in session in the shared database, as the login (and its second factor) leaves it."""
    from django.test import Client
    from workflow import log_in

    client = Client()
    log_in(client, user)
    return client.cookies["sessionid"].value


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        host = f"{settings['HOST'] or 'localhost'}:{settings['PORT'] or 5432}"
        return f"postgres://{settings['USER']}@{host}/{settings['NAME']}"
    return f"sqlite:///{settings['NAME']}"


def start_gunicorn(port: int, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url(), "DJANGO_SETTINGS_MODULE": "floors_settings"}
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "govcloud.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--pythonpath", str(ROOT / "benchmarks"), "--no-control-socket", "--log-level", "warning", *extra],
        cwd=ROOT, env=env,
    )  # fmt: skip
    for _ in range(200):
        try:
            if fetch(port, "/healthz", "") == 200:
                return server
        except OSError:
            pass
        time.sleep(0.1)
    server.kill()
    raise SystemExit("gunicorn did not answer")


def fetch(port: int, path: str, cookie: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Cookie": f"sessionid={cookie}", "Accept-Language": "zh-hans"} if cookie else {}
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status


def measure(port: int, path: str, cookie: str) -> tuple[float, float]:
    """(median of sequential requests, p95 with CLIENTS concurrent clients), in seconds."""
    for _ in range(3):  # warm both workers' caches
        status = fetch(port, path, cookie)
        assert status == 200, (path, status)
    sequential = []
    for _ in range(SEQUENTIAL):
        start = time.perf_counter()
        fetch(port, path, cookie)
        sequential.append(time.perf_counter() - start)
    concurrent: list[float] = []
    lock = threading.Lock()

    def client() -> None:
        mine = []
        for _ in range(PER_CLIENT):
            start = time.perf_counter()
            fetch(port, path, cookie)
            mine.append(time.perf_counter() - start)
        with lock:
            concurrent.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statistics.median(sequential), statistics.quantiles(concurrent, n=20)[-1]


def signed_in_city(n: int) -> tuple[str, str, str]:
    """Build the city (n applications, the workflow benchmark's builder, plus resources, work
    orders and statements), let PostgreSQL's planner see it, and sign in the center's reviewer, the
    provider's operator and a department's applicant: their three session cookies."""
    from workflow import build

    from govcloud.organizations.models import Organization, OrganizationKind

    reviewer, applicant, _department = build(n)
    operator = build_more(list(Organization.objects.filter(kind=OrganizationKind.DEPARTMENT).order_by("pk")))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return session_cookie(reviewer), session_cookie(operator), session_cookie(applicant)


def list_pages(center: str, provider: str, dept: str) -> list[tuple[str, str, str]]:
    """The list pages measured: (label, path, session cookie)."""
    return [
        ("center: application list", "/applications/", center),
        ("center: inbox", "/applications/inbox/", center),
        ("center: ledger", "/ledger/", center),
        ("center: statements", "/billing/", center),
        ("provider: work-order queue", "/work-orders/", provider),
        ("department: applications", "/applications/", dept),
        ("department: ledger", "/ledger/", dept),
        ("department: statements", "/billing/", dept),
    ]


def main(n: int) -> None:
    from govcloud.applications.models import Application
    from govcloud.ledger.models import Resource

    start = time.perf_counter()
    center, provider, dept = signed_in_city(n)
    build_seconds = time.perf_counter() - start
    connection.close()  # gunicorn's workers use the database now; this process only measures

    pages = list_pages(center, provider, dept)
    port = free_port()
    server = start_gunicorn(port)
    try:
        bare_median, bare_p95 = measure(port, "/healthz", "")
        floors = [
            ("floor: signed in, no work", SIGNED_IN, *measure(port, SIGNED_IN, center)),
            ("floor: layout, empty page", LAYOUT, *measure(port, LAYOUT, center)),
        ]
        rows = [(label, path, *measure(port, path, cookie)) for label, path, cookie in pages]
    finally:
        server.terminate()
        server.wait(10)
    # The worker model, measured rather than assumed: the same two processes with four threads each.
    port = free_port()
    server = start_gunicorn(port, "--threads", "4")
    try:
        threaded = measure(port, "/applications/", center)
    finally:
        server.terminate()
        server.wait(10)
    print(
        f"list pages on {connection.vendor} through gunicorn (2 sync workers): {Application.objects.count()} "
        f"applications, {Resource.objects.count()} resources (built in {build_seconds:.0f} s); "
        f"median of {SEQUENTIAL} sequential requests, p95 of {CLIENTS} clients x {PER_CLIENT}"
    )
    signed_median, signed_p95 = floors[0][2:]
    ratios = f"{'/healthz':>8} {'/signed':>8}"  # each time over /healthz's and over the signed-in floor's
    print(f"  {'':28} {'path':20} {'median':>9} {ratios} {'p95 (10)':>10} {ratios}")
    print(f"  {'bare endpoint':28} {'/healthz':20} {bare_median * 1000:6.1f} ms {'':17} {bare_p95 * 1000:7.1f} ms")
    for label, path, median, p95 in floors + rows:
        print(
            f"  {label:28} {path:20} {median * 1000:6.1f} ms "
            f"{median / bare_median:7.1f}x {median / signed_median:7.1f}x "
            f"{p95 * 1000:7.1f} ms {p95 / bare_p95:7.1f}x {p95 / signed_p95:7.1f}x"
        )
    sync = next(row for row in rows if row[0] == "center: application list")
    print(
        f"  worker model, center application list: 2 sync workers median {sync[2] * 1000:.1f} ms, "
        f"p95 {sync[3] * 1000:.1f} ms; 2 workers x 4 threads median {threaded[0] * 1000:.1f} ms, "
        f"p95 {threaded[1] * 1000:.1f} ms"
    )


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    if "--smoke" in sys.argv:  # the test suite's check that the benchmark still runs: a few requests
        SEQUENTIAL, CLIENTS, PER_CLIENT = 3, 2, 2
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        main(count)
    finally:
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)
