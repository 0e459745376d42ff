"""The center edits the catalog: items, allowed values, ranges, retiring and reinstating. Each
change is one audit event; departments cannot edit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from govcloud.audit.models import AuditEvent
from govcloud.catalog import services
from govcloud.catalog.models import CatalogItem, SpecOption, SpecRange
from govcloud.catalog.specs import validate_spec
from govcloud.catalog.tests.helpers import HOST_SPEC, item, seeded
from govcloud.core.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(city):
    seeded()
    return city.user(Role.CENTER_ADMIN)


def test_a_new_database_engine_with_its_fields(admin):
    dm8 = services.item_create(
        actor=admin, kind="database", code="db-dm8", name="云数据库 达梦 DM8", engine="DM8", sort=23
    )
    for vcpu in (2, 4, 8):
        services.option_add(actor=admin, item=dm8, dimension="vcpu", value=vcpu)
    for memory in (4, 8, 16):
        services.option_add(actor=admin, item=dm8, dimension="memory_gb", value=str(memory))
    services.range_set(actor=admin, item=dm8, dimension="storage_gb", minimum=20, maximum=2000, step=10)
    cleaned = validate_spec(item("db-dm8"), {"vcpu": 4, "memory_gb": 8, "storage_gb": 500})
    assert cleaned == {"vcpu": 4, "memory_gb": 8, "storage_gb": 500}
    assert AuditEvent.objects.filter(action="catalog_item.create", object_id=str(dm8.pk)).count() == 1
    assert AuditEvent.objects.filter(action="catalog_option.add").count() == 6
    assert AuditEvent.objects.filter(action="catalog_range.set").count() == 1
    assert list(SpecOption.objects.filter(item=dm8, dimension="vcpu").values_list("sort", flat=True)) == [0, 1, 2]


def test_item_rules(admin):
    with pytest.raises(ValidationError, match="Name the database engine"):
        services.item_create(actor=admin, kind="database", code="db-x", name="X")
    with pytest.raises(ValidationError, match="Choose the network"):
        services.item_create(actor=admin, kind="network_access", code="net-x", name="X")
    with pytest.raises(ValidationError, match="exists already"):
        services.item_create(actor=admin, kind="storage", code="storage", name="again")
    lb = CatalogItem.objects.get(code="load-balancer")
    updated = services.item_update(actor=admin, item=lb, description="L4/L7", network="internet")
    assert updated.network == ""  # only network-access items name a network
    assert AuditEvent.objects.filter(action="catalog_item.update", object_id=str(lb.pk)).count() == 1
    services.item_update(actor=admin, item=lb, description="L4/L7")
    assert AuditEvent.objects.filter(action="catalog_item.update", object_id=str(lb.pk)).count() == 1
    with pytest.raises(TypeError):
        services.item_update(actor=admin, item=lb, code="lb2")


def test_retire_and_reinstate_an_item(admin):
    sql = CatalogItem.objects.get(code="db-sqlserver-2008r2")
    services.item_retire(actor=admin, item=sql, note="微软已停止支持")
    services.item_retire(actor=admin, item=sql)  # a second time changes nothing
    assert CatalogItem.objects.get(pk=sql.pk).is_retired
    event = AuditEvent.objects.get(action="catalog_item.retire")
    assert event.message == "微软已停止支持"
    services.item_reinstate(actor=admin, item=sql)
    assert not CatalogItem.objects.get(pk=sql.pk).is_retired
    assert AuditEvent.objects.filter(action="catalog_item.reinstate").count() == 1


def test_values_are_added_retired_and_offered_again(admin):
    host = CatalogItem.objects.get(code="host")
    option = services.option_add(
        actor=admin, item=host, dimension="os_image", value="openeuler-22.03-64", label="openEuler 22.03 LTS 64位"
    )
    with pytest.raises(ValidationError, match="offered already"):
        services.option_add(actor=admin, item=host, dimension="os_image", value="openeuler-22.03-64")
    services.option_retire(actor=admin, option=option)
    assert SpecOption.objects.get(pk=option.pk).retired_at is not None
    again = services.option_add(actor=admin, item=host, dimension="os_image", value="openeuler-22.03-64")
    assert again.pk == option.pk and again.retired_at is None
    assert AuditEvent.objects.filter(action="catalog_option.reinstate").count() == 1


def test_value_rules(admin):
    host = CatalogItem.objects.get(code="host")
    with pytest.raises(ValidationError, match="whole numbers above 0"):
        services.option_add(actor=admin, item=host, dimension="vcpu", value="2.5")
    with pytest.raises(ValidationError, match="Choose one of: sata, ssd"):
        services.option_add(actor=admin, item=host, dimension="disk_type", value="nvme")
    with pytest.raises(ValidationError, match="has no field"):
        services.option_add(actor=admin, item=host, dimension="storage_tb", value="1")
    with pytest.raises(ValidationError, match="is a range on this item"):
        services.option_add(actor=admin, item=host, dimension="system_disk_gb", value="60")
    storage = CatalogItem.objects.get(code="storage")
    lb = CatalogItem.objects.get(code="load-balancer")
    l7 = SpecOption.objects.get(item=lb, value="l7")
    services.option_retire(actor=admin, option=l7)
    with pytest.raises(ValidationError, match="last value offered"):
        services.option_retire(actor=admin, option=SpecOption.objects.get(item=lb, value="l4"))
    assert storage.options.count() == 0


def test_ranges(admin):
    host = CatalogItem.objects.get(code="host")
    rng = services.range_set(actor=admin, item=host, dimension="system_disk_gb", minimum=40, maximum=1000, step=20)
    assert (rng.maximum, rng.step) == (1000, 20)
    assert SpecRange.objects.filter(item=host, dimension="system_disk_gb").count() == 1
    event = AuditEvent.objects.get(action="catalog_range.set")
    assert '"maximum"' in event.changes and "1000" in event.changes
    for kwargs, message in [
        ({"minimum": 100, "maximum": 50}, "must not be below"),
        ({"minimum": -1, "maximum": 50}, "cannot be negative"),
        ({"minimum": 10, "maximum": 50, "step": 0}, "above 0"),
        ({"minimum": "10.5", "maximum": 50}, "whole numbers"),
        ({"minimum": "x", "maximum": 50}, "Enter a number"),
    ]:
        with pytest.raises(ValidationError, match=message):
            services.range_set(actor=admin, item=host, dimension="data_disk_gb", **kwargs)
    with pytest.raises(ValidationError, match="named values, not a range"):
        services.range_set(actor=admin, item=host, dimension="os_image", minimum=1, maximum=2)
    with pytest.raises(ValidationError, match="list of values"):
        services.range_set(actor=admin, item=host, dimension="vcpu", minimum=1, maximum=64)
    storage = CatalogItem.objects.get(code="storage")
    services.range_set(actor=admin, item=storage, dimension="storage_tb", minimum="0.5", maximum=20, step="0.5")
    assert validate_spec(item("storage"), {"storage_tb": "11"}) == {"storage_tb": "11"}
    assert SpecRange.objects.get(item=storage).minimum == Decimal("0.5")


@pytest.mark.parametrize(
    "role", [Role.CENTER_REVIEWER, Role.DEPARTMENT_APPLICANT, Role.DEPARTMENT_HEAD, Role.PROVIDER_OPERATOR]
)
def test_only_the_center_administrator_edits_the_catalog(city, role):
    seeded()
    user = city.user(role)
    host = CatalogItem.objects.get(code="host")
    option = SpecOption.objects.filter(item=host).first()
    calls = [
        lambda: services.item_create(actor=user, kind="storage", code="s2", name="s2"),
        lambda: services.item_update(actor=user, item=host, name="x"),
        lambda: services.item_retire(actor=user, item=host),
        lambda: services.item_reinstate(actor=user, item=host),
        lambda: services.option_add(actor=user, item=host, dimension="vcpu", value=64),
        lambda: services.option_retire(actor=user, option=option),
        lambda: services.range_set(actor=user, item=host, dimension="data_disk_gb", minimum=0, maximum=10),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    assert validate_spec(item("host"), HOST_SPEC)
