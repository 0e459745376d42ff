"""A quarterly provider assessment over a whole city, measured beside its raw-SQL floor.

Bulk-creates a city of 100 departments with RESOURCES resources in service, WORK_ORDERS completed work
orders, INCIDENTS incidents in last quarter (each naming one or two resources, most recovered, some
closed and rated), approved maintenance windows, overload alerts, daily rollups and an answered
survey round; then times, as the center:
- `assessment_run` for last quarter with the default scheme (every indicator computed, scored and
  stored with its evidence and breakdown, one audit event), against the floor: the raw SELECTs that
  read the same rows the indicators read (work orders, incidents, the incident–resource links, the
  resources in service, maintenance windows, alerts, bulletins, sessions, survey answers), fetched
  and nothing computed;
- availability alone (the heaviest indicator: interval arithmetic over every resource), against the
  floor's part for it.

    .venv/bin/python benchmarks/assessment.py [RESOURCES] [WORK_ORDERS] [INCIDENTS]   # SQLite (throwaway test database)

Prints times (median of repeated runs) and ratios; there is no pass/fail.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from datetime import time as dtime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govcloud.settings_test")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

REPEAT = 3
DEPARTMENTS = 100


def timed(call, repeat: int = REPEAT) -> float:
    call()
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def quarter():
    from govcloud.assessment.surveys import previous_period

    return previous_period(timezone.localdate(), 3)


def build(resources: int, work_orders: int, incidents: int):
    from citybuild import organizations

    from govcloud.applications.models import Application, ApplicationItem, ApplicationKind, ApplicationState
    from govcloud.assessment import services, surveys
    from govcloud.assessment.models import SurveyResponse
    from govcloud.catalog.models import CatalogItem
    from govcloud.catalog.seed import seed_annex1
    from govcloud.core.actors import SYSTEM
    from govcloud.core.roles import Role
    from govcloud.delivery.models import WorkOrder, WorkOrderKind, WorkOrderState
    from govcloud.incidents.models import Channel, Incident, IncidentSeverity, IncidentState
    from govcloud.incidents.severities import severities_seed
    from govcloud.ledger.models import Resource, ResourceState
    from govcloud.maintenance.models import MaintenanceWindow, WindowState
    from govcloud.monitoring.alerts import alert_rules_seed
    from govcloud.monitoring.models import Alert, AlertKind, AlertRule, AlertState, Metric, Period, Rollup
    from govcloud.organizations.models import OrganizationKind, RoleAssignment, User
    from govcloud.systems.models import InformationSystem
    from govcloud.workdays.services import calendar_seed_from_package

    rng = random.Random(20261205)
    tz = timezone.get_current_timezone()
    q_start, q_end = quarter()
    start = datetime.combine(q_start, dtime.min, tzinfo=tz)
    seconds = int((datetime.combine(q_end, dtime.max, tzinfo=tz) - start).total_seconds())

    def moment():
        return start + timedelta(seconds=rng.randrange(seconds))

    calendar_seed_from_package(actor=SYSTEM)
    seed_annex1()
    severities_seed()
    alert_rules_seed()
    city, center, depts = organizations(
        DEPARTMENTS, beside_kind=OrganizationKind.CENTER, beside_name="基准电子政务中心"
    )
    systems = InformationSystem.objects.bulk_create(
        InformationSystem(organization=org, name=f"{org.name}业务系统", classified=True) for org in depts
    )
    items = {}
    for item in CatalogItem.objects.order_by("pk"):
        items.setdefault(item.kind, item)
    kinds = ["host"] * 6 + ["database"] * 2 + ["storage"]
    since = start - timedelta(days=365)
    Resource.objects.bulk_create(
        (
            Resource(
                code=f"TZ-BM-{n + 1:06d}",
                organization=depts[n % DEPARTMENTS],
                system=systems[n % DEPARTMENTS],
                catalog_item=items[kinds[n % len(kinds)]],
                kind=items[kinds[n % len(kinds)]].kind,
                spec={},
                state=ResourceState.IN_SERVICE,
                in_service_at=since + timedelta(hours=n % 2000),
            )
            for n in range(resources)
        ),
        batch_size=2000,
    )
    resource_ids = list(Resource.objects.values_list("pk", flat=True))

    def user(username, org, role):
        account = User.objects.create(username=username, full_name=username, organization=org)
        RoleAssignment.objects.create(user=account, role=role)
        return User.objects.get(pk=account.pk)

    admin = user("bench_center", center, Role.CENTER_ADMIN)
    applicant = user("bench_applicant", depts[0], Role.DEPARTMENT_APPLICANT)

    # Work orders: three per application, all completed in the quarter, a tenth late.
    apps = Application.objects.bulk_create(
        (
            Application(
                number=f"SQ-BM-{i:06d}",
                kind=ApplicationKind.NEW,
                organization=depts[i % DEPARTMENTS],
                system=systems[i % DEPARTMENTS],
                purpose="基准",
                environment="production",
                contact_name="联系人",
                contact_phone="0523-86830000",
                state=ApplicationState.IN_SERVICE,
                created_by=applicant,
            )
            for i in range(work_orders // 3 + 1)
        ),
        batch_size=2000,
    )
    app_items = ApplicationItem.objects.bulk_create(
        (ApplicationItem(application=app, catalog_item=items["host"], spec={}) for app in apps), batch_size=2000
    )
    orders = []
    for n in range(work_orders):
        done = moment()
        took = timedelta(hours=rng.choice([4, 8, 20, 30, 60, 120]))
        orders.append(
            WorkOrder(
                number=f"GD-BM-{n + 1:06d}",
                application=apps[n // 3],
                item=app_items[n // 3],
                kind=WorkOrderKind.PROVISION,
                state=WorkOrderState.COMPLETED,
                due_at=done - took + timedelta(hours=48) - (timedelta(hours=96) if n % 10 == 0 else timedelta()),
                completed_at=done,
            )
        )
    WorkOrder.objects.bulk_create(orders, batch_size=2000)
    WorkOrder.objects.update(created_at=timezone.now() - timedelta(days=60))

    # Incidents: each names one or two resources; 90 % recovered within hours, a third closed and rated.
    levels = list(IncidentSeverity.objects.order_by("rank"))
    rows = []
    for n in range(incidents):
        severity = rng.choice(levels)
        reported = moment()
        recovered = reported + timedelta(minutes=rng.choice([2, 10, 45, 180, 600])) if n % 10 else None
        closed = recovered + timedelta(hours=2) if recovered and n % 3 == 0 else None
        rows.append(
            Incident(
                number=f"GZ-BM-{n + 1:06d}",
                organization=depts[n % DEPARTMENTS],
                system=systems[n % DEPARTMENTS] if n % 4 == 0 else None,
                title=f"故障{n + 1}",
                symptom="基准",
                severity=severity,
                channel=Channel.WEB,
                reported_at=reported,
                response_due_at=reported + timedelta(minutes=5),
                recovery_due_at=reported + timedelta(hours=severity.recovery_hours),
                responded_at=reported + timedelta(minutes=rng.choice([1, 3, 4, 9])),
                recovered_at=recovered,
                closed_at=closed,
                rating=rng.choice([3, 4, 5, 5, 2]) if closed else None,
                rated_at=closed,
                state=IncidentState.CLOSED
                if closed
                else IncidentState.RECOVERED
                if recovered
                else IncidentState.RESPONDED,
            )
        )
    made = Incident.objects.bulk_create(rows, batch_size=2000)
    through = Incident.resources.through
    links = set()
    for incident in made:
        for _k in range(rng.choice([1, 1, 2])):
            links.add((incident.pk, rng.choice(resource_ids)))
    through.objects.bulk_create((through(incident_id=i, resource_id=r) for i, r in links), batch_size=5000)

    # Twenty approved maintenance windows of two hours on 50 resources each.
    for w in range(20):
        begin = moment()
        window = MaintenanceWindow.objects.create(
            title=f"维护{w}", state=WindowState.APPROVED, start=begin, end=begin + timedelta(hours=2), impact="基准"
        )
        window.resources.add(*rng.sample(resource_ids, 50))

    # Monitoring: daily rollups for a thousand resources, 300 overload alerts.
    Rollup.objects.bulk_create(
        (
            Rollup(
                resource_id=rid,
                metric=Metric.CPU_PERCENT,
                period=Period.DAY,
                start=start + timedelta(days=d),
                avg=40,
                max=90,
                p95=80,
                count=288,
            )
            for rid in resource_ids[:1000]
            for d in range(0, 90, 10)
        ),
        batch_size=5000,
    )
    rule = AlertRule.objects.get(kind=AlertKind.OVERLOADED)
    alerts = []
    for n, rid in enumerate(rng.sample(resource_ids, 300)):
        opened = moment()
        alerts.append(
            Alert(
                rule=rule,
                kind=AlertKind.OVERLOADED,
                resource_id=rid,
                metric=Metric.CPU_PERCENT,
                value=88,
                threshold=80,
                opened_at=opened,
                last_seen_at=opened,
                closed_at=opened + timedelta(hours=1 + n % 48),
                state=AlertState.CLOSED,
            )
        )
    Alert.objects.bulk_create(alerts, batch_size=2000)

    # Last quarter's survey, answered by 60 of the 100 departments.
    surveys.survey_questions_seed()
    survey = surveys.survey_round_open(actor=admin, period_start=q_start, period_end=q_end)
    SurveyResponse.objects.bulk_create(
        SurveyResponse(
            round=survey,
            organization=org,
            answers=[{"id": q["id"], "score": 4, "comment": ""} for q in survey.questions],
            average=4.0,
            answered_at=timezone.now(),
        )
        for org in depts[:60]
    )
    return admin, services.scheme_seed_default(actor=SYSTEM)


def floor_queries(q_start, q_end) -> dict[str, list[tuple[str, list]]]:
    """The raw reads behind the indicators: the same rows, fetched, nothing computed."""
    from govcloud.assessment.indicators import bounds

    lo, hi = bounds(q_start, q_end)
    span = [lo, hi]
    return {
        "responsiveness": [
            (
                "SELECT id, created_at, completed_at, due_at FROM delivery_workorder "
                "WHERE state = 'completed' AND completed_at >= %s AND completed_at < %s",
                span,
            ),
            (
                "SELECT i.id, i.reported_at, i.responded_at, i.response_due_at, i.recovered_at, i.recovery_due_at, "
                "s.rank, s.name, s.recovery_hours, s.is_major, i.system_id FROM incidents_incident i "
                "JOIN incidents_incidentseverity s ON s.id = i.severity_id "
                "WHERE i.reported_at >= %s AND i.reported_at < %s AND i.state <> 'merged'",
                span,
            ),
        ],
        "satisfaction": [
            (
                "SELECT id, rating FROM incidents_incident "
                "WHERE state = 'closed' AND closed_at >= %s AND closed_at < %s",
                span,
            ),
            (
                "SELECT r.id, r.average FROM assessment_surveyresponse r JOIN assessment_surveyround s "
                "ON s.id = r.round_id WHERE s.period_end >= %s AND s.period_end <= %s",
                [q_start, q_end],
            ),
        ],
        "availability": [
            (
                "SELECT r.id, r.code, c.name, r.in_service_at, r.terminated_at FROM ledger_resource r "
                "JOIN catalog_catalogitem c ON c.id = r.catalog_item_id "
                "WHERE r.in_service_at IS NOT NULL AND r.in_service_at < %s "
                "AND (r.terminated_at IS NULL OR r.terminated_at > %s)",
                [hi, lo],
            ),
            (
                "SELECT t.resource_id, t.incident_id, i.reported_at, i.recovered_at "
                "FROM incidents_incident_resources t JOIN incidents_incident i ON i.id = t.incident_id "
                "WHERE i.reported_at < %s "
                "AND (i.recovered_at IS NULL OR i.recovered_at > %s) AND i.state <> 'merged'",
                [hi, lo],
            ),
            (
                "SELECT w.id, w.start, w.end, t.resource_id FROM maintenance_maintenancewindow w "
                "JOIN maintenance_maintenancewindow_resources t ON t.maintenancewindow_id = w.id "
                "WHERE w.state IN ('approved', 'in_progress', 'completed') AND w.start < %s AND w.end > %s",
                [hi, lo],
            ),
        ],
        "quality (other)": [
            (
                "SELECT a.id, a.resource_id, a.opened_at, a.closed_at FROM monitoring_alert a "
                "WHERE a.kind = 'overloaded' AND NOT a.planned AND a.opened_at < %s "
                "AND (a.closed_at IS NULL OR a.closed_at > %s)",
                [hi, lo],
            ),
            (
                "SELECT t.incident_id, t.resource_id FROM incidents_incident_resources t "
                "JOIN incidents_incident i ON i.id = t.incident_id WHERE i.reported_at >= %s AND i.reported_at < %s",
                [lo - timedelta(days=30), hi],
            ),
            ("SELECT COUNT(*) FROM ledger_resource WHERE state = 'in_service'", []),
        ],
    }


def main(resources: int, work_orders: int, incidents: int) -> None:
    from govcloud.assessment import services
    from govcloud.assessment.indicators import REGISTRY

    begin = time.perf_counter()
    admin, scheme = build(resources, work_orders, incidents)
    build_seconds = time.perf_counter() - begin
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    q_start, q_end = quarter()
    parts = floor_queries(q_start, q_end)

    def run_sql(queries):
        def run():
            with connection.cursor() as cursor:
                for sql, params in queries:
                    cursor.execute(sql, params)
                    cursor.fetchall()

        return run

    floor_all = timed(run_sql([q for qs in parts.values() for q in qs]))
    floor_availability = timed(run_sql(parts["availability"]))

    def assess():
        services.assessment_run(actor=admin, scheme=scheme, period_start=q_start, period_end=q_end)

    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        assess()
        cProfile.runctx("assess()", globals(), locals(), "/tmp/a2/prof")
        pstats.Stats("/tmp/a2/prof").sort_stats("tottime").print_stats(20)
    whole = timed(assess)
    availability = timed(lambda: REGISTRY["availability"].compute(q_start, q_end))
    last = services.Assessment.objects.order_by("-pk").first()
    print(
        f"assessment benchmark on {connection.vendor}: {resources} resources, {work_orders} work orders, "
        f"{incidents} incidents, {DEPARTMENTS} departments; quarter {q_start}–{q_end}"
    )
    print(f"  bulk load: {build_seconds:.1f} s; median of {REPEAT} runs after a warm-up")
    print(f"  total {last.total} ({last.grade}); dimensions {last.dimension_scores}")
    for label, measured, base in [
        ("quarterly assessment run (all indicators, stored)", whole, floor_all),
        ("availability alone", availability, floor_availability),
    ]:
        print(f"  {label:52} : {measured * 1000:9.1f} ms   floor {base * 1000:8.1f} ms   ratio {measured / base:5.1f}x")


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:4]]
    resources, work_orders, incidents = [*args, *[20_000, 30_000, 5_000][len(args) :]]
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        main(resources, work_orders, incidents)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
