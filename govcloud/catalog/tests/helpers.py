"""Builders for the catalog tests: the seeded catalog, a full price list in effect, API clients."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils import timezone
from rest_framework.test import APIClient

from govcloud.catalog import services
from govcloud.catalog.models import CatalogItem, PriceList, PriceUnit
from govcloud.catalog.seed import seed_annex1
from govcloud.catalog.selectors import required_price_keys
from govcloud.core.actors import SYSTEM
from tests.factories import api_token_for

# A plausible rate card (CNY per unit per month).
AMOUNTS = {
    PriceUnit.VCPU_MONTH: Decimal("45.0000"),
    PriceUnit.MEMORY_GB_MONTH: Decimal("20.0000"),
    PriceUnit.DISK_SATA_GB_MONTH: Decimal("0.3500"),
    PriceUnit.DISK_SSD_GB_MONTH: Decimal("1.0000"),
    PriceUnit.STORAGE_TB_MONTH: Decimal("300.0000"),
    PriceUnit.LOAD_BALANCER_MONTH: Decimal("150.0000"),
    PriceUnit.BANDWIDTH_MBPS_MONTH: Decimal("60.0000"),
    PriceUnit.PUBLIC_ADDRESS_MONTH: Decimal("25.0000"),
    PriceUnit.DATABASE_INSTANCE_MONTH: Decimal("400.0000"),
}


def item(code: str) -> CatalogItem:
    return CatalogItem.objects.prefetch_related("options", "ranges").get(code=code)


def seeded() -> dict[str, CatalogItem]:
    seed_annex1()
    return {i.code: i for i in CatalogItem.objects.prefetch_related("options", "ranges")}


def priced(
    price_list: PriceList, amounts: dict | None = None, *, actor=SYSTEM, factor: Decimal = Decimal(1)
) -> PriceList:
    amounts = {**AMOUNTS, **(amounts or {})}
    for key in required_price_keys():
        services.price_set(
            actor=actor, price_list=price_list, unit=key.unit, amount=amounts[key.unit] * factor, item=key.item
        )
    return price_list


def price_list_in_effect(*, name: str = "2026年价目表", effective_from: date | None = None, factor=Decimal(1)):
    """A published version in effect today (created and published as of its effective day)."""
    import time_machine

    day = effective_from or timezone.localdate()
    with time_machine.travel(timezone.make_aware(timezone.datetime(day.year, day.month, day.day, 9, 0)), tick=False):
        price_list = services.price_list_create_draft(actor=SYSTEM, name=name, effective_from=day)
        priced(price_list, factor=factor)
        return services.price_list_publish(actor=SYSTEM, price_list=price_list)


def api_for(user) -> APIClient:
    """A client authenticated the way programs are: a personal access token."""
    raw = api_token_for(user)
    client = APIClient()
    # Programs choose their language per request; these tests read the English messages.
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="en")
    return client


HOST_SPEC = {
    "vcpu": 4,
    "memory_gb": 8,
    "disk_type": "ssd",
    "system_disk_gb": 50,
    "data_disk_gb": 200,
    "os_image": "centos-7.0-64",
}
