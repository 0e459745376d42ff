"""Demo resource ledger; called by govcloud/web/demo.py with the demo organizations and users
(after the systems and catalog demos).

Resources that were in service before GovCloud, recorded in the ledger (adopted) for the demo
departments' information systems: hosts on Annex 1 images and on the images added since (openEuler,
Kylin), a host still on CentOS 5.8 and a SQL Server 2008 R2 instance (both retired from the catalog,
kept by the resources that have them), domestic databases, storage, a load balancer and network
access; one resource being changed and one terminated. Quotas for three departments.

Idempotent: a resource that exists (by department and name) is left as it is. Everything goes
through the services as `system`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from govcloud.catalog import services as catalog_services
from govcloud.catalog.models import CatalogItem, Quota
from govcloud.core.actors import SYSTEM
from govcloud.ledger import services
from govcloud.ledger.models import Resource
from govcloud.systems.models import InformationSystem


def _host(vcpu, memory, os_image, *, ssd=True, system_disk=50, data_disk=0) -> dict:
    spec = {
        "vcpu": vcpu,
        "memory_gb": memory,
        "disk_type": "ssd" if ssd else "sata",
        "system_disk_gb": system_disk,
        "os_image": os_image,
    }
    if data_disk:
        spec["data_disk_gb"] = data_disk
    return spec


def _db(vcpu, memory, storage) -> dict:
    return {"vcpu": vcpu, "memory_gb": memory, "storage_gb": storage}


@dataclass(frozen=True)
class Row:
    org: str
    system: str
    item: str
    name: str
    spec: dict
    days_in_service: int
    addresses: list = field(default_factory=list)
    provider_ref: str = ""
    # "changing": a change under way; "terminated": ended `ended_days_ago` days ago.
    then: str = ""
    ended_days_ago: int = 0


def _ext(address: str) -> list:
    return [{"network": "extranet", "address": address}]


ROWS = [
    Row(
        "wjw",
        "预约挂号平台",
        "host",
        "预约挂号-应用服务器01",
        _host(8, 16, "centos-7.0-64", data_disk=200),
        700,
        _ext("10.32.16.11"),
        "vm-7f3a01",
    ),
    Row(
        "wjw",
        "预约挂号平台",
        "host",
        "预约挂号-应用服务器02",
        _host(8, 16, "centos-7.0-64", data_disk=200),
        700,
        _ext("10.32.16.12"),
        "vm-7f3a02",
    ),
    Row("wjw", "预约挂号平台", "db-mysql-5.6", "预约挂号-数据库", _db(4, 16, 500), 700, _ext("10.32.16.20")),
    Row("wjw", "预约挂号平台", "load-balancer", "预约挂号-负载均衡", {"lb_layer": "l7"}, 700, _ext("10.32.16.10")),
    Row(
        "wjw",
        "预约挂号平台",
        "network-internet",
        "预约挂号-互联网接入",
        {"bandwidth_mbps": 50, "public_addresses": 2},
        690,
        [
            {"network": "internet", "address": "203.0.113.21", "domain": "yyghpt.example.gov.cn"},
            {"network": "internet", "address": "203.0.113.22"},
        ],
    ),
    Row(
        "gaj",
        "出入境证件办理系统",
        "host",
        "出入境-业务服务器",
        _host(8, 32, "kylin-v10-sp3-64", data_disk=500),
        120,
        _ext("10.32.8.31"),
        "vm-91c0d2",
    ),
    Row("gaj", "出入境证件办理系统", "db-dm8", "出入境-达梦数据库", _db(8, 32, 1000), 120, _ext("10.32.8.40")),
    Row(
        "gaj_jj",
        "交通违法处理系统",
        "host",
        "交通违法-前置服务器",
        _host(4, 8, "centos-5.8-64", ssd=False, system_disk=100),
        1500,
        _ext("10.32.9.15"),
    ),
    Row(
        "gaj_jj",
        "交通违法处理系统",
        "db-sqlserver-2008r2",
        "交通违法-SQL Server",
        _db(8, 16, 800),
        1500,
        _ext("10.32.9.16"),
    ),
    Row("gaj_jj", "交通违法处理系统", "storage", "交通违法-抓拍图片存储", {"storage_tb": "5"}, 1400),
    Row(
        "jyj",
        "中小学学籍管理系统",
        "host",
        "学籍-应用服务器",
        _host(4, 8, "openeuler-22.03-lts-64", data_disk=100),
        200,
        _ext("10.32.20.5"),
    ),
    Row("jyj", "中小学学籍管理系统", "db-kingbasees-v8", "学籍-金仓数据库", _db(4, 16, 300), 200, _ext("10.32.20.6")),
    Row("jyj", "中小学学籍管理系统", "storage", "学籍-档案影像存储", {"storage_tb": "2"}, 200),
    Row(
        "xinghua",
        "兴化市农村集体资产管理系统",
        "host",
        "三资管理-应用服务器",
        _host(2, 4, "ubuntu-14.04-64"),
        900,
        _ext("10.33.2.8"),
    ),
    Row(
        "xinghua",
        "兴化市农村集体资产管理系统",
        "host",
        "三资管理-旧报表服务器",
        _host(2, 4, "centos-6.5-64", ssd=False),
        1000,
        _ext("10.33.2.9"),
        then="terminated",
        ended_days_ago=60,
    ),
    Row(
        "zrzy",
        "不动产登记信息系统",
        "host",
        "不动产-业务服务器",
        _host(16, 64, "windows-2012r2-ent-64", data_disk=1000),
        400,
        _ext("10.32.30.11"),
        then="changing",
    ),
    Row(
        "zrzy",
        "不动产登记信息系统",
        "db-oracle-11g",
        "不动产-Oracle 数据库",
        _db(16, 64, 2000),
        400,
        _ext("10.32.30.12"),
    ),
    Row("zrzy", "不动产登记信息系统", "network-extranet", "不动产-外网专线", {"bandwidth_mbps": 100}, 400),
]

QUOTAS = {
    "gaj": {"vcpu": 64, "memory_gb": 256, "disk_gb": 8000, "storage_tb": Decimal("20"), "public_addresses": 4},
    "wjw": {"vcpu": 32, "memory_gb": 96, "disk_gb": 2000, "public_addresses": 2, "note": "2026年度核定配额"},
    "jyj": {"vcpu": 16, "memory_gb": 32, "storage_tb": Decimal("5")},
}


def load_demo(*, orgs: dict, users: dict) -> None:
    now = timezone.now()
    items = {i.code: i for i in CatalogItem.objects.all()}
    for row in ROWS:
        org = orgs.get(row.org)
        item = items.get(row.item)
        if org is None or item is None or Resource.objects.filter(organization=org, name=row.name).exists():
            continue
        system = InformationSystem.objects.filter(organization=org, name=row.system).first()
        resource = services.resource_adopt(
            actor=SYSTEM,
            organization=org,
            catalog_item=item,
            spec=dict(row.spec),
            name=row.name,
            system=system,
            addresses=row.addresses,
            provider_ref=row.provider_ref,
            in_service_at=now - timedelta(days=row.days_in_service),
            note="GovCloud 上线前已开通的资源，按运维台账登记。",
        )
        if row.then == "changing":
            services.resource_change_start(actor=SYSTEM, resource=resource, note="扩容申请已批准，提供商实施中。")
        elif row.then == "terminated":
            services.resource_terminate(
                actor=SYSTEM,
                resource=resource,
                at=now - timedelta(days=row.ended_days_ago),
                note="报表功能并入新系统，资源回收，数据已交还。",
            )
    for key, limits in QUOTAS.items():
        org = orgs.get(key)
        if org is None or Quota.objects.filter(organization=org).exists():
            continue
        catalog_services.quota_set(actor=SYSTEM, organization=org, **limits)
