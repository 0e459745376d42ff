"""Builders for the billing tests: a price list with the issue's worked-example prices, resources
with a history at given moments (Asia/Shanghai)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import time_machine

from govcloud.billing.metering import SHANGHAI
from govcloud.catalog import services as catalog_services
from govcloud.catalog.models import PriceUnit
from govcloud.catalog.tests.helpers import priced
from govcloud.core.actors import SYSTEM
from govcloud.ledger import services as ledger_services
from govcloud.ledger.tests.helpers import adopt, catalog_item, deliver, system_of

EXAMPLE_PRICES = {
    PriceUnit.VCPU_MONTH: Decimal("60"),
    PriceUnit.MEMORY_GB_MONTH: Decimal("20"),
    PriceUnit.DISK_SSD_GB_MONTH: Decimal("1.2"),
}
EXAMPLE_SPEC = {"vcpu": 4, "memory_gb": 8, "disk_type": "ssd", "system_disk_gb": 40, "data_disk_gb": 60}

__all__ = ["EXAMPLE_PRICES", "EXAMPLE_SPEC", "at", "deliver", "host", "prices_from", "system_of"]


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def prices_from(day: date, amounts: dict | None = None, *, name: str | None = None):
    """A published price-list version effective from `day` (made on that day)."""
    catalog_item("host")
    with time_machine.travel(at(day.year, day.month, day.day, 8), tick=False):
        price_list = catalog_services.price_list_create_draft(
            actor=SYSTEM, name=name or f"价目表{day}", effective_from=day
        )
        priced(price_list, {**EXAMPLE_PRICES, **(amounts or {})})
        return catalog_services.price_list_publish(actor=SYSTEM, price_list=price_list)


def host(org, since: datetime, spec: dict | None = None, **fields):
    """A host adopted into service at `since`."""
    return adopt(org, "host", dict(spec or EXAMPLE_SPEC), in_service_at=since, system=system_of(org), **fields)


def resize(resource, moment: datetime, **changes):
    return ledger_services.resource_change(
        actor=SYSTEM, resource=resource, spec={**resource.spec, **changes}, at=moment
    )


def terminate(resource, moment: datetime):
    return ledger_services.resource_terminate(actor=SYSTEM, resource=resource, at=moment)
