"""The catalog part of the isolation harness (see tests/isolation.py). The catalog and the
published prices are the platform's shared facts: every endpoint is SHARED (department A's
marker must never appear), and editing is the center administrator's alone."""

from datetime import date

from tests.isolation import Kind, Probe


def populate(world) -> None:
    from django.utils import timezone

    from govcloud.catalog import services
    from govcloud.catalog.models import CatalogItem, SpecOption
    from govcloud.catalog.tests.helpers import priced
    from govcloud.core.actors import SYSTEM

    services.catalog_seed(actor=SYSTEM)
    world.catalog_host = CatalogItem.objects.get(code="host")
    world.catalog_option = SpecOption.objects.get(item=world.catalog_host, value="centos-5.8-64")
    today = timezone.localdate()
    world.price_list = services.price_list_create_draft(actor=SYSTEM, name="现行价目表", effective_from=today)
    services.price_list_publish(actor=SYSTEM, price_list=priced(world.price_list))
    world.price_draft = services.price_list_create_draft(
        actor=SYSTEM, name="下一版价目表", effective_from=date(today.year + 1, 1, 1)
    )


def _host(w):
    return {"pk": w.catalog_host.pk}


def _draft(w):
    return {"pk": w.price_draft.pk}


def _option(w):
    return {"pk": w.catalog_host.pk, "option_id": w.catalog_option.pk}


_RW = ("get", "post")
_POST = ("post",)

ENDPOINTS = {
    # --- pages ---------------------------------------------------------------------------------------
    "catalog:item_list": Probe(Kind.SHARED),
    "catalog:item_create": Probe(Kind.SHARED, methods=_RW),
    "catalog:item_detail": Probe(Kind.SHARED, _host),
    "catalog:item_edit": Probe(Kind.SHARED, _host, methods=_RW),
    "catalog:item_retire": Probe(Kind.SHARED, _host, methods=_POST),
    "catalog:item_reinstate": Probe(Kind.SHARED, _host, methods=_POST),
    "catalog:option_add": Probe(Kind.SHARED, _host, methods=_POST, data={"dimension": "vcpu", "value": "64"}),
    "catalog:range_set": Probe(
        Kind.SHARED, _host, methods=_POST, data={"dimension": "data_disk_gb", "minimum": "0", "maximum": "10"}
    ),
    "catalog:option_retire": Probe(Kind.SHARED, lambda w: {"pk": w.catalog_option.pk}, methods=_POST),
    "catalog:option_reinstate": Probe(Kind.SHARED, lambda w: {"pk": w.catalog_option.pk}, methods=_POST),
    "catalog:price_list_list": Probe(Kind.SHARED),
    "catalog:price_list_create": Probe(Kind.SHARED, methods=_RW),
    "catalog:price_list_detail": Probe(Kind.SHARED, lambda w: {"pk": w.price_list.pk}),
    "catalog:price_list_edit": Probe(Kind.SHARED, _draft, methods=_RW),
    "catalog:price_list_prices": Probe(Kind.SHARED, _draft, methods=_POST, data={"vcpu_month": "1"}),
    "catalog:price_list_publish": Probe(Kind.SHARED, _draft, methods=_POST),
    "catalog:price_list_discard": Probe(Kind.SHARED, _draft, methods=_POST),
    # --- REST API ------------------------------------------------------------------------------------
    "catalog-item-list": Probe(Kind.SHARED),
    "catalog-item-detail": Probe(Kind.SHARED, _host, methods=("get", "patch"), data={"name": "x"}),
    "catalog-item-retire": Probe(Kind.SHARED, _host, methods=_POST),
    "catalog-item-reinstate": Probe(Kind.SHARED, _host, methods=_POST),
    "catalog-item-option-add": Probe(Kind.SHARED, _host, methods=_POST, data={"dimension": "vcpu", "value": "64"}),
    "catalog-item-option-retire": Probe(Kind.SHARED, _option, methods=_POST),
    "catalog-item-option-reinstate": Probe(Kind.SHARED, _option, methods=_POST),
    "catalog-item-range-set": Probe(
        Kind.SHARED, _host, methods=_POST, data={"dimension": "data_disk_gb", "minimum": 0, "maximum": 10}
    ),
    "catalog-item-estimate": Probe(Kind.SHARED, _host, methods=_POST, data={"spec": {"vcpu": 2}}),
    "price-list-list": Probe(Kind.SHARED),
    "price-list-current": Probe(Kind.SHARED),
    "price-list-detail": Probe(Kind.SHARED, lambda w: {"pk": w.price_list.pk}, methods=("get", "patch", "delete")),
    "price-list-compare": Probe(Kind.SHARED, lambda w: {"pk": w.price_list.pk}),
    "price-list-prices": Probe(Kind.SHARED, _draft, methods=_POST, data={"unit": "vcpu_month", "amount": "1"}),
    "price-list-publish": Probe(Kind.SHARED, _draft, methods=_POST),
}
