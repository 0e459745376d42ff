"""Security services are orderable catalog items in the demo city (Art. 8 lists security beside
compute, storage and network; issue 16 §3): cloud firewall, WAF, bastion host, vulnerability
scanning, log audit and backup, each priced per month like the rest. Annex 1 itself is unchanged."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from govcloud.catalog import demo as catalog_demo
from govcloud.catalog import services
from govcloud.catalog.models import CatalogItem, PriceList, PriceUnit, ResourceKind
from govcloud.catalog.seed import seed_annex1
from govcloud.catalog.selectors import metered_units, monthly_estimate, price_list_on, required_price_keys
from govcloud.core.actors import SYSTEM

pytestmark = pytest.mark.django_db

CODES = {"sec-cloud-firewall", "sec-waf", "sec-bastion", "sec-vuln-scan", "sec-log-audit", "sec-backup"}


def test_annex_1_has_no_security_services_the_demo_city_adds_them_with_prices():
    seed_annex1()
    assert not CatalogItem.objects.filter(kind=ResourceKind.SECURITY).exists()
    catalog_demo.load_demo(orgs={}, users={})
    services_ = {i.code: i for i in CatalogItem.objects.filter(kind=ResourceKind.SECURITY)}
    assert set(services_) == CODES
    assert {i.name for i in services_.values()} >= {"云防火墙", "堡垒机", "漏洞扫描", "日志审计", "数据备份"}
    current = price_list_on()
    assert current is not None and current.published_at is not None
    waf = services_["sec-waf"]
    assert metered_units(waf, {}, 2) == {(PriceUnit.SECURITY_SERVICE_MONTH, waf.pk): Decimal(2)}
    assert monthly_estimate(waf, {}, 2) == Decimal("2400.00")
    keys = {(k.unit, k.item.code if k.item else None) for k in required_price_keys()}
    assert {(PriceUnit.SECURITY_SERVICE_MONTH, code) for code in CODES} <= keys
    catalog_demo.load_demo(orgs={}, users={})  # idempotent
    assert CatalogItem.objects.filter(kind=ResourceKind.SECURITY).count() == len(CODES)


def test_a_security_service_price_names_its_service():
    seed_annex1()
    catalog_demo._additions()
    draft = services.price_list_create_draft(actor=SYSTEM, name="草稿", effective_from=price_list_next_year())
    host = CatalogItem.objects.get(code="host")
    firewall = CatalogItem.objects.get(code="sec-cloud-firewall")
    with pytest.raises(ValidationError):
        services.price_set(actor=SYSTEM, price_list=draft, unit=PriceUnit.SECURITY_SERVICE_MONTH, amount="800")
    with pytest.raises(ValidationError):
        services.price_set(
            actor=SYSTEM, price_list=draft, unit=PriceUnit.SECURITY_SERVICE_MONTH, amount="800", item=host
        )
    with pytest.raises(ValidationError):
        services.price_set(actor=SYSTEM, price_list=draft, unit=PriceUnit.VCPU_MONTH, amount="45", item=firewall)
    price = services.price_set(
        actor=SYSTEM, price_list=draft, unit=PriceUnit.SECURITY_SERVICE_MONTH, amount="800", item=firewall
    )
    assert price.amount == Decimal("800")


def price_list_next_year():
    from datetime import date

    from django.utils import timezone

    last = PriceList.objects.order_by("-effective_from").values_list("effective_from", flat=True).first()
    year = max(timezone.localdate().year, last.year if last else 0) + 2
    return date(year, 1, 1)


def test_a_department_orders_a_security_service_and_it_enters_the_ledger(wf):
    from govcloud.applications import services as app_services
    from govcloud.applications.models import ApplicationState
    from govcloud.applications.tests.helpers import advance, new_application

    catalog_demo._additions()
    bastion = CatalogItem.objects.get(code="sec-bastion")
    app = new_application(wf, rows=[app_services.ItemInput(catalog_item=bastion, quantity=1, spec={})])
    app = advance(wf, app, ApplicationState.IN_SERVICE)
    resource = app.created_resources.get()
    assert resource.catalog_item == bastion and resource.code.startswith("TZ-SE-")
