"""Resource ledger speed with a city's worth of resources, measured side by side with its floor.

Bulk-creates 300 departments and 30,000 resources (the numeric columns filled as the services
fill them), then times, as the center's reviewer and as a department user:
- the ledger list page (a whole request through the Django test client: session, scope, filters,
  count, one page of rows, template), against its floor: one raw SELECT of the same page of rows
  with the same joins;
- the totals per department (one grouped query), against its floor: the raw GROUP BY;
- the totals page (a whole request).

    .venv/bin/python benchmarks/ledger.py [RESOURCES] [DEPARTMENTS]     # SQLite (a throwaway test database)
    DATABASE_URL=postgres://postgres@localhost:5432/bench .venv/bin/python benchmarks/ledger.py

Prints times (median of repeated runs) and ratios; there is no pass/fail.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from decimal import Decimal
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
    """Median seconds of `repeat` runs, after one warm-up run."""
    call()
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def build(resources: int, departments: int):
    from citybuild import organizations

    from govcloud.catalog.models import CatalogItem
    from govcloud.catalog.seed import seed_annex1
    from govcloud.catalog.specs import resource_columns
    from govcloud.core.roles import Role
    from govcloud.ledger.models import Resource, ResourceState
    from govcloud.organizations.models import OrganizationKind, RoleAssignment, User
    from govcloud.systems.models import InformationSystem

    rng = random.Random(20260301)
    seed_annex1()
    city, center, depts = organizations(
        departments, beside_kind=OrganizationKind.CENTER, beside_name="基准电子政务中心"
    )
    systems = InformationSystem.objects.bulk_create(
        InformationSystem(organization=org, name=f"{org.name}业务系统", classified=True) for org in depts
    )
    items = list(CatalogItem.objects.prefetch_related("options"))
    host = next(i for i in items if i.code == "host")
    images = [o.value for o in host.options.all() if o.dimension == "os_image"]
    states = [ResourceState.IN_SERVICE] * 8 + [ResourceState.TESTING, ResourceState.TERMINATED]
    specs = {
        "host": lambda: {
            "vcpu": rng.choice([1, 2, 4, 8, 16]),
            "memory_gb": rng.choice([2, 4, 8, 16, 32]),
            "disk_type": rng.choice(["sata", "ssd"]),
            "system_disk_gb": 50,
            "data_disk_gb": rng.choice([0, 100, 500]),
            "os_image": rng.choice(images),
        },
        "database": lambda: {"vcpu": 4, "memory_gb": 16, "storage_gb": rng.choice([100, 500])},
        "storage": lambda: {"storage_tb": str(Decimal(rng.randint(1, 50)) / 10)},
        "load_balancer": lambda: {"lb_layer": "l7"},
        "network_access": lambda: {"bandwidth_mbps": 20, "public_addresses": 1},
    }
    weights = {"host": 6, "database": 2, "storage": 1, "load_balancer": 1, "network_access": 1}
    by_kind = {}
    for item in items:
        by_kind.setdefault(item.kind, []).append(item)
    kinds = [k for k, w in weights.items() for _ in range(w)]
    rows = []
    for n in range(resources):
        index = rng.randrange(departments)
        item = rng.choice(by_kind[rng.choice(kinds)])
        spec = specs[item.kind]()
        address = [{"network": "extranet", "address": f"10.{n // 65536}.{n // 256 % 256}.{n % 256}"}]
        state = rng.choice(states)
        rows.append(
            Resource(
                code=f"TZ-BM-{n + 1:06d}",
                name=f"资源{n + 1}",
                organization=depts[index],
                system=systems[index],
                catalog_item=item,
                kind=item.kind,
                spec=spec,
                addresses=address,
                addresses_text=address[0]["address"],
                state=state,
                **resource_columns(item, spec, address),
            )
        )
    Resource.objects.bulk_create(rows, batch_size=2000)

    def user(username, org, role):
        account = User.objects.create(
            username=username, full_name=username, organization=org, must_change_password=False
        )
        account.set_password("Bench@2026-password")
        account.password_changed_at = timezone.now()
        account.save()
        RoleAssignment.objects.create(user=account, role=role)
        return User.objects.get(pk=account.pk)

    reviewer = user("bench_reviewer", center, Role.CENTER_REVIEWER)
    department = user("bench_department", depts[0], Role.DEPARTMENT_APPLICANT)
    return reviewer, department


def main(resources: int, departments: int) -> None:
    from django.test import Client
    from django.urls import reverse

    from conftest import login
    from govcloud.ledger import selectors

    start = time.perf_counter()
    reviewer, department = build(resources, departments)
    build_seconds = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    page_sql = (
        "SELECT r.*, o.name, s.name, c.name FROM ledger_resource r "
        "JOIN organizations_organization o ON o.id = r.organization_id "
        "LEFT JOIN systems_informationsystem s ON s.id = r.system_id "
        "JOIN catalog_catalogitem c ON c.id = r.catalog_item_id "
        "{where} ORDER BY r.created_at DESC, r.id DESC LIMIT 50"
    )
    totals_sql = (
        "SELECT r.organization_id, COUNT(*), SUM(vcpu), SUM(memory_gb), SUM(disk_gb), SUM(storage_tb) "
        "FROM ledger_resource r JOIN organizations_organization o ON o.id = r.organization_id "
        "WHERE r.state IN ('testing', 'in_service', 'changing') {where} GROUP BY r.organization_id"
    )

    def raw(sql, params=()):
        def run():
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()

        return run

    def page(client, url):
        def run():
            response = client.get(url)
            assert response.status_code == 200, response.status_code
            return response

        return run

    list_url, totals_url = reverse("ledger:resource_list"), reverse("ledger:totals")
    results = []
    for label, user in (("center reviewer", reviewer), ("department user", department)):
        client = Client()
        login(client, user)
        own = selectors.resources_for(user=user).count()
        prefix = user.organization.path + "%"
        scoped = "WHERE o.path LIKE %s" if label == "department user" else ""
        params = (prefix,) if scoped else ()
        rows = len(page(client, list_url)().context["page"].object_list)
        results.append(
            (
                f"ledger list page, {label} ({own} visible, {rows} shown)",
                timed(page(client, list_url)),
                timed(raw(page_sql.format(where=scoped), params)),
            )
        )
        visible = selectors.resources_for(user=user).filter(state__in=selectors.IN_USE)
        results.append(
            (
                f"totals per department query, {label}",
                timed(lambda visible=visible: selectors.totals_by_department(visible)),
                timed(raw(totals_sql.format(where="AND o.path LIKE %s" if scoped else ""), params)),
            )
        )
        results.append(
            (
                f"totals page, {label}",
                timed(page(client, totals_url)),
                timed(raw(totals_sql.format(where="AND o.path LIKE %s" if scoped else ""), params)),
            )
        )
        filtered = f"{list_url}?state=in_service&kind=host&network=extranet&q=资源1"
        where = "WHERE r.state = 'in_service' AND r.kind = 'host' AND r.network = 'extranet' AND r.name LIKE %s" + (
            " AND o.path LIKE %s" if scoped else ""
        )
        results.append(
            (
                f"ledger list page, filtered, {label}",
                timed(page(client, filtered)),
                timed(raw(page_sql.format(where=where), ("%资源1%", *params))),
            )
        )

    print(f"ledger benchmark on {connection.vendor}: {resources} resources, {departments} departments")
    print(f"  bulk load: {build_seconds:.1f} s; median of {REPEAT} runs after a warm-up")
    width = max(len(name) for name, *_ in results)
    print(f"  {'':{width}}   {'measured':>10}   {'floor':>10}   ratio")
    for name, seconds, floor in results:
        print(f"  {name:{width}} : {seconds * 1000:8.1f} ms  {floor * 1000:8.2f} ms  {seconds / floor:7.1f}x")


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 30_000
    departments = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        main(count, departments)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
