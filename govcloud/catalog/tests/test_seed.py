"""The seed is exactly Annex 1 of the Measures, idempotent, and loaded through an audited service."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from govcloud.audit.models import AuditEvent
from govcloud.catalog import services
from govcloud.catalog.models import CatalogItem, ResourceKind, SpecOption, SpecRange
from govcloud.catalog.seed import seed_annex1
from govcloud.core.actors import SYSTEM
from govcloud.core.roles import Role

pytestmark = pytest.mark.django_db


def values(code: str, dimension: str) -> list[str]:
    return list(
        SpecOption.objects.filter(item__code=code, dimension=dimension).order_by("sort").values_list("value", flat=True)
    )


def test_the_seed_is_annex1():
    seed_annex1()
    kinds = dict(CatalogItem.objects.values_list("code", "kind"))
    assert kinds == {
        "host": ResourceKind.HOST,
        "db-mysql-5.6": ResourceKind.DATABASE,
        "db-sqlserver-2008r2": ResourceKind.DATABASE,
        "db-oracle-11g": ResourceKind.DATABASE,
        "storage": ResourceKind.STORAGE,
        "load-balancer": ResourceKind.LOAD_BALANCER,
        "network-extranet": ResourceKind.NETWORK_ACCESS,
        "network-internet": ResourceKind.NETWORK_ACCESS,
    }
    # 云主机: CPU 1, 2, 4, 8, 16, 32 cores; memory 2 … 64 GB; SATA or SSD.
    assert values("host", "vcpu") == ["1", "2", "4", "8", "16", "32"]
    assert values("host", "memory_gb") == ["2", "4", "8", "16", "32", "64"]
    assert values("host", "disk_type") == ["sata", "ssd"]
    # "Centos 5.10/6.5 32/64 位、Centos 5.8/7.0 64位；ubuntu12.4/14.4 32/64位；Windows 2008或2012
    # Enterprise R2 64 位"
    labels = list(
        SpecOption.objects.filter(item__code="host", dimension="os_image")
        .order_by("sort")
        .values_list("label", flat=True)
    )
    assert labels == [
        "CentOS 5.10 32位",
        "CentOS 5.10 64位",
        "CentOS 6.5 32位",
        "CentOS 6.5 64位",
        "CentOS 5.8 64位",
        "CentOS 7.0 64位",
        "Ubuntu 12.04 32位",
        "Ubuntu 12.04 64位",
        "Ubuntu 14.04 32位",
        "Ubuntu 14.04 64位",
        "Windows Server 2008 R2 Enterprise 64位",
        "Windows Server 2012 R2 Enterprise 64位",
    ]
    engines = set(CatalogItem.objects.filter(kind=ResourceKind.DATABASE).values_list("engine", flat=True))
    assert engines == {"MySQL 5.6", "SQL Server 2008 R2", "Oracle 11g"}
    storage = SpecRange.objects.get(item__code="storage", dimension="storage_tb")
    assert (storage.minimum, storage.maximum) == (Decimal("0.1"), 10)
    assert values("load-balancer", "lb_layer") == ["l4", "l7"]
    networks = dict(CatalogItem.objects.filter(kind=ResourceKind.NETWORK_ACCESS).values_list("code", "network"))
    assert networks == {"network-extranet": "extranet", "network-internet": "internet"}
    internet = CatalogItem.objects.get(code="network-internet")
    assert "地址报备" in internet.description and "80、443" in internet.description
    assert not CatalogItem.objects.filter(retired_at__isnull=False).exists()


def test_the_seed_is_idempotent_and_keeps_the_centers_edits():
    seed_annex1()
    host = CatalogItem.objects.get(code="host")
    services.item_update(actor=SYSTEM, item=host, name="云主机（通用型）")
    counts = (CatalogItem.objects.count(), SpecOption.objects.count(), SpecRange.objects.count())
    seed_annex1()
    assert (CatalogItem.objects.count(), SpecOption.objects.count(), SpecRange.objects.count()) == counts
    assert CatalogItem.objects.get(code="host").name == "云主机（通用型）"


def test_catalog_seed_service_is_audited_once_and_refuses_departments(city):
    counts = services.catalog_seed(actor=SYSTEM)
    assert counts["items"] == 8 and counts["options"] > 30
    assert services.catalog_seed(actor=city.user(Role.CENTER_ADMIN)) == {"items": 0, "options": 0, "ranges": 0}
    assert AuditEvent.objects.filter(action="catalog.seed").count() == 1
    with pytest.raises(PermissionDenied):
        services.catalog_seed(actor=city.user(Role.DEPARTMENT_APPLICANT))


def test_the_seed_command(capsys):
    from django.core.management import call_command

    call_command("catalog_seed")
    call_command("catalog_seed")
    out = capsys.readouterr().out
    assert "added 8 items" in out and "added 0 items, 0 values, 0 ranges" in out
