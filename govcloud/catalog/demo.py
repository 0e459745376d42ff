"""Demo catalog and prices; called by govcloud/web/demo.py with the demo organizations and users.

Annex 1 (the seed), then what the center has added since: the openEuler 22.03 LTS and 银河麒麟
Kylin V10 images, the DM8 (达梦) and KingbaseES (人大金仓) databases; CentOS 5.8 64-bit and SQL
Server 2008 R2 retired (resources that have them keep them); six security services (cloud firewall,
WAF, bastion host, vulnerability scanning, log audit, backup), priced per month like the rest. The
rate card in effect since 1 January of this year, and next year's version drafted from it.

Idempotent: what exists is left as it is. Everything goes through the services as `system`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils import timezone

from govcloud.catalog import services
from govcloud.catalog.models import CatalogItem, PriceList, PriceUnit, ResourceKind, SpecOption
from govcloud.catalog.selectors import required_price_keys
from govcloud.core.actors import SYSTEM

NEW_IMAGES = [
    ("openeuler-22.03-lts-64", "openEuler 22.03 LTS 64位"),
    ("kylin-v10-sp3-64", "银河麒麟高级服务器操作系统 Kylin V10 SP3 64位"),
]
# (code, name, engine, sort, vCPU values, memory values, storage range GB)
NEW_DATABASES = [
    ("db-dm8", "云数据库 达梦 DM8", "达梦 DM8", 23, (2, 4, 8, 16, 32), (4, 8, 16, 32, 64), (50, 4000, 10)),
    (
        "db-kingbasees-v8",
        "云数据库 人大金仓 KingbaseES V8",
        "人大金仓 KingbaseES V8",
        24,
        (2, 4, 8, 16),
        (4, 8, 16, 32, 64),
        (50, 4000, 10),
    ),
]
# Security services (Art. 8 lists security beside compute and storage; Art. 17 the provider's
# defence, monitoring and backup), each ordered like any other item and billed per month:
# (code, name, description, sort, CNY per month).
SECURITY_SERVICES = [
    ("sec-cloud-firewall", "云防火墙", "南北向与东西向访问控制、入侵防御，按业务系统配置策略。", 60, Decimal("800")),
    ("sec-waf", "Web应用防火墙（WAF）", "防护SQL注入、跨站脚本等Web攻击，含HTTPS证书托管。", 61, Decimal("1200")),
    (
        "sec-bastion",
        "堡垒机",
        "运维人员统一登录、操作录像与命令审计（第十八条授权访问的技术手段）。",
        62,
        Decimal("600"),
    ),
    ("sec-vuln-scan", "漏洞扫描", "主机与Web漏洞每月扫描一次并出具报告，高危漏洞跟踪整改。", 63, Decimal("400")),
    ("sec-log-audit", "日志审计", "操作系统、数据库与网络设备日志集中留存不少于六个月。", 64, Decimal("500")),
    ("sec-backup", "数据备份", "每日增量、每周全量备份，异地保存，保留30天。", 65, Decimal("700")),
]
SECURITY_RATES = {code: amount for code, _name, _description, _sort, amount in SECURITY_SERVICES}
RETIRED_IMAGE = "centos-5.8-64"
RETIRED_DATABASE = "db-sqlserver-2008r2"

# CNY per unit per month.
RATES = {
    PriceUnit.VCPU_MONTH: Decimal("45"),
    PriceUnit.MEMORY_GB_MONTH: Decimal("20"),
    PriceUnit.DISK_SATA_GB_MONTH: Decimal("0.35"),
    PriceUnit.DISK_SSD_GB_MONTH: Decimal("1.00"),
    PriceUnit.STORAGE_TB_MONTH: Decimal("300"),
    PriceUnit.LOAD_BALANCER_MONTH: Decimal("150"),
    PriceUnit.BANDWIDTH_MBPS_MONTH: Decimal("60"),
    PriceUnit.PUBLIC_ADDRESS_MONTH: Decimal("25"),
}
ENGINE_RATES = {
    "db-mysql-5.6": Decimal("300"),
    "db-sqlserver-2008r2": Decimal("650"),
    "db-oracle-11g": Decimal("1200"),
    "db-dm8": Decimal("800"),
    "db-kingbasees-v8": Decimal("750"),
}
# Next year: compute cheaper, SSD cheaper, bandwidth the same.
NEXT_YEAR = {PriceUnit.VCPU_MONTH: Decimal("42"), PriceUnit.DISK_SSD_GB_MONTH: Decimal("0.85")}


def _additions() -> None:
    host = CatalogItem.objects.get(code="host")
    offered = set(SpecOption.objects.filter(item=host, dimension="os_image").values_list("value", flat=True))
    for value, label in NEW_IMAGES:
        if value not in offered:
            services.option_add(actor=SYSTEM, item=host, dimension="os_image", value=value, label=label)
    for code, name, engine, sort, vcpus, memories, (low, high, step) in NEW_DATABASES:
        if CatalogItem.objects.filter(code=code).exists():
            continue
        db = services.item_create(actor=SYSTEM, kind="database", code=code, name=name, engine=engine, sort=sort)
        for vcpu in vcpus:
            services.option_add(actor=SYSTEM, item=db, dimension="vcpu", value=vcpu)
        for memory in memories:
            services.option_add(actor=SYSTEM, item=db, dimension="memory_gb", value=memory)
        services.range_set(actor=SYSTEM, item=db, dimension="storage_gb", minimum=low, maximum=high, step=step)
    for code, name, description, sort, _amount in SECURITY_SERVICES:
        if not CatalogItem.objects.filter(code=code).exists():
            services.item_create(
                actor=SYSTEM, kind=ResourceKind.SECURITY, code=code, name=name, description=description, sort=sort
            )
    old = SpecOption.objects.filter(item=host, dimension="os_image", value=RETIRED_IMAGE, retired_at__isnull=True)
    for option in old:
        services.option_retire(actor=SYSTEM, option=option)
    sql = CatalogItem.objects.filter(code=RETIRED_DATABASE, retired_at__isnull=True).first()
    if sql is not None:
        services.item_retire(actor=SYSTEM, item=sql, note="产品已停止技术支持，新申请请选择国产数据库或 MySQL。")


def _price_all(price_list: PriceList, overrides: dict) -> None:
    for key in required_price_keys():
        if key.item is None:
            amount = overrides.get(key.unit, RATES[key.unit])
        elif key.unit == PriceUnit.SECURITY_SERVICE_MONTH:
            amount = SECURITY_RATES.get(key.item.code, Decimal("500"))
        else:
            amount = ENGINE_RATES.get(key.item.code, Decimal("500"))
        services.price_set(actor=SYSTEM, price_list=price_list, unit=key.unit, amount=amount, item=key.item)


def _prices() -> None:
    today = timezone.localdate()
    start = date(today.year, 1, 1)
    if not PriceList.objects.exists():
        current = services.price_list_create_draft(
            actor=SYSTEM,
            name=f"{today.year}年政务云资源价目表",
            effective_from=start,
            note="按月计费；测试期不计费（开通之日起计量）。",
        )
        # SQL Server 2008 R2 is retired, but its existing instances are still billed.
        sql = CatalogItem.objects.get(code=RETIRED_DATABASE)
        services.price_set(
            actor=SYSTEM,
            price_list=current,
            unit=PriceUnit.DATABASE_INSTANCE_MONTH,
            amount=ENGINE_RATES[RETIRED_DATABASE],
            item=sql,
        )
        _price_all(current, {})
        services.price_list_publish(actor=SYSTEM, price_list=current)
    following = date(today.year + 1, 1, 1)
    if not PriceList.objects.filter(effective_from=following).exists():
        draft = services.price_list_create_draft(
            actor=SYSTEM, name=f"{today.year + 1}年政务云资源价目表（征求意见稿）", effective_from=following
        )
        for unit, amount in NEXT_YEAR.items():
            services.price_set(actor=SYSTEM, price_list=draft, unit=unit, amount=amount)


def load_demo(*, orgs: dict, users: dict) -> None:
    services.catalog_seed(actor=SYSTEM)
    _additions()
    _prices()
