"""Annex 1 of the Measures (泰州市政务云平台资源列表), as the catalog's seed. Idempotent: an item, value
or range that exists already is left as the center may have edited it.

What Annex 1 lists is seeded exactly: the host's CPU counts, memory sizes, the two disk types and
the twelve operating systems; MySQL 5.6, SQL Server 2008 R2 and Oracle 11g; storage up to 10 TB;
the load balancer with L4 and L7; the extranet and the internet. Annex 1 names no sizes for disks,
database instances, bandwidth or public addresses: those ranges (and a database's CPU and memory,
taken from the host's lists) are the platform's starting values, which the center edits like the
rest of the catalog.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from govcloud.catalog.models import (
    CatalogItem,
    Dimension,
    DiskType,
    NetworkKind,
    ResourceKind,
    SpecOption,
    SpecRange,
)

VCPUS = [1, 2, 4, 8, 16, 32]
MEMORY_GB = [2, 4, 8, 16, 32, 64]
# Annex 1's operating systems, as written there: "Centos 5.10/6.5 32/64 位、Centos 5.8/7.0 64位；
# ubuntu12.4/14.4 32/64位；Windows 2008或2012 Enterprise R2 64 位". "Enterprise R2 64 位" qualifies
# both Windows versions: Windows Server 2008 R2 Enterprise (64-bit only, as the annex says) and
# Windows Server 2012 R2.
ANNEX1_OS_IMAGES = [
    ("centos-5.10-32", "CentOS 5.10 32位"),
    ("centos-5.10-64", "CentOS 5.10 64位"),
    ("centos-6.5-32", "CentOS 6.5 32位"),
    ("centos-6.5-64", "CentOS 6.5 64位"),
    ("centos-5.8-64", "CentOS 5.8 64位"),
    ("centos-7.0-64", "CentOS 7.0 64位"),
    ("ubuntu-12.04-32", "Ubuntu 12.04 32位"),
    ("ubuntu-12.04-64", "Ubuntu 12.04 64位"),
    ("ubuntu-14.04-32", "Ubuntu 14.04 32位"),
    ("ubuntu-14.04-64", "Ubuntu 14.04 64位"),
    ("windows-2008r2-ent-64", "Windows Server 2008 R2 Enterprise 64位"),
    ("windows-2012r2-ent-64", "Windows Server 2012 R2 Enterprise 64位"),
]
# (code, engine, name)
ANNEX1_DATABASES = [
    ("db-mysql-5.6", "MySQL 5.6", "云数据库 MySQL 5.6"),
    ("db-sqlserver-2008r2", "SQL Server 2008 R2", "云数据库 SQL Server 2008 R2"),
    ("db-oracle-11g", "Oracle 11g", "云数据库 Oracle 11g"),
]


def _item(
    code: str, kind: str, name: str, sort: int, engine: str = "", description: str = "", network: str = ""
) -> CatalogItem:
    item, _created = CatalogItem.objects.get_or_create(
        code=code,
        defaults={
            "kind": kind,
            "name": name,
            "sort": sort,
            "engine": engine,
            "description": description,
            "network": network,
        },
    )
    return item


def _options(item: CatalogItem, dimension: str, values) -> None:
    for sort, entry in enumerate(values):
        value, label = entry if isinstance(entry, tuple) else (str(entry), "")
        SpecOption.objects.get_or_create(
            item=item, dimension=dimension, value=str(value), defaults={"label": label, "sort": sort}
        )


def _range(item: CatalogItem, dimension: str, minimum, maximum, step=1, required=True) -> None:
    SpecRange.objects.get_or_create(
        item=item,
        dimension=dimension,
        defaults={
            "minimum": Decimal(str(minimum)),
            "maximum": Decimal(str(maximum)),
            "step": Decimal(str(step)),
            "required": required,
        },
    )


@transaction.atomic
def seed_annex1() -> None:
    host = _item("host", ResourceKind.HOST, "云主机", 10, description="CPU、内存、硬盘与操作系统按附件1规格选择。")
    _options(host, Dimension.VCPU, VCPUS)
    _options(host, Dimension.MEMORY_GB, MEMORY_GB)
    _options(host, Dimension.DISK_TYPE, [(DiskType.SATA.value, "通用IO (SATA)"), (DiskType.SSD.value, "超高IO (SSD)")])
    _options(host, Dimension.OS_IMAGE, ANNEX1_OS_IMAGES)
    _range(host, Dimension.SYSTEM_DISK_GB, 40, 500, 10)
    _range(host, Dimension.DATA_DISK_GB, 0, 16000, 10, required=False)

    for sort, (code, engine, name) in enumerate(ANNEX1_DATABASES, start=20):
        db = _item(code, ResourceKind.DATABASE, name, sort, engine=engine)
        _options(db, Dimension.VCPU, VCPUS)
        _options(db, Dimension.MEMORY_GB, MEMORY_GB)
        _range(db, Dimension.STORAGE_GB, 20, 4000, 10)

    storage = _item(
        "storage", ResourceKind.STORAGE, "云存储", 40, description="面向大规模文件、视频等非结构化数据提供存储空间。"
    )
    # Annex 1: "存储空间：0-10TB" — up to 10 TB; a request is for at least one step (0.1 TB), since
    # 0 TB is no storage at all.
    _range(storage, Dimension.STORAGE_TB, Decimal("0.1"), 10, Decimal("0.1"))

    lb = _item(
        "load-balancer",
        ResourceKind.LOAD_BALANCER,
        "云负载均衡",
        50,
        description="性能规格：无限制；功能规格：支持L4、L7层负载均衡。",
    )
    _options(lb, Dimension.LB_LAYER, [("l4", "四层 (L4)"), ("l7", "七层 (L7)")])

    extranet = _item(
        "network-extranet", ResourceKind.NETWORK_ACCESS, "网络接入：电子政务外网", 60, network=NetworkKind.EXTRANET
    )
    _range(extranet, Dimension.BANDWIDTH_MBPS, 1, 1000)
    internet = _item(
        "network-internet",
        ResourceKind.NETWORK_ACCESS,
        "网络接入：互联网",
        61,
        description="接入互联网的云资源必须在上线前先完成地址报备；默认关闭80、443等端口。",
        network=NetworkKind.INTERNET,
    )
    _range(internet, Dimension.BANDWIDTH_MBPS, 1, 1000)
    _range(internet, Dimension.PUBLIC_ADDRESSES, 1, 16)
