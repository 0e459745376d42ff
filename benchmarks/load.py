"""Load: simulated users of every role over their main journeys, through a real gunicorn on loopback.

Builds the data in a throwaway database — the demo city (`demo`, manage.py load_demo) or the city of
the pages benchmark (`city`, benchmarks/pages.py: 10,000 applications across 50 departments, 30,000
resources, a work order per item, two years of statements per department) — signs each role in,
starts gunicorn against it (two sync workers, DEBUG off, as benchmarks/pages.py does), and runs
locust headless (benchmarks/locustfile.py) with 50 users for 2 minutes:

- department applicants browse their applications, open one, and draft a new one through the form;
- center reviewers work the inbox and open applications;
- provider operators work the work-order queue and open work orders;
- finance viewers browse statements and open them;
- a few users fetch `/healthz` (the bare endpoint: middleware, no query) in the same run.

Prints, per page, requests, errors (must be 0: any answer but the expected one counts), requests/s
and p50/p95/p99 beside `/healthz`'s. Exits 1 when there was an error.

    .venv/bin/python benchmarks/load.py demo                     # the demo data, SQLite
    .venv/bin/python benchmarks/load.py city [APPLICATIONS]       # the big city (10,000 by default)
    DATABASE_URL=postgres://postgres@localhost:5432/postgres .venv/bin/python benchmarks/load.py city
    .venv/bin/python benchmarks/load.py city 200 --smoke          # a few users for a few seconds

Options: --users N (50), --seconds S (120), --smoke (10 users, 15 seconds).
"""

from __future__ import annotations

import csv
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.db import connection
from django.test.utils import setup_test_environment
from pages import ROOT, build_more, free_port, session_cookie, start_gunicorn  # django.setup() runs there

LOCUSTFILE = ROOT / "benchmarks" / "locustfile.py"
SESSIONS = 3  # signed-in sessions per role, shared among that role's simulated users
IDS = 200  # objects of each kind the users open, chosen at random among the first ones they see


def finance_user():
    from django.utils import timezone

    from govcloud.core.roles import Role
    from govcloud.organizations.models import Organization, OrganizationKind, OrganizationLevel, RoleAssignment, User

    city = Organization.objects.get(level=OrganizationLevel.CITY)
    finance = Organization.objects.create(
        name="财政局", kind=OrganizationKind.FINANCE, level=OrganizationLevel.DEPARTMENT, parent=city,
        credit_code="BENCH0000000008", contact_name="x",
    )  # fmt: skip
    finance.path = f"{city.path}{finance.pk}/"
    finance.depth = city.depth + 1
    finance.save(update_fields=["path", "depth"])
    user = User.objects.create(
        username="bench_finance", organization=finance, full_name="财政", password_changed_at=timezone.now(),
        must_change_password=False,
    )  # fmt: skip
    RoleAssignment.objects.create(user=user, role=Role.FINANCE_VIEWER)
    return User.objects.get(pk=user.pk)


def build_city(n: int) -> dict:
    from workflow import build

    from govcloud.organizations.models import Organization, OrganizationKind

    reviewer, applicant, _department = build(n)
    departments = list(Organization.objects.filter(kind=OrganizationKind.DEPARTMENT).order_by("pk"))
    operator = build_more(departments)
    return {"applicant": applicant, "reviewer": reviewer, "provider": operator, "finance": finance_user()}


def build_demo() -> dict:
    import io

    from django.core.management import call_command

    from govcloud.organizations.models import User

    logging.disable(logging.INFO)  # the demo's tasks log each run
    try:
        call_command("load_demo", "--force", stdout=io.StringIO())
    finally:
        logging.disable(logging.NOTSET)
    users = {"applicant": "gaj_applicant", "reviewer": "center_reviewer", "provider": "provider_ops"}
    found = {role: User.objects.get(username=username) for role, username in {**users, "finance": "finance"}.items()}
    return found


def plan(users: dict) -> dict:
    """What the simulated users need: sessions per role, the ids each role opens, and what a draft
    is made of (the applicant's information system, the host catalog item)."""
    from govcloud.applications.selectors import applications_for, inbox_for, systems_for_applications
    from govcloud.billing.models import Statement
    from govcloud.catalog.models import CatalogItem
    from govcloud.delivery.models import WorkOrder

    applicant = users["applicant"]
    own = applications_for(user=applicant).order_by("-pk").values_list("pk", flat=True)[:IDS]
    inbox = inbox_for(user=users["reviewer"]).order_by("-pk").values_list("pk", flat=True)[:IDS]
    system = systems_for_applications(user=applicant).order_by("pk").first()  # the form's choices
    return {
        "sessions": {role: [session_cookie(user) for _ in range(SESSIONS)] for role, user in users.items()},
        "ids": {
            "applicant": list(own),
            "reviewer": list(inbox),
            "provider": list(WorkOrder.objects.order_by("-pk").values_list("pk", flat=True)[:IDS]),
            "finance": list(Statement.objects.order_by("-pk").values_list("pk", flat=True)[:IDS]),
        },
        "draft": {
            "system": system.pk,
            "host": CatalogItem.objects.get(code="host").pk,
        },
    }


