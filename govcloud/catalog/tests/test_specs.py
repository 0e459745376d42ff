"""Specifications against the catalog (Annex 1): allowed values pass, anything else is refused
with a message naming what is allowed; retired items and values only describe what exists."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govcloud.catalog import services
from govcloud.catalog.models import PriceUnit, SpecOption
from govcloud.catalog.seed import MEMORY_GB, VCPUS
from govcloud.catalog.specs import add_units, metered_units, quota_units, resource_columns, validate_spec
from govcloud.catalog.tests.helpers import HOST_SPEC, item, seeded
from govcloud.core.actors import SYSTEM

pytestmark = pytest.mark.django_db

PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def errors_of(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        call()
    return {k: [str(m) for e in v for m in e.messages] for k, v in caught.value.error_dict.items()}


@pytest.fixture
def catalog():
    return seeded()


def test_an_annex1_host_spec_is_cleaned(catalog):
    cleaned = validate_spec(catalog["host"], {**HOST_SPEC, "vcpu": "4", "memory_gb": " 08 "})
    assert cleaned == {**HOST_SPEC, "vcpu": 4, "memory_gb": 8}


def test_three_vcpu_and_128_gb_are_refused_naming_the_allowed_values(catalog):
    errors = errors_of(lambda: validate_spec(catalog["host"], {**HOST_SPEC, "vcpu": 3, "memory_gb": 128}))
    assert errors["vcpu"] == ["vCPU: 3 is not offered; allowed: 1, 2, 4, 8, 16, 32."]
    assert errors["memory_gb"] == ["Memory (GB): 128 is not offered; allowed: 2, 4, 8, 16, 32, 64."]


def test_eleven_tb_of_storage_is_refused_naming_the_range(catalog):
    errors = errors_of(lambda: validate_spec(catalog["storage"], {"storage_tb": 11}))
    assert errors == {"storage_tb": ["Storage (TB): 11 is outside the allowed range 0.1–10."]}
    assert validate_spec(catalog["storage"], {"storage_tb": "10"}) == {"storage_tb": "10"}
    assert validate_spec(catalog["storage"], {"storage_tb": "2.5"}) == {"storage_tb": "2.5"}


def test_steps_missing_fields_unknown_fields_and_non_numbers(catalog):
    host = catalog["host"]
    errors = errors_of(lambda: validate_spec(host, {**HOST_SPEC, "system_disk_gb": 45}))
    assert errors["system_disk_gb"] == ["System disk (GB): 45 must be in steps of 10 from 40."]
    errors = errors_of(lambda: validate_spec(catalog["storage"], {"storage_tb": "0.15"}))
    assert errors["storage_tb"] == ["Storage (TB): 0.15 must be in steps of 0.1 from 0.1."]
    errors = errors_of(lambda: validate_spec(host, {"vcpu": 4, "gpu": 1, "system_disk_gb": "lots"}))
    assert errors["gpu"] == ["“gpu” is not part of 云主机."]
    assert errors["system_disk_gb"] == ["System disk (GB): “lots” is not a number."]
    assert "allowed: 2, 4, 8, 16, 32, 64" in errors["memory_gb"][0]
    assert errors["os_image"][0].startswith("Operating system is required; allowed: CentOS 5.10 32位")
    # The data disk is optional; booleans and infinities are not sizes.
    spec = {k: v for k, v in HOST_SPEC.items() if k != "data_disk_gb"}
    assert "data_disk_gb" not in validate_spec(host, spec)
    assert "data_disk_gb" in errors_of(lambda: validate_spec(host, {**spec, "data_disk_gb": True}))
    assert "data_disk_gb" in errors_of(lambda: validate_spec(host, {**spec, "data_disk_gb": "Infinity"}))
    assert "spec" in errors_of(lambda: validate_spec(host, ["vcpu"]))


def test_a_retired_item_is_refused_for_new_resources_but_describes_existing_ones(catalog):
    db = catalog["db-sqlserver-2008r2"]
    services.item_retire(actor=SYSTEM, item=db)
    db = item("db-sqlserver-2008r2")
    spec = {"vcpu": 4, "memory_gb": 8, "storage_gb": 100}
    errors = errors_of(lambda: validate_spec(db, spec))
    assert errors == {"item": ["“云数据库 SQL Server 2008 R2” is retired and cannot be chosen for new resources."]}
    assert validate_spec(db, spec, allow_retired=True) == spec


def test_a_retired_value_is_refused_with_the_values_still_offered(catalog):
    centos58 = SpecOption.objects.get(item__code="host", value="centos-5.8-64")
    services.option_retire(actor=SYSTEM, option=centos58)
    host = item("host")
    errors = errors_of(lambda: validate_spec(host, {**HOST_SPEC, "os_image": "centos-5.8-64"}))
    message = errors["os_image"][0]
    assert message.startswith("Operating system: CentOS 5.8 64位 has been retired and cannot be chosen; allowed:")
    assert "CentOS 7.0 64位" in message and "CentOS 5.8 64位," not in message
    assert validate_spec(host, {**HOST_SPEC, "os_image": "centos-5.8-64"}, allow_retired=True)["os_image"] == (
        "centos-5.8-64"
    )


@PROPERTY
@given(vcpu=st.sampled_from(VCPUS), memory=st.sampled_from(MEMORY_GB), disk=st.integers(4, 50))
def test_any_allowed_value_passes(catalog, vcpu, memory, disk):
    spec = {**HOST_SPEC, "vcpu": vcpu, "memory_gb": memory, "system_disk_gb": disk * 10}
    assert validate_spec(catalog["host"], spec)["vcpu"] == vcpu


@PROPERTY
@given(vcpu=st.integers(-1000, 1000).filter(lambda n: n not in VCPUS))
def test_any_other_vcpu_count_fails(catalog, vcpu):
    errors = errors_of(lambda: validate_spec(catalog["host"], {**HOST_SPEC, "vcpu": vcpu}))
    assert list(errors) == ["vcpu"] and "allowed: 1, 2, 4, 8, 16, 32" in errors["vcpu"][0]


@PROPERTY
@given(tenths=st.integers(-200, 200))
def test_storage_passes_exactly_inside_the_range_on_its_steps(catalog, tenths):
    value = Decimal(tenths) / 10
    ok = Decimal("0.1") <= value <= 10
    try:
        validate_spec(catalog["storage"], {"storage_tb": str(value)})
    except ValidationError:
        assert not ok
    else:
        assert ok


def test_metered_units_and_ledger_columns_come_from_one_spec(catalog):
    host = catalog["host"]
    assert metered_units(host, HOST_SPEC, 2) == {
        (PriceUnit.VCPU_MONTH, None): 8,
        (PriceUnit.MEMORY_GB_MONTH, None): 16,
        (PriceUnit.DISK_SSD_GB_MONTH, None): 500,
    }
    columns = resource_columns(host, HOST_SPEC, [{"network": "internet", "address": "58.222.1.10"}])
    assert columns == {
        "vcpu": 4,
        "memory_gb": 8,
        "disk_gb": 250,
        "storage_tb": 0,
        "bandwidth_mbps": 0,
        "public_addresses": 0,
        "os_image": "centos-7.0-64",
        "network": "internet",
    }
    db = catalog["db-mysql-5.6"]
    assert (
        metered_units(db, {"vcpu": 2, "memory_gb": 4, "storage_gb": 100})[(PriceUnit.DATABASE_INSTANCE_MONTH, db.pk)]
        == 1
    )
    assert resource_columns(db, {"vcpu": 2, "memory_gb": 4, "storage_gb": 100})["disk_gb"] == 100
    internet = catalog["network-internet"]
    assert resource_columns(internet, {"bandwidth_mbps": 20, "public_addresses": 2})["network"] == "internet"
    total = add_units(quota_units(host, HOST_SPEC, 3), quota_units(catalog["storage"], {"storage_tb": "1.5"}))
    assert total == {"vcpu": 12, "memory_gb": 24, "disk_gb": 750, "storage_tb": Decimal("1.5"), "public_addresses": 0}
    with pytest.raises(ValueError):
        metered_units(host, HOST_SPEC, -1)
