"""The monitoring part of the isolation harness (see tests/isolation.py): department A's resource
(the ledger's, its name carrying the marker) has samples and hourly and daily rollups. Department
B's users must not see them in any list, page or chart, and may not push samples at all."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tests.isolation import MISSING_INT, Kind, Probe


def populate(world) -> None:
    from govcloud.core.actors import SYSTEM
    from govcloud.monitoring import services
    from govcloud.monitoring.models import Period, SampleSource

    now = timezone.now()
    samples = [
        {
            "resource": world.a_resource.code,
            "metric": metric,
            "time": (now - timedelta(hours=h)).isoformat(),
            "value": 10.0 + h,
        }
        for h in range(1, 49)
        for metric in ("cpu_percent", "memory_percent")
    ]
    # The resource went into service when it was adopted (just now): samples from before are
    # refused, so move its start back.
    from govcloud.ledger.models import Resource

    Resource.objects.filter(pk=world.a_resource.pk).update(in_service_at=now - timedelta(days=3))
    services.samples_ingest(actor=SYSTEM, source=SampleSource.PUSH, samples=samples)
    services.rollups_run(actor=SYSTEM, period=Period.HOUR)
    services.rollups_run(actor=SYSTEM, period=Period.DAY)

    # An open alert on A's resource (its name carries the marker; the alert shows it).
    from govcloud.monitoring.alerts import alert_rules_seed
    from govcloud.monitoring.models import Alert, AlertKind, AlertRule, Metric

    alert_rules_seed()  # a transactional test before may have flushed the migration's rules
    world.mon_alert = Alert.objects.create(
        rule=AlertRule.objects.get(kind=AlertKind.IDLE),
        kind=AlertKind.IDLE,
        resource=world.a_resource,
        metric=Metric.CPU_PERCENT,
        value=4.0,
        threshold=10.0,
        opened_at=now,
        last_seen_at=now,
    )
    world.mon_rule = AlertRule.objects.get(kind=AlertKind.IDLE)

    # An imported utilization table: the provider's, its file name carrying the marker, with an
    # error report (one row names a resource that does not exist). Departments see no batch at all.
    from django.core.files.uploadedfile import SimpleUploadedFile

    from govcloud.core.roles import Role
    from govcloud.monitoring import imports
    from govcloud.monitoring.tests.workbooks import simple_workbook
    from tests.isolation import MARKER

    world.mon_provider = world.city.user(Role.PROVIDER_OPERATOR)
    table = simple_workbook(
        [
            [world.a_resource.code, timezone.localtime(now - timedelta(hours=2)).strftime("%Y-%m-%d %H:%M"), 30, 40],
            ["TZ-VM-404404", timezone.localtime(now - timedelta(hours=2)).strftime("%Y-%m-%d %H:%M"), 30, 40],
        ]
    )
    world.mon_import = imports.import_batch_create(
        actor=world.mon_provider, upload=SimpleUploadedFile(f"表{MARKER}.xlsx", table)
    )
    imports.import_batch_run(actor=world.mon_provider, batch_id=world.mon_import.pk)

    # A failed collector run whose error names A's resource: the provider's and the center's reading.
    from govcloud.monitoring.models import CollectionRun, CollectionStatus

    world.mon_run = CollectionRun.objects.create(
        source=SampleSource.PROMETHEUS,
        status=CollectionStatus.FAILED,
        started_at=now,
        finished_at=now,
        error=f"{world.a_resource.code} {MARKER}",
    )


def _alert(w):
    return {"pk": w.mon_alert.pk}


def _rule(w):
    return {"pk": w.mon_rule.pk}


def _import(w):
    return {"pk": w.mon_import.pk}


def _run(w):
    return {"pk": w.mon_run.pk}


def _resource(w):
    return {"pk": w.a_resource.pk}


ENDPOINTS = {
    # --- pages ---------------------------------------------------------------------------------------
    "monitoring:utilization": Probe(Kind.LIST),
    "monitoring:resource_utilization": Probe(Kind.DETAIL, _resource, lambda w: MISSING_INT, owner_sees_marker=True),
    # The collectors' runs are the center's and the provider's: 403 for a department.
    "monitoring:collection_runs": Probe(Kind.LIST),
    "monitoring:alert_list": Probe(Kind.LIST),
    "monitoring:alert_detail": Probe(Kind.DETAIL, _alert, lambda w: MISSING_INT, owner_sees_marker=True),
    "monitoring:alert_rule_list": Probe(Kind.SHARED),
    # Editing a rule is the center's: 403 for a department whether or not the rule exists.
    "monitoring:alert_rule_edit": Probe(
        Kind.DETAIL, _rule, lambda w: MISSING_INT, methods=("get", "post"), data={"threshold": 1, "window_days": 1}
    ),
    # --- REST API ------------------------------------------------------------------------------------
    # Pushing is the provider's: a department's user gets 403 before anything is looked up.
    "metric-sample-list": Probe(
        Kind.LIST,
        methods=("post",),
        data={
            "samples": [
                {"resource": "TZ-VM-000001", "metric": "cpu_percent", "time": "2026-12-01T10:00:00+08:00", "value": 1}
            ]
        },
    ),
    "metric-rollup-list": Probe(Kind.LIST),
}
ENDPOINTS.update(
    {
        "monitoring-alert-list": Probe(Kind.LIST),
        "monitoring-alert-detail": Probe(Kind.DETAIL, _alert, lambda w: MISSING_INT, owner_sees_marker=True),
        "monitoring-alert-rule-list": Probe(Kind.SHARED),
        # Rules are shared reading; a department's PATCH is refused (403) and changes nothing.
        "monitoring-alert-rule-detail": Probe(
            Kind.SHARED, _rule, methods=("get", "patch"), data={"threshold": 1, "window_days": 1}
        ),
    }
)
ENDPOINTS.update(
    {
        # Imports are the provider's and the center's: a department's user is refused the list and
        # the upload (403), and a batch answers 404 exactly like a missing one.
        "monitoring:import_list": Probe(Kind.LIST, methods=("get", "post")),
        "monitoring:import_template": Probe(Kind.SHARED),
        "monitoring:import_detail": Probe(
            Kind.DETAIL, _import, lambda w: MISSING_INT, owner_sees_marker=True, owner="mon_provider"
        ),
        "monitoring:import_error_report": Probe(Kind.DETAIL, _import, lambda w: MISSING_INT),
        "monitoring-import-list": Probe(Kind.LIST, methods=("get", "post")),
        "monitoring-import-template": Probe(Kind.SHARED),
        "monitoring-import-detail": Probe(
            Kind.DETAIL, _import, lambda w: MISSING_INT, owner_sees_marker=True, owner="mon_provider"
        ),
        "monitoring-import-error-report": Probe(Kind.DETAIL, _import, lambda w: MISSING_INT),
        # Collector runs: an empty list and 404 for a department, the provider reads them.
        "monitoring-collection-run-list": Probe(Kind.LIST),
        "monitoring-collection-run-detail": Probe(
            Kind.DETAIL, _run, lambda w: MISSING_INT, owner_sees_marker=True, owner="mon_provider"
        ),
    }
)
