"""Builders for the ledger tests: resources through the services (adopted, or delivered on an
application), and the applications they come from."""

from __future__ import annotations

import itertools

from django.apps import apps

from govcloud.catalog.models import CatalogItem
from govcloud.catalog.seed import seed_annex1
from govcloud.catalog.tests.helpers import HOST_SPEC
from govcloud.core.actors import SYSTEM
from govcloud.ledger import services
from govcloud.systems import services as system_services

_numbers = itertools.count(1)

DB_SPEC = {"vcpu": 2, "memory_gb": 4, "storage_gb": 100}
INTERNET_SPEC = {"bandwidth_mbps": 20, "public_addresses": 2}


def catalog_item(code: str) -> CatalogItem:
    seed_annex1()
    return CatalogItem.objects.get(code=code)


def system_of(org, name: str = "政务服务系统"):
    InformationSystem = apps.get_model("systems", "InformationSystem")
    found = InformationSystem.objects.filter(organization=org, name=name).first()
    return found or system_services.system_create(actor=SYSTEM, organization=org, name=name, classified=True)


def application(org, *, created_by, system=None, number: str | None = None):
    """An application row as the workflow leaves it (the applications app owns its lifecycle)."""
    Application = apps.get_model("applications", "Application")
    return Application.objects.create(
        number=number or f"SQ-2026-{next(_numbers):05d}",
        organization=org,
        system=system or system_of(org),
        purpose="业务系统上云",
        environment="production",
        contact_name="张三",
        contact_phone="13800000000",
        created_by=created_by,
    )


def adopt(org, code: str = "host", spec: dict | None = None, *, actor=SYSTEM, **fields):
    return services.resource_adopt(
        actor=actor,
        organization=org,
        catalog_item=catalog_item(code),
        spec=dict(spec if spec is not None else HOST_SPEC),
        **fields,
    )


def deliver(org, *, created_by, code: str = "host", spec: dict | None = None, actor=SYSTEM, **fields):
    app = application(org, created_by=created_by)
    resource = services.resource_deliver(
        actor=actor,
        application=app,
        catalog_item=catalog_item(code),
        spec=dict(spec if spec is not None else HOST_SPEC),
        **fields,
    )
    return resource, app
