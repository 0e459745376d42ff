"""The workflow's busiest lists at volume, measured side by side with their floor in one run.

10,000 applications (with their items) across 50 departments and 30,000 resources in the ledger are
bulk-created in a throwaway test database; then the center's inbox page and the department's list
page are fetched through the Django test client (the whole stack: middleware, scope, selectors,
templates, the time-left tags), and each is set beside its floor: the same rows read with raw SQL
(a count and one page of 50, nothing else).

    .venv/bin/python benchmarks/workflow.py [APPLICATIONS]        # SQLite (a throwaway test database)
    DATABASE_URL=postgres://postgres@localhost:5432/bench .venv/bin/python benchmarks/workflow.py

Prints times and ratios; there is no pass/fail.
"""

from __future__ import annotations

import os
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

RUNS = 15
DEPARTMENTS = 50
RESOURCES_PER_APPLICATION = 3


def build(n: int):
    from django.utils import timezone

    from govcloud.applications.models import Application, ApplicationItem, ApplicationKind, ApplicationState
    from govcloud.catalog.models import CatalogItem
    from govcloud.catalog.seed import seed_annex1
    from govcloud.core.roles import Role
    from govcloud.ledger.models import Resource, ResourceState
    from govcloud.organizations.models import Organization, OrganizationKind, OrganizationLevel, RoleAssignment, User
    from govcloud.systems.models import InformationSystem

    seed_annex1()
    host = CatalogItem.objects.get(code="host")
    storage = CatalogItem.objects.get(code="storage")

    def org(name, kind=OrganizationKind.DEPARTMENT, parent=None, level=OrganizationLevel.DEPARTMENT, i=0):
        o = Organization.objects.create(
            name=name, kind=kind, level=level, parent=parent, credit_code=f"BENCH{i:013d}", contact_name="x"
        )
        o.path = f"{parent.path if parent else '/'}{o.pk}/"
        o.depth = parent.depth + 1 if parent else 0
        o.save(update_fields=["path", "depth"])
        return o

    city = org("基准市", level=OrganizationLevel.CITY, i=1)
    center = org("电子政务中心", OrganizationKind.CENTER, city, i=2)
    departments = [org(f"部门{k}", parent=city, i=10 + k) for k in range(DEPARTMENTS)]

    def user(username, organization, role):
        u = User.objects.create(
            username=username,
            organization=organization,
            full_name=username,
            password_changed_at=timezone.now(),
            must_change_password=False,
        )
        RoleAssignment.objects.create(user=u, role=role)
        return User.objects.get(pk=u.pk)

    reviewer = user("bench_reviewer", center, Role.CENTER_REVIEWER)
    applicant = user("bench_applicant", departments[0], Role.DEPARTMENT_APPLICANT)
    systems = [
        InformationSystem.objects.create(organization=d, name=f"系统{k}", protection_level=2)
        for k, d in enumerate(departments)
    ]

    now = timezone.now()
    states = [
        ApplicationState.SUBMITTED,
        ApplicationState.ACCEPTED,
        ApplicationState.IN_SERVICE,
        ApplicationState.IN_DELIVERY,
        ApplicationState.DRAFT,
    ]
    spec = {"vcpu": 4, "memory_gb": 8, "disk_type": "ssd", "os_image": "centos-7.0-64", "system_disk_gb": 100}
    batch = 2000
    for start in range(0, n, batch):
        rows = []
        for i in range(start, min(n, start + batch)):
            d = i % DEPARTMENTS
            state = states[i % len(states)]
            decision = now + timedelta(hours=(i * 7) % 97 - 30) if state in states[:2] else None
            acceptance = now + timedelta(hours=(i * 5) % 43 - 20) if state == ApplicationState.SUBMITTED else None
            rows.append(
                Application(
                    number=f"SQ-BENCH-{i:06d}",
                    kind=ApplicationKind.NEW,
                    organization=departments[d],
                    system=systems[d],
                    purpose=f"基准申请 {i}",
                    environment="production",
                    contact_name="联系人",
                    contact_phone="0523-86830000",
                    state=state,
                    created_by=applicant,
                    submitted_at=now - timedelta(hours=i % 200),
                    acceptance_due_at=acceptance,
                    decision_due_at=decision,
                    # bulk_create skips save(), which keeps the inbox's order column (Application.center_due)
                    inbox_due_at=acceptance or decision,
                    exceeds_quota=i % 17 == 0,
                    monthly_estimate=1000 + i % 500,
                )
            )
        Application.objects.bulk_create(rows, batch_size=500)
    app_ids = list(Application.objects.order_by("pk").values_list("pk", "organization_id", "system_id"))
    items = []
    for k, (pk, _org, _sys) in enumerate(app_ids):
        items.append(ApplicationItem(application_id=pk, catalog_item=host, quantity=2, spec=spec))
        if k % 2:
            items.append(ApplicationItem(application_id=pk, catalog_item=storage, quantity=1, spec={"storage_tb": "1"}))
    ApplicationItem.objects.bulk_create(items, batch_size=2000)
    resources = []
    for k in range(len(app_ids) * RESOURCES_PER_APPLICATION):
        pk, org_id, sys_id = app_ids[k % len(app_ids)]
        resources.append(
            Resource(
                code=f"TZ-VM-{k + 1:06d}",
                name=f"bench-{k}",
                organization_id=org_id,
                system_id=sys_id,
                catalog_item=host,
                kind="host",
                spec=spec,
                state=ResourceState.IN_SERVICE,
                origin_application_id=pk,
                delivered_at=now,
                in_service_at=now,
            )
        )
    Resource.objects.bulk_create(resources, batch_size=2000)
    return reviewer, applicant, departments[0]


