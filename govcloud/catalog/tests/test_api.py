"""The catalog and price list REST API: everyone reads, the center's administrator edits;
departments are refused every write."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from govcloud.audit.models import AuditEvent
from govcloud.catalog import services
from govcloud.catalog.models import CatalogItem, PriceList, SpecOption
from govcloud.catalog.tests.helpers import HOST_SPEC, api_for, price_list_in_effect, seeded
from govcloud.core.actors import SYSTEM
from govcloud.core.roles import Role

pytestmark = pytest.mark.django_db

ITEMS = "/api/v1/catalog-items/"
PRICES = "/api/v1/price-lists/"
TZ = timezone.get_default_timezone()
JAN = datetime(2026, 1, 5, 10, tzinfo=TZ)


@pytest.fixture
def catalog(city):
    return seeded()


def test_everyone_reads_the_catalog_and_available_leaves_retired_out(city, catalog):
    services.item_retire(actor=SYSTEM, item=catalog["db-sqlserver-2008r2"])
    services.option_retire(actor=SYSTEM, option=SpecOption.objects.get(item__code="host", value="centos-5.8-64"))
    client = api_for(city.user(Role.DEPARTMENT_APPLICANT))
    items = client.get(ITEMS).json()
    assert len(items) == 8 and {i["code"] for i in items if i["is_retired"]} == {"db-sqlserver-2008r2"}
    available = client.get(ITEMS, {"available": "true"}).json()
    assert len(available) == 7
    host = next(i for i in available if i["code"] == "host")
    assert "centos-5.8-64" not in {o["value"] for o in host["options"]}
    detail = client.get(f"{ITEMS}{catalog['host'].pk}/").json()
    assert {r["dimension"] for r in detail["ranges"]} == {"system_disk_gb", "data_disk_gb"}


def test_estimate_validates_and_prices(city, catalog):
    with time_machine.travel(JAN, tick=False):
        price_list = price_list_in_effect(effective_from=date(2026, 1, 1))
        client = api_for(city.user(Role.DEPARTMENT_APPLICANT))
        url = f"{ITEMS}{catalog['host'].pk}/estimate/"
        ok = client.post(url, {"spec": HOST_SPEC, "quantity": 2}, format="json")
        assert ok.status_code == 200, ok.content
        assert ok.json() == {
            "spec": HOST_SPEC,
            "quantity": 2,
            "monthly_estimate": "1180.00",
            "price_list": price_list.pk,
        }
        bad = client.post(url, {"spec": {**HOST_SPEC, "vcpu": 3, "memory_gb": 128}}, format="json")
        assert bad.status_code == 400
        assert bad.json()["vcpu"] == ["vCPU: 3 is not offered; allowed: 1, 2, 4, 8, 16, 32."]
        assert bad.json()["memory_gb"] == ["Memory (GB): 128 is not offered; allowed: 2, 4, 8, 16, 32, 64."]
        storage = client.post(f"{ITEMS}{catalog['storage'].pk}/estimate/", {"spec": {"storage_tb": 11}}, format="json")
        assert storage.json()["storage_tb"] == ["Storage (TB): 11 is outside the allowed range 0.1–10."]


def test_the_administrator_edits_the_catalog(city, catalog):
    client = api_for(city.user(Role.CENTER_ADMIN))
    created = client.post(
        ITEMS, {"kind": "database", "code": "db-dm8", "name": "云数据库 达梦 DM8", "engine": "DM8"}, format="json"
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert client.post(f"{ITEMS}{pk}/options/", {"dimension": "vcpu", "value": "4"}, format="json").status_code == 201
    option = client.post(f"{ITEMS}{pk}/options/", {"dimension": "memory_gb", "value": "8"}, format="json").json()
    ranged = client.post(
        f"{ITEMS}{pk}/ranges/", {"dimension": "storage_gb", "minimum": 20, "maximum": 2000, "step": 10}, format="json"
    )
    assert ranged.status_code == 200 and ranged.json()["maximum"] == "2000.00"
    assert client.post(f"{ITEMS}{pk}/options/", {"dimension": "gpu", "value": "1"}, format="json").status_code == 400
    patched = client.patch(f"{ITEMS}{pk}/", {"description": "国产数据库"}, format="json")
    assert patched.status_code == 200 and patched.json()["description"] == "国产数据库"
    # The last memory size cannot be retired: the item would be unorderable.
    last = client.post(f"{ITEMS}{pk}/options/{option['id']}/retire/")
    assert last.status_code == 400 and "last value" in str(last.json())
    client.post(f"{ITEMS}{pk}/options/", {"dimension": "memory_gb", "value": "16"}, format="json")
    assert client.post(f"{ITEMS}{pk}/options/{option['id']}/retire/").json()["retired_at"]
    assert client.post(f"{ITEMS}{pk}/options/{option['id']}/reinstate/").json()["retired_at"] is None
    assert client.post(f"{ITEMS}{pk}/retire/", {"note": "试点结束"}, format="json").json()["is_retired"]
    assert not client.post(f"{ITEMS}{pk}/reinstate/").json()["is_retired"]
    assert AuditEvent.objects.filter(action__startswith="catalog_").count() >= 8


@pytest.mark.parametrize(
    "role", [Role.DEPARTMENT_APPLICANT, Role.DEPARTMENT_HEAD, Role.CENTER_REVIEWER, Role.PROVIDER_OPERATOR]
)
def test_others_cannot_edit_the_catalog_or_prices(city, catalog, role):
    with time_machine.travel(JAN, tick=False):
        draft = services.price_list_create_draft(actor=SYSTEM, name="草稿", effective_from=date(2026, 2, 1))
        client = api_for(city.user(role))
        host = catalog["host"].pk
        option = SpecOption.objects.filter(item__code="host").first().pk
        forbidden = [
            client.post(ITEMS, {"kind": "storage", "code": "s2", "name": "s2"}, format="json"),
            client.patch(f"{ITEMS}{host}/", {"name": "x"}, format="json"),
            client.post(f"{ITEMS}{host}/retire/"),
            client.post(f"{ITEMS}{host}/reinstate/"),
            client.post(f"{ITEMS}{host}/options/", {"dimension": "vcpu", "value": "64"}, format="json"),
            client.post(f"{ITEMS}{host}/options/{option}/retire/"),
            client.post(
                f"{ITEMS}{host}/ranges/", {"dimension": "data_disk_gb", "minimum": 0, "maximum": 1}, format="json"
            ),
            client.post(PRICES, {"name": "x", "effective_from": "2026-03-01"}, format="json"),
        ]
        if role == Role.CENTER_REVIEWER:  # sees drafts, cannot change them
            forbidden += [
                client.post(f"{PRICES}{draft.pk}/prices/", {"unit": "vcpu_month", "amount": "1"}, format="json"),
                client.post(f"{PRICES}{draft.pk}/publish/"),
                client.patch(f"{PRICES}{draft.pk}/", {"name": "x"}, format="json"),
                client.delete(f"{PRICES}{draft.pk}/"),
            ]
        else:  # a draft is not even visible
            assert client.post(f"{PRICES}{draft.pk}/publish/").status_code == 404
        assert [r.status_code for r in forbidden] == [403] * len(forbidden)
    assert not CatalogItem.objects.filter(retired_at__isnull=False).exists()
    assert PriceList.objects.get().published_at is None


def test_price_lists(city, catalog):
    admin = api_for(city.user(Role.CENTER_ADMIN))
    with time_machine.travel(JAN, tick=False):
        assert api_for(city.user(Role.DEPARTMENT_APPLICANT)).get(f"{PRICES}current/").status_code == 404
        current = price_list_in_effect(effective_from=date(2026, 1, 1))
        assert admin.get(f"{PRICES}current/").json()["id"] == current.pk
        created = admin.post(PRICES, {"name": "2026年3月起", "effective_from": "2026-03-01"}, format="json")
        assert created.status_code == 201, created.content
        draft = created.json()
        assert draft["status"] == "draft" and len(draft["prices"]) == 11
        changed = admin.post(f"{PRICES}{draft['id']}/prices/", {"unit": "vcpu_month", "amount": "48"}, format="json")
        assert changed.status_code == 200
        in_effect = admin.post(f"{PRICES}{current.pk}/prices/", {"unit": "vcpu_month", "amount": "1"}, format="json")
        assert in_effect.status_code == 400 and "never edited" in str(in_effect.json())
        compare = {r["unit"]: r for r in admin.get(f"{PRICES}{draft['id']}/compare/").json()}
        assert (compare["vcpu_month"]["previous"], compare["vcpu_month"]["amount"]) == ("45.0000", "48.0000")
        published = admin.post(f"{PRICES}{draft['id']}/publish/")
        assert published.status_code == 200 and published.json()["status"] == "scheduled"
        statuses = {p["id"]: p["status"] for p in api_for(city.user(Role.FINANCE_VIEWER)).get(PRICES).json()["results"]}
        assert statuses == {current.pk: "in_effect", draft["id"]: "scheduled"}
        assert admin.delete(f"{PRICES}{current.pk}/").status_code == 400
        other = admin.post(PRICES, {"name": "作废", "effective_from": "2026-04-01"}, format="json").json()
        assert admin.patch(f"{PRICES}{other['id']}/", {"note": "试算"}, format="json").json()["note"] == "试算"
        assert admin.delete(f"{PRICES}{other['id']}/").status_code == 204


def test_schema_lists_the_endpoints(city):
    schema = api_for(city.user(Role.CENTER_ADMIN)).get(
        reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json"
    )
    paths = schema.json()["paths"]
    for path in (
        "/api/v1/catalog-items/",
        "/api/v1/catalog-items/{id}/",
        "/api/v1/catalog-items/{id}/estimate/",
        "/api/v1/catalog-items/{id}/options/",
        "/api/v1/catalog-items/{id}/options/{option_id}/retire/",
        "/api/v1/catalog-items/{id}/ranges/",
        "/api/v1/price-lists/",
        "/api/v1/price-lists/{id}/",
        "/api/v1/price-lists/{id}/publish/",
        "/api/v1/price-lists/{id}/compare/",
        "/api/v1/price-lists/current/",
    ):
        assert path in paths, path
