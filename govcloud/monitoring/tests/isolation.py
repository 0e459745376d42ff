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


def _resource(w):
    return {"pk": w.a_resource.pk}


ENDPOINTS = {
    # --- pages ---------------------------------------------------------------------------------------
    "monitoring:utilization": Probe(Kind.LIST),
    "monitoring:resource_utilization": Probe(Kind.DETAIL, _resource, lambda w: MISSING_INT, owner_sees_marker=True),
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
