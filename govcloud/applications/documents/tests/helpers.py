"""Applications for the form tests, made directly (the workflow's services belong to another
part of the app): a department's system, an application with items from the Annex 1 catalog."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from django.utils import timezone

from govcloud.applications.models import (
    Application,
    ApplicationEvent,
    ApplicationItem,
    ApplicationKind,
    ApplicationState,
    Environment,
)
from govcloud.catalog.models import CatalogItem
from govcloud.catalog.seed import seed_annex1
from govcloud.systems.models import InformationSystem

_serial = itertools.count(1)

HOST_SPEC = {
    "vcpu": 4,
    "memory_gb": 8,
    "disk_type": "ssd",
    "system_disk_gb": 100,
    "data_disk_gb": 500,
    "os_image": "centos-7.0-64",
}


def make_application(
    *,
    organization,
    created_by,
    purpose: str = "市民预约挂号服务上云",
    system_name: str | None = None,
    decided: bool = False,
    rejected: bool = False,
    phone: str = "13805230003",
    number: str | None = None,
) -> Application:
    seed_annex1()
    n = next(_serial)
    system = InformationSystem.objects.create(
        organization=organization, name=system_name or f"预约挂号平台{n}", purpose="预约挂号", protection_level=2
    )
    now = timezone.now()
    application = Application.objects.create(
        number=number or f"SQ-2026-{n:04d}",
        kind=ApplicationKind.NEW,
        organization=organization,
        system=system,
        purpose=purpose,
        environment=Environment.PRODUCTION,
        requested_date=date(2026, 12, 1),
        contact_name="张三",
        contact_phone=phone,
        state=ApplicationState.SUBMITTED,
        created_by=created_by,
        signed_off_by=created_by,
        signed_off_at=now,
        submitted_at=now,
        monthly_estimate=Decimal("1234.50"),
    )
    host = CatalogItem.objects.get(code="host")
    mysql = CatalogItem.objects.get(code="db-mysql-5.6")
    internet = CatalogItem.objects.get(code="network-internet")
    ApplicationItem.objects.create(
        application=application,
        catalog_item=host,
        quantity=2,
        spec=HOST_SPEC,
        monthly_estimate=Decimal("900.00"),
        approved_quantity=1 if decided else None,
        approved_spec={**HOST_SPEC, "vcpu": 2} if decided else None,
        approval_note="按实际负载先开通一台" if decided else "",
    )
    ApplicationItem.objects.create(
        application=application,
        catalog_item=mysql,
        quantity=1,
        spec={"vcpu": 2, "memory_gb": 4, "storage_gb": 200},
        monthly_estimate=Decimal("300.00"),
    )
    ApplicationItem.objects.create(
        application=application,
        catalog_item=internet,
        quantity=1,
        spec={"bandwidth_mbps": 20, "public_addresses": 1},
        monthly_estimate=Decimal("34.50"),
    )
    if decided or rejected:
        ApplicationEvent.objects.create(
            application=application,
            actor_name="李审核",
            action="accept",
            from_state=ApplicationState.SUBMITTED,
            to_state=ApplicationState.ACCEPTED,
            comment="材料齐全，予以受理",
        )
        Application.objects.filter(pk=application.pk).update(
            accepted_at=now,
            decided_at=now,
            decided_by_name="王主任",
            decision_note="同意，云主机先开通一台" if not rejected else "资源需求不明确",
            state=ApplicationState.REJECTED if rejected else ApplicationState.IN_DELIVERY,
        )
        application.refresh_from_db()
    return application
