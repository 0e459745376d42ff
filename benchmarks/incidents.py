"""Service desk board speed with 5,000 open incidents, measured side by side with its floor.

Bulk-creates 100 departments and N open incidents (a third answered), then times, as a provider
engineer:
- the board page and its HTMX refresh (whole requests through the Django test client: session,
  role, the open counts, the 100 rows with the least time left, template), against the floor: one raw
  SELECT of the same 100 rows with the same joins and order;
- the bare API list of open incidents (one page of 50), for comparison.

    .venv/bin/python benchmarks/incidents.py [INCIDENTS] [DEPARTMENTS]     # SQLite (a throwaway test database)

Prints times (median of repeated runs) and ratios; there is no pass/fail.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govcloud.settings_test")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

REPEAT = 15


def timed(call, repeat: int = REPEAT) -> float:
    call()
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def build(incidents: int, departments: int):
    from citybuild import organizations

    from govcloud.core.roles import Role
    from govcloud.incidents.models import Channel, Incident, IncidentSeverity, IncidentState
    from govcloud.incidents.severities import severities_seed
    from govcloud.organizations.models import OrganizationKind, RoleAssignment, User

    rng = random.Random(20261205)
    severities_seed()
    levels = list(IncidentSeverity.objects.order_by("rank"))
    city, provider, depts = organizations(
        departments, beside_kind=OrganizationKind.PROVIDER, beside_name="基准云服务商"
    )

    engineer = User.objects.create(username="bench_engineer", full_name="值班", organization=provider)
    engineer.set_password("Bench@2026-password")
    engineer.password_changed_at = timezone.now()
    engineer.must_change_password = False
    engineer.save()
    RoleAssignment.objects.create(user=engineer, role=Role.PROVIDER_OPERATOR)

    now = timezone.now()
    rows = []
    for n in range(incidents):
        severity = rng.choice(levels)
        reported = now - timedelta(seconds=rng.randint(0, 3 * 24 * 3600))
        answered = rng.random() < 0.33
        rows.append(
            Incident(
                number=f"GZ-BM-{n + 1:06d}",
                organization=rng.choice(depts),
                title=f"故障{n + 1}",
                symptom="基准",
                severity=severity,
                channel=Channel.WEB,
                reported_at=reported,
                response_due_at=reported + severity.response_limit,
                recovery_due_at=reported + severity.recovery_target,
                state=IncidentState.RESPONDED if answered else IncidentState.REPORTED,
                responder=engineer if answered else None,
                responded_at=reported + timedelta(minutes=3) if answered else None,
                responded_in_time=True if answered else None,
            )
        )
    Incident.objects.bulk_create(rows, batch_size=2000)
    return User.objects.get(pk=engineer.pk)


def main(incidents: int, departments: int) -> None:
    from django.test import Client
    from django.urls import reverse

    from conftest import login

    start = time.perf_counter()
    engineer = build(incidents, departments)
    build_seconds = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    floor_sql = (
        "SELECT i.*, o.name, s.name, u.full_name FROM incidents_incident i "
        "LEFT JOIN organizations_organization o ON o.id = i.organization_id "
        "JOIN incidents_incidentseverity s ON s.id = i.severity_id "
        "LEFT JOIN organizations_user u ON u.id = i.responder_id "
        "WHERE i.state IN ('reported', 'responded', 'in_progress') "
        "ORDER BY CASE WHEN i.state = 'reported' THEN i.response_due_at ELSE i.recovery_due_at END, "
        "CASE WHEN i.state = 'reported' THEN 0 ELSE 1 END, i.id LIMIT 100"
    )

    def raw():
        with connection.cursor() as cursor:
            cursor.execute(floor_sql)
            return cursor.fetchall()

    client = Client()
    login(client, engineer)

    def page(url):
        def run():
            response = client.get(url)
            assert response.status_code == 200, response.status_code
            return response

        return run

    floor = timed(raw)
    results = [
        ("board page (the 100 with the least time left)", timed(page(reverse("incidents:board"))), floor),
        ("board refresh (HTMX rows)", timed(page(reverse("incidents:board_rows"))), floor),
        ("API list of open incidents (page of 50)", timed(page("/api/v1/incidents/?open=true")), floor),
    ]
    bare = results[2][1]
    print(f"incidents benchmark on {connection.vendor}: {incidents} open incidents, {departments} departments")
    print(f"  bulk load: {build_seconds:.1f} s; median of {REPEAT} runs after a warm-up")
    width = max(len(name) for name, *_ in results)
    print(f"  {'':{width}}   {'measured':>10}   {'floor':>10}   ratio   vs API")
    for name, seconds, base in results:
        print(
            f"  {name:{width}} : {seconds * 1000:8.1f} ms  {base * 1000:8.2f} ms  {seconds / base:6.1f}x"
            f"  {seconds / bare:5.2f}x"
        )


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 5_000
    departments = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        main(count, departments)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