def run_locust(port: int, the_plan: dict, users: int, seconds: int, folder: Path) -> int:
    plan_file = folder / "plan.json"
    plan_file.write_text(json.dumps(the_plan))
    command = [
        str(ROOT / ".venv/bin/locust"), "-f", str(LOCUSTFILE), "--headless", "--host", f"http://127.0.0.1:{port}",
        "--users", str(users), "--spawn-rate", str(max(1, users // 5)), "--run-time", f"{seconds}s",
        "--csv", str(folder / "load"), "--only-summary", "--loglevel", "WARNING", "--stop-timeout", "10",
    ]  # fmt: skip
    env = {**os.environ, "GOVCLOUD_LOAD_PLAN": str(plan_file)}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=seconds + 180)
    if done.returncode not in (0, 1):  # 1: locust ran and saw failures, reported below
        print(done.stdout[-3000:], done.stderr[-3000:])
        raise SystemExit(f"locust failed with {done.returncode}")
    return done.returncode


def report(folder: Path, label: str) -> int:
    """Prints the table; returns the number of errors."""
    with open(folder / "load_stats.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    total = next(row for row in rows if row["Name"] == "Aggregated")
    pages = sorted((row for row in rows if row["Name"] != "Aggregated"), key=lambda r: r["Name"] != "/healthz")
    bare = pages[0] if pages and pages[0]["Name"] == "/healthz" else None
    print(label)
    print(
        f"  {'page':36} {'requests':>8} {'errors':>6} {'req/s':>6} {'p50':>7} {'p95':>7} {'p99':>7}  x healthz p50/p95"
    )
    for row in pages:
        p50, p95, p99 = (float(row[k]) for k in ("50%", "95%", "99%"))
        ratio = ""
        if bare is not None and row is not bare:
            ratio = f"  {p50 / max(float(bare['50%']), 1):5.1f}x {p95 / max(float(bare['95%']), 1):5.1f}x"
        print(
            f"  {row['Name']:36} {row['Request Count']:>8} {row['Failure Count']:>6} {float(row['Requests/s']):6.1f} "
            f"{p50:5.0f}ms {p95:5.0f}ms {p99:5.0f}ms{ratio}"
        )
    errors = int(total["Failure Count"])
    print(
        f"  total: {total['Request Count']} requests, errors: {errors}, {float(total['Requests/s']):.1f} requests/s, "
        f"p50 {float(total['50%']):.0f} ms, p95 {float(total['95%']):.0f} ms, p99 {float(total['99%']):.0f} ms"
    )
    failures = folder / "load_failures.csv"
    if errors and failures.exists():
        with open(failures, newline="") as f:
            for row in list(csv.DictReader(f))[:20]:
                print(f"  error: {row['Method']} {row['Name']} x{row['Occurrences']}: {row['Error'][:200]}")
    return errors


def main(data: str, n: int, users: int, seconds: int) -> int:
    from govcloud.applications.models import Application
    from govcloud.ledger.models import Resource

    start = time.perf_counter()
    role_users = build_demo() if data == "demo" else build_city(n)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    the_plan = plan(role_users)
    build_seconds = time.perf_counter() - start
    label = (
        f"load on {connection.vendor}, {data} data ({Application.objects.count()} applications, "
        f"{Resource.objects.count()} resources, built in {build_seconds:.0f} s): {users} users for {seconds} s "
        f"through gunicorn (2 sync workers), times in ms"
    )
    connection.close()  # gunicorn's workers use the database now
    port = free_port()
    server = start_gunicorn(port)
    try:
        with tempfile.TemporaryDirectory(prefix="govcloud-load-") as folder:
            run_locust(port, the_plan, users, seconds, Path(folder))
            errors = report(Path(folder), label)
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    return 1 if errors else 0


def option(name: str, default: int) -> int:
    return int(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else default


if __name__ == "__main__":
    positional = [
        a for i, a in enumerate(sys.argv[1:], 1) if not a.startswith("--") and not sys.argv[i - 1].startswith("--")
    ]
    data = positional[0] if positional else "city"
    if data not in ("demo", "city"):
        raise SystemExit(__doc__)
    count = int(positional[1]) if len(positional) > 1 else 10_000
    smoke = "--smoke" in sys.argv
    users, seconds = option("--users", 10 if smoke else 50), option("--seconds", 15 if smoke else 120)
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        code = main(data, count, users, seconds)
    finally:
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)
    sys.exit(code)
