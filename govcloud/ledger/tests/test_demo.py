"""The catalog and ledger demos: what the center added since Annex 1, a rate card, resources of
the demo departments; idempotent, through the services, with a verifiable audit chain."""

from __future__ import annotations

import pytest

from govcloud.audit.chain import verify_chain
from govcloud.catalog import demo as catalog_demo
from govcloud.catalog.models import CatalogItem, PriceList, SpecOption
from govcloud.catalog.selectors import missing_prices, price_list_on
from govcloud.ledger import demo as ledger_demo
from govcloud.ledger.models import Resource, ResourceState
from govcloud.organizations.models import Organization, User
from govcloud.web import demo as web_demo

pytestmark = pytest.mark.django_db


def _load():
    web_demo.load_demo()
    names = {spec.key: spec.name for spec in web_demo.ORGANIZATIONS}
    by_name = {o.name: o for o in Organization.objects.all()}
    orgs = {key: by_name[name] for key, name in names.items()}
    users = {u.username: u for u in User.objects.all()}
    catalog_demo.load_demo(orgs=orgs, users=users)
    ledger_demo.load_demo(orgs=orgs, users=users)


def test_the_demo_is_idempotent_and_complete(settings):
    settings.DEBUG = True
    _load()
    counts = (
        CatalogItem.objects.count(),
        SpecOption.objects.count(),
        PriceList.objects.count(),
        Resource.objects.count(),
    )
    _load()
    assert (
        CatalogItem.objects.count(),
        SpecOption.objects.count(),
        PriceList.objects.count(),
        Resource.objects.count(),
    ) == counts
    images = set(SpecOption.objects.filter(item__code="host", dimension="os_image").values_list("value", flat=True))
    assert {"openeuler-22.03-lts-64", "kylin-v10-sp3-64"} <= images
    assert {"db-dm8", "db-kingbasees-v8"} <= set(CatalogItem.objects.values_list("code", flat=True))
    assert CatalogItem.objects.get(code="db-sqlserver-2008r2").is_retired
    assert SpecOption.objects.get(item__code="host", value="centos-5.8-64").retired_at is not None
    current = price_list_on()
    assert current is not None and missing_prices(current) == []
    assert PriceList.objects.filter(published_at__isnull=True).count() == 1
    # Retired catalog entries stay on the resources that have them.
    assert Resource.objects.filter(os_image="centos-5.8-64", state=ResourceState.IN_SERVICE).exists()
    assert Resource.objects.filter(catalog_item__code="db-sqlserver-2008r2").exists()
    states = set(Resource.objects.values_list("state", flat=True))
    # The applications demo adds a delivery under test (held by the address filing gate).
    assert states == {ResourceState.IN_SERVICE, ResourceState.CHANGING, ResourceState.TERMINATED, ResourceState.TESTING}
    assert Resource.objects.filter(system__isnull=True).count() <= 2
    assert verify_chain().ok