def log_in(client, user) -> None:
    from govcloud.organizations.middleware import SESSION_2FA

    client.force_login(user)
    session = client.session
    session[SESSION_2FA] = ""
    session.save()


def timed(call) -> float:
    call()  # warm caches (policies, calendar, templates) as a running server has them
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def floor_inbox() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM applications_application WHERE state IN ('submitted', 'accepted')")
        cursor.fetchone()
        cursor.execute(
            "SELECT a.id, a.number, a.kind, a.state, a.environment, a.monthly_estimate, a.exceeds_quota, "
            "a.decision_due_at, a.submitted_at, o.name, s.name, "
            "(SELECT COUNT(*) FROM applications_applicationitem i WHERE i.application_id = a.id) "
            "FROM applications_application a "
            "JOIN organizations_organization o ON o.id = a.organization_id "
            "JOIN systems_informationsystem s ON s.id = a.system_id "
            "WHERE a.state IN ('submitted', 'accepted') "
            "ORDER BY a.inbox_due_at IS NULL, a.inbox_due_at, a.id LIMIT 50"
        )
        cursor.fetchall()


def floor_department(path: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM applications_application a JOIN organizations_organization o "
            "ON o.id = a.organization_id WHERE o.path LIKE %s",
            [path + "%"],
        )
        cursor.fetchone()
        cursor.execute(
            "SELECT a.id, a.number, a.kind, a.state, a.environment, a.monthly_estimate, a.exceeds_quota, "
            "a.decision_due_at, a.created_at, o.name, s.name, "
            "(SELECT COUNT(*) FROM applications_applicationitem i WHERE i.application_id = a.id) "
            "FROM applications_application a "
            "JOIN organizations_organization o ON o.id = a.organization_id "
            "JOIN systems_informationsystem s ON s.id = a.system_id "
            "WHERE o.path LIKE %s ORDER BY a.created_at DESC, a.id DESC LIMIT 50",
            [path + "%"],
        )
        cursor.fetchall()


def main(n: int) -> None:
    from django.test import Client

    from govcloud.applications.models import Application
    from govcloud.ledger.models import Resource

    start = time.perf_counter()
    reviewer, applicant, department = build(n)
    build_seconds = time.perf_counter() - start

    center_client, department_client = Client(), Client()
    log_in(center_client, reviewer)
    log_in(department_client, applicant)

    def get(client, url):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    results = [
        (
            "center inbox page (/applications/inbox/)",
            timed(lambda: get(center_client, "/applications/inbox/")),
            timed(floor_inbox),
        ),
        (
            "department list page (/applications/)",
            timed(lambda: get(department_client, "/applications/")),
            timed(lambda: floor_department(department.path)),
        ),
        (
            "inbox API (/api/v1/applications/inbox/)",
            timed(lambda: get(center_client, "/api/v1/applications/inbox/")),
            timed(floor_inbox),
        ),
    ]
    awaiting = Application.objects.filter(state__in=["submitted", "accepted"]).count()
    mine = Application.objects.filter(organization=department).count()
    print(f"workflow benchmark on {connection.vendor}: {Application.objects.count()} applications, "
          f"{Resource.objects.count()} resources (built in {build_seconds:.1f} s)")  # fmt: skip
    print(f"  {awaiting} awaiting the center; the department has {mine}; pages of 50; median of {RUNS} runs")
    print(f"  {'':44} {'page':>10} {'raw SQL':>10} {'ratio':>8}")
    for label, page, floor in results:
        print(f"  {label:44} {page * 1000:8.1f} ms {floor * 1000:8.2f} ms {page / floor:7.1f}x")


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        main(count)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
