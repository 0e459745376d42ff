"""Builders of the waste-control tests: a host in service that came from an application (with a
system, a contact and an item's needed-until date), daily rollups of its peaks, a price list."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from govcloud.applications.models import Application, ApplicationItem, ApplicationKind, ApplicationState, Environment
from govcloud.catalog.models import CatalogItem
from govcloud.catalog.seed import seed_annex1
from govcloud.catalog.tests.helpers import HOST_SPEC
from govcloud.core.actors import SYSTEM
from govcloud.ledger import services as ledger_services
from govcloud.ledger.models import Resource
from govcloud.monitoring.models import Metric, Period, Rollup
from govcloud.monitoring.services import day_start
from govcloud.systems.models import InformationSystem

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 5, 10, 30, tzinfo=TZ)

_numbers = iter(range(1, 10_000))


def system_of(org, name: str = "门户网站") -> InformationSystem:
    system, _created = InformationSystem.objects.get_or_create(
        organization=org, name=name, defaults={"protection_level": 2}
    )
    return system


def host_from_application(
    org,
    applicant,
    *,
    system: InformationSystem | None = None,
    vcpu: int = 8,
    memory: int = 16,
    needed_until: date | None = None,
    environment: str = Environment.PRODUCTION,
    in_service_at: datetime | None = None,
    name: str = "门户服务器",
) -> Resource:
    """A host in service from a completed application of `applicant` (its item asked for the host
    until `needed_until`)."""
    seed_annex1()
    item = CatalogItem.objects.get(code="host")
    system = system or system_of(org)
    spec = dict(HOST_SPEC, vcpu=vcpu, memory_gb=memory)
    since = in_service_at or (timezone.now() - timedelta(days=60))
    application = Application.objects.create(
        number=f"SQ-2026-9{next(_numbers):04d}",
        kind=ApplicationKind.NEW,
        organization=org,
        system=system,
        purpose="门户网站上云",
        environment=environment,
        contact_name="张三",
        contact_phone="0576-88880000",
        state=ApplicationState.IN_SERVICE,
        created_by=applicant,
        in_service_at=since,
    )
    ApplicationItem.objects.create(
        application=application, catalog_item=item, quantity=1, spec=spec, needed_until=needed_until
    )
    resource = ledger_services.resource_adopt(
        actor=SYSTEM,
        organization=org,
        catalog_item=item,
        spec=spec,
        name=name,
        system=system,
        in_service_at=since,
    )
    Resource.objects.filter(pk=resource.pk).update(origin_application=application)
    resource.refresh_from_db()
    return resource


def daily_peaks(resource: Resource, cpu: list[float], memory: list[float], *, now: datetime | None = None) -> None:
    """Daily rollups for the days before today (the last value is yesterday's)."""
    today = day_start(now or timezone.now())
    rows = []
    for metric, values in ((Metric.CPU_PERCENT, cpu), (Metric.MEMORY_PERCENT, memory)):
        for back, value in enumerate(reversed(values), start=1):
            start = day_start(today - timedelta(days=back) + timedelta(hours=12))
            rows.append(
                Rollup(
                    resource=resource,
                    metric=metric,
                    period=Period.DAY,
                    start=start,
                    avg=value / 2,
                    max=value,
                    p95=value * 0.9,
                    count=288,
                )
            )
    Rollup.objects.bulk_create(rows)
