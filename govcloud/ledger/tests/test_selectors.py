"""Reads of the ledger: the scope, the filters, totals per department in one grouped query, and
quota checks against what is in use."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from govcloud.catalog import services as catalog_services
from govcloud.catalog.specs import add_units, quota_units
from govcloud.catalog.tests.helpers import HOST_SPEC
from govcloud.core.actors import SYSTEM
from govcloud.core.roles import Role
from govcloud.ledger import selectors, services
from govcloud.ledger.filters import ResourceFilter
from govcloud.ledger.tests.helpers import DB_SPEC, INTERNET_SPEC, adopt, catalog_item, system_of

pytestmark = pytest.mark.django_db

TZ = timezone.get_default_timezone()


def filtered(user, **params) -> set[str]:
    request = SimpleNamespace(user=user)
    qs = ResourceFilter(params, queryset=selectors.resources_for(user=user), request=request).qs
    return set(qs.values_list("name", flat=True))


@pytest.fixture
def ledger(city):
    system = system_of(city.dept_a, "不动产登记系统")
    made = {
        "a-host": adopt(city.dept_a, name="a-host", system=system, in_service_at=datetime(2025, 1, 10, tzinfo=TZ)),
        "a-db": adopt(city.dept_a, "db-mysql-5.6", DB_SPEC, name="a-db", in_service_at=datetime(2025, 6, 1, tzinfo=TZ)),
        "unit-host": adopt(
            city.unit_a,
            spec={**HOST_SPEC, "os_image": "ubuntu-14.04-64"},
            name="unit-host",
            addresses=[{"network": "internet", "address": "58.222.3.4"}],
            in_service_at=datetime(2025, 3, 1, tzinfo=TZ),
        ),
        "b-storage": adopt(city.dept_b, "storage", {"storage_tb": "1.5"}, name="b-storage"),
        "b-net": adopt(city.dept_b, "network-internet", INTERNET_SPEC, name="b-net"),
    }
    gone = adopt(city.dept_a, name="a-old", in_service_at=datetime(2024, 1, 1, tzinfo=TZ))
    made["a-old"] = services.resource_terminate(actor=SYSTEM, resource=gone, at=datetime(2024, 12, 31, tzinfo=TZ))
    return made


def test_scope(city, ledger):
    a_names = {"a-host", "a-db", "unit-host", "a-old"}
    assert filtered(city.user(Role.DEPARTMENT_APPLICANT)) == a_names
    assert filtered(city.user(Role.DEPARTMENT_HEAD, org=city.unit_a)) == {"unit-host"}
    assert filtered(city.user(Role.DEPARTMENT_HEAD, org=city.dept_b)) == {"b-storage", "b-net"}
    for role in (Role.CENTER_REVIEWER, Role.PROVIDER_OPERATOR, Role.FINANCE_VIEWER):
        assert filtered(city.user(role)) == set(ledger), role
    for role in (Role.EXPERT, Role.SYSTEM_ADMIN, Role.AUDIT_ADMIN, Role.LEADING_GROUP):
        assert filtered(city.user(role)) == set(), role


def test_filters(city, ledger):
    center = city.user(Role.CENTER_REVIEWER)
    assert filtered(center, organization=str(city.dept_a.pk)) == {"a-host", "a-db", "unit-host", "a-old"}
    assert filtered(center, system=str(ledger["a-host"].system_id)) == {"a-host"}
    assert filtered(center, kind="database") == {"a-db"}
    assert filtered(center, state="terminated") == {"a-old"}
    assert filtered(center, os_image="ubuntu-14.04-64") == {"unit-host"}
    assert filtered(center, network="internet") == {"unit-host", "b-net"}
    assert filtered(center, q="58.222.3") == {"unit-host"}
    assert filtered(center, q="TZ-DB-") == {"a-db"}
    # In service at some moment between the two days.
    assert filtered(center, in_service_from="2025-02-01", in_service_to="2025-04-30") == {"a-host", "unit-host"}
    assert filtered(center, in_service_to="2024-06-30") == {"a-old"}
    assert "a-old" not in filtered(center, in_service_from="2025-01-01")
    # A department cannot filter its way into another's resources.
    assert filtered(city.user(Role.DEPARTMENT_APPLICANT, org=city.dept_b), organization=str(city.dept_a.pk)) == {
        "b-storage",
        "b-net",
    }


def test_totals_per_department_are_one_grouped_query(city, ledger):
    queryset = selectors.resources_for(user=city.user(Role.FINANCE_VIEWER)).filter(state__in=selectors.IN_USE)
    with CaptureQueriesContext(connection) as ctx:
        rows = selectors.totals_by_department(queryset)
    assert len(ctx.captured_queries) == 1
    by_org = {r["organization_id"]: r for r in rows}
    a = by_org[city.dept_a.pk]
    assert (a["resources"], a["vcpu"], a["memory_gb"], a["disk_gb"]) == (2, 6, 12, 350)
    assert by_org[city.unit_a.pk]["vcpu"] == 4
    b = by_org[city.dept_b.pk]
    assert (b["storage_tb"], b["public_addresses"], b["bandwidth_mbps"]) == (Decimal("1.5"), 2, 20)
    grand = selectors.add_up(rows)
    assert (grand["resources"], grand["vcpu"], grand["disk_gb"]) == (5, 10, 600)
    assert selectors.totals(queryset)["vcpu"] == 10


def test_quota_excess(city, ledger):
    host = catalog_item("host")
    admin = city.user(Role.CENTER_ADMIN)
    four_hosts = quota_units(host, HOST_SPEC, 4)
    assert selectors.quota_excess(organization=city.dept_a, additional_units=four_hosts) == []  # no quota
    # Department A (with its unit) uses 10 vCPU, 20 GB, 600 GB disk... of which 6/12/350 are its own.
    catalog_services.quota_set(actor=admin, organization=city.dept_a, vcpu=24, memory_gb=64, disk_gb=5000)
    assert selectors.usage_of(city.dept_a)["vcpu"] == 10
    assert selectors.quota_excess(organization=city.dept_a, additional_units=quota_units(host, HOST_SPEC, 3)) == []
    messages = selectors.quota_excess(organization=city.dept_a, additional_units=four_hosts)
    assert messages == [
        "vCPU: 10 in use and 16 requested make 26, over the quota of 24 for 甲局.",
    ]
    # A unit's request counts against its department's quota, and its own.
    catalog_services.quota_set(actor=admin, organization=city.unit_a, memory_gb=16)
    with CaptureQueriesContext(connection) as ctx:
        messages = selectors.quota_excess(organization=city.unit_a, additional_units=four_hosts)
    assert len(ctx.captured_queries) <= 2
    assert messages == [
        "vCPU: 10 in use and 16 requested make 26, over the quota of 24 for 甲局.",
        "memory (GB): 8 in use and 32 requested make 40, over the quota of 16 for 甲局下属单位.",
    ]
    # Terminated resources do not count; a smaller change never exceeds.
    shrink = {"vcpu": -4, "memory_gb": -8}
    assert selectors.quota_excess(organization=city.unit_a, additional_units=shrink) == []
    catalog_services.quota_set(actor=admin, organization=city.dept_b, storage_tb=Decimal("2"), public_addresses=2)
    more = add_units(quota_units(catalog_item("storage"), {"storage_tb": "0.6"}), {"public_addresses": 1})
    assert selectors.quota_excess(organization=city.dept_b, additional_units=more) == [
        "storage (TB): 1.5 in use and 0.6 requested make 2.1, over the quota of 2 for 乙局.",
        "public addresses: 2 in use and 1 requested make 3, over the quota of 2 for 乙局.",
    ]
    with pytest.raises(TypeError):
        selectors.quota_excess(organization=city.dept_b, additional_units={"gpu": 1})


def test_quota_rows_show_usage_per_department(city, ledger):
    admin = city.user(Role.CENTER_ADMIN)
    catalog_services.quota_set(actor=admin, organization=city.dept_a, vcpu=8, note="2026年度")
    rows = {r.organization.pk: r for r in selectors.quota_rows(selectors.quota_organizations_for(user=admin))}
    cells = {c["dimension"]: c for c in rows[city.dept_a.pk].cells()}
    assert (cells["vcpu"]["used"], cells["vcpu"]["limit"], cells["vcpu"]["over"], cells["vcpu"]["percent"]) == (
        10,
        8,
        True,
        125,
    )
    assert rows[city.dept_b.pk].quota is None and rows[city.dept_b.pk].usage["storage_tb"] == Decimal("1.5")
    mine = selectors.quota_organizations_for(user=city.user(Role.DEPARTMENT_HEAD, org=city.dept_b))
    assert [o.pk for o in mine] == [city.dept_b.pk]
