"""Demo applications; called by govcloud/web/demo.py with the demo organizations and users (after
the systems, security, catalog and ledger demos).

A walk through the lifecycle for the demo departments, each step taken by the demo people who would
take it (the applicant drafts and submits, the head signs off, the center accepts and decides, the
provider claims and completes, the department accepts), so the timelines read as in production:

- 市公安局 / 出入境证件办理系统: awaiting the center (submitted);
- 市卫健委 / 预约挂号平台: returned for correction (peak-load figures missing);
- 市卫健委 / 预约挂号平台: delivered for testing with internet access, held by the address filing gate;
- 市教育局 / 中小学学籍管理系统: in delivery, one work order overdue;
- 海陵区 / 网格化社会治理平台: in service, its resources in the ledger;
- 兴化市 / 农村集体资产管理系统: a termination (data handed back) awaiting the decision;
- 海陵区 / 网格化社会治理平台: a host terminated with certified destruction, the certificate awaiting
  the department's confirmation (Art. 18).

Idempotent: an application is recognized by its organization and purpose and left as it is.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone

from govcloud.applications import services
from govcloud.applications.models import Application, ApplicationKind, Environment
from govcloud.catalog.models import CatalogItem
from govcloud.catalog.seed import seed_annex1
from govcloud.core.actors import SYSTEM, is_system
from govcloud.delivery import services as delivery
from govcloud.delivery.models import WorkOrder, WorkOrderKind
from govcloud.ledger.models import Resource, ResourceState
from govcloud.systems.models import InformationSystem

logger = logging.getLogger(__name__)

HOST_8C = {"vcpu": 8, "memory_gb": 16, "disk_type": "ssd", "os_image": "centos-7.0-64", "system_disk_gb": 100}
HOST_4C = {"vcpu": 4, "memory_gb": 8, "disk_type": "sata", "os_image": "ubuntu-14.04-64", "system_disk_gb": 60}


def _user(users: dict, name: str):
    return users.get(name) or SYSTEM


def _items() -> dict[str, CatalogItem]:
    return {i.code: i for i in CatalogItem.objects.prefetch_related("options", "ranges")}


def _row(items, code: str, quantity: int = 1, **spec) -> services.ItemInput:
    return services.ItemInput(catalog_item=items[code], quantity=quantity, spec=spec)


def _system(org, name: str) -> InformationSystem | None:
    return InformationSystem.objects.filter(organization=org, name=name, classified=False, is_active=True).first()


def _draft(*, org, system_name: str, purpose: str, actor, rows, environment=Environment.PRODUCTION, **fields):
    """The application with this purpose, or a new draft (None when its system is missing)."""
    existing = Application.objects.filter(organization=org, purpose=purpose).first()
    if existing is not None:
        return existing, False
    system = _system(org, system_name)
    if system is None:
        return None, False
    application = services.application_create(
        actor=actor,
        system=system,
        purpose=purpose,
        environment=environment,
        contact_name=getattr(actor, "full_name", "") or "联系人",
        contact_phone=getattr(actor, "phone", "") or "0523-86839000",
        items=rows,
        **fields,
    )
    return application, True


def _to_center(app, applicant, head, note: str = "", justification: str = "") -> None:
    if app.exceeds_quota and not app.quota_justification:
        # The department's quota (ledger demo) is exceeded: the applicant explains why.
        services.application_update(
            actor=applicant,
            application=app,
            quota_justification=justification or "业务量增长，超出部分已列入本部门年度信息化预算。",
        )
    services.application_submit(actor=applicant, application=app)
    services.application_sign_off(actor=head, application=app, comment=note)


def _complete(order: WorkOrder, provider, names: list[str], addresses=None) -> None:
    delivery.work_order_claim(actor=provider, work_order=order)
    item = order.item
    if order.kind == WorkOrderKind.PROVISION:
        entries = [
            {
                "name": names[n],
                "spec": item.approved_spec,
                "addresses": (addresses or {}).get(
                    n, [{"network": "extranet", "address": f"10.66.{order.pk % 200}.{n + 11}"}]
                ),
                "provider_ref": f"tz-kvm-{order.pk:03d}-{n + 1}",
            }
            for n in range(item.approved_quantity)
        ]
        delivery.work_order_complete(actor=provider, work_order=order, delivered=entries, note="已按审批规格交付。")
    else:
        delivery.work_order_complete(actor=provider, work_order=order, note="数据已移交，交接单 JJ-2026-031。")


def load_demo(*, orgs: dict, users: dict) -> None:
    seed_annex1()
    items = _items()
    reviewer, admin, provider = (_user(users, n) for n in ("center_reviewer", "center_admin", "provider_ops"))

    # 市公安局: awaiting the center.
    gaj = orgs.get("gaj")
    if gaj is not None:
        app, new = _draft(
            org=gaj,
            system_name="出入境证件办理系统",
            purpose="出入境证件办理系统迁移上云：应用服务器两台、MySQL 数据库一套，接入电子政务外网。",
            actor=_user(users, "gaj_applicant"),
            rows=[
                _row(items, "host", 2, **HOST_8C, data_disk_gb=500),
                _row(items, "db-mysql-5.6", vcpu=4, memory_gb=16, storage_gb=500),
                _row(items, "network-extranet", bandwidth_mbps=50),
            ],
            requested_date=timezone.localdate() + timedelta(days=14),
        )
        if new:
            _to_center(app, _user(users, "gaj_applicant"), _user(users, "gaj_head"), "同意迁移上云。")

    wjw = orgs.get("wjw")
    if wjw is not None:
        # 市卫健委: returned for correction.
        app, new = _draft(
            org=wjw,
            system_name="预约挂号平台",
            purpose="预约挂号平台节假日高峰扩容：新增应用服务器四台。",
            actor=_user(users, "wjw_applicant"),
            rows=[_row(items, "host", 4, **HOST_8C)],
        )
        if new:
            _to_center(
                app,
                _user(users, "wjw_applicant"),
                _user(users, "wjw_head"),
                justification="春节前后挂号量为平日三倍，现有配额不足以支撑高峰。",
            )
            services.application_return(
                actor=reviewer,
                application=app,
                reasons="请补充近三个月高峰并发量与现有云主机利用率数据（附运维报表），以便核定扩容规模。",
            )
        # 市卫健委: delivered, internet access held by the address filing gate.
        app, new = _draft(
            org=wjw,
            system_name="预约挂号平台",
            purpose="预约挂号平台互联网出口：新增 100 Mbps 互联网带宽和一个公网地址。",
            actor=_user(users, "wjw_applicant"),
            rows=[_row(items, "network-internet", bandwidth_mbps=100, public_addresses=1)],
            environment=Environment.PRODUCTION,
            requested_ports="443/TCP",
        )
        if new:
            _to_center(app, _user(users, "wjw_applicant"), _user(users, "wjw_head"))
            services.application_accept(actor=reviewer, application=app)
            services.application_approve(actor=admin, application=app, comment="同意。上线前须完成地址报备。")
            for order in app.work_orders.all():
                _complete(
                    order,
                    provider,
                    ["预约挂号-互联网出口"],
                    addresses={0: [{"network": "internet", "address": "58.222.18.36", "domain": "yy.tzwjw.gov.cn"}]},
                )

    # 市教育局: in delivery, one work order overdue.
    jyj = orgs.get("jyj")
    if jyj is not None:
        app, new = _draft(
            org=jyj,
            system_name="中小学学籍管理系统",
            purpose="学籍管理系统测试环境：应用服务器两台、2 TB 云存储（照片与档案）。",
            actor=_user(users, "jyj_applicant"),
            rows=[_row(items, "host", 2, **HOST_4C), _row(items, "storage", storage_tb="2")],
            environment=Environment.TEST,
        )
        if new:
            _to_center(app, _user(users, "jyj_applicant"), _user(users, "jyj_head"))
            services.application_accept(actor=reviewer, application=app)
            services.application_approve(actor=admin, application=app, comment="同意，先行部署测试环境。")
            hosts, storage = list(app.work_orders.order_by("pk"))
            _complete(storage, provider, ["学籍档案存储"])
            delivery.work_order_claim(actor=provider, work_order=hosts)
            delivery.work_order_note(actor=provider, work_order=hosts, text="宿主机资源紧张，正在协调迁移。")
            # The demo shows an overdue order: its deadline is moved back, as if approved days ago.
            overdue = timezone.now() - timedelta(hours=6)
            WorkOrder.objects.filter(pk=hosts.pk).update(due_at=overdue)
            Application.objects.filter(pk=app.pk).update(delivery_due_at=overdue)

    # 海陵区: in service.
    hailing = orgs.get("hailing")
    if hailing is not None:
        app, new = _draft(
            org=hailing,
            system_name="海陵区网格化社会治理平台",
            purpose="网格化社会治理平台测试环境：应用服务器两台，接入电子政务外网 20 Mbps。",
            actor=_user(users, "hailing_applicant"),
            rows=[_row(items, "host", 2, **HOST_4C), _row(items, "network-extranet", bandwidth_mbps=20)],
            environment=Environment.TEST,
        )
        if new:
            _to_center(app, _user(users, "hailing_applicant"), _user(users, "hailing_head"))
            services.application_accept(actor=reviewer, application=app)
            services.application_approve(actor=admin, application=app)
            for n, order in enumerate(app.work_orders.order_by("pk")):
                _complete(
                    order, provider, [f"网格治理-应用{n + 1}-{k + 1}" for k in range(order.item.approved_quantity)]
                )
            services.application_accept_delivery(
                actor=_user(users, "hailing_applicant"), application=app, comment="功能测试通过。"
            )

    # 兴化市: storage in service, then its termination awaiting the decision.
    xinghua = orgs.get("xinghua")
    if xinghua is not None:
        applicant = _user(users, "xinghua_applicant")
        app, new = _draft(
            org=xinghua,
            system_name="兴化市农村集体资产管理系统",
            purpose="农村集体资产清产核资影像资料存储 1 TB。",
            actor=applicant,
            rows=[_row(items, "storage", storage_tb="1")],
            environment=Environment.TEST,
        )
        if new:
            _to_center(app, applicant, SYSTEM)
            services.application_accept(actor=reviewer, application=app)
            services.application_approve(actor=admin, application=app)
            for order in app.work_orders.all():
                _complete(order, provider, ["清产核资影像存储"])
            services.application_accept_delivery(actor=applicant, application=app)
        resource = (
            Resource.objects.filter(origin_application__organization=xinghua, state=ResourceState.IN_SERVICE)
            .order_by("pk")
            .first()
        )
        if resource is not None:
            app, new = _draft(
                org=xinghua,
                system_name="兴化市农村集体资产管理系统",
                purpose="清产核资工作结束，影像资料移交档案馆后释放存储。",
                actor=applicant,
                kind=ApplicationKind.TERMINATION,
                rows=[services.ItemInput(target_resource=resource)],
                environment=Environment.TEST,
                termination_mode="handover",
                termination_date=timezone.localdate() + timedelta(days=7),
            )
            if new:
                _to_center(app, applicant, SYSTEM)
                services.application_accept(actor=reviewer, application=app)
    _destruction_awaiting_confirmation(orgs, users, reviewer, admin, provider)


# --- Art. 18: a termination with certified destruction, the certificate with the department --------

CERTIFICATE_HTML = """<html><head><meta charset="utf-8"><style>
body {{ font-family: "Noto Sans CJK SC", "Noto Sans SC", sans-serif; margin: 40px; font-size: 14px; }}
h1 {{ text-align: center; font-size: 22px; }} td {{ padding: 6px 10px; border: 1px solid #999; }}
table {{ border-collapse: collapse; width: 100%; }}</style></head><body>
<h1>数据销毁证明</h1><p>编号：{number}</p><table>
<tr><td>使用单位</td><td>{org}</td></tr><tr><td>资源</td><td>{resource}</td></tr>
<tr><td>销毁方式</td><td>系统盘、数据盘三遍覆写后删除，快照与备份同时删除</td></tr>
<tr><td>销毁时间</td><td>{day}</td></tr><tr><td>经办人</td><td>{operator}</td></tr></table>
<p>云服务提供商（盖章）</p></body></html>"""


def _certificate_pdf(*, number: str, org: str, resource: str, operator: str) -> bytes:
    from weasyprint import HTML

    html = CERTIFICATE_HTML.format(
        number=number, org=org, resource=resource, day=timezone.localdate().isoformat(), operator=operator
    )
    return HTML(string=html).write_pdf()


def _destruction_awaiting_confirmation(orgs, users, reviewer, admin, provider) -> None:
    """海陵区 ends one host of its grid platform with certified destruction: the provider has
    uploaded the certificate; the department's confirmation completes the order (Art. 18)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from govcloud.delivery import evidence

    hailing = orgs.get("hailing")
    if hailing is None or is_system(provider):
        return
    resource = (
        Resource.objects.filter(origin_application__organization=hailing, state=ResourceState.IN_SERVICE)
        .filter(catalog_item__code="host")
        .order_by("-pk")
        .first()
    )
    if resource is None:
        return
    applicant = _user(users, "hailing_applicant")
    app, new = _draft(
        org=hailing,
        system_name="海陵区网格化社会治理平台",
        purpose="网格治理平台测试结束，释放一台应用服务器，数据按要求销毁并出具证明。",
        actor=applicant,
        kind=ApplicationKind.TERMINATION,
        rows=[services.ItemInput(target_resource=resource)],
        environment=Environment.TEST,
        termination_mode="destruction",
        termination_date=timezone.localdate(),
    )
    if not new:
        return
    _to_center(app, applicant, _user(users, "hailing_head"))
    services.application_accept(actor=reviewer, application=app)
    services.application_approve(actor=admin, application=app)
    order = app.work_orders.get()
    delivery.work_order_claim(actor=provider, work_order=order)
    number = f"XH-{timezone.localdate():%Y}-{order.pk:03d}"
    pdf = _certificate_pdf(
        number=number, org=hailing.name, resource=f"{resource.code} {resource.name}", operator=provider.full_name
    )
    evidence.termination_evidence_submit(
        actor=provider,
        work_order=order,
        statement=f"已对 {resource.code} 的系统盘、数据盘三遍覆写后删除，快照与备份同时删除；销毁证明编号 {number}。",
        upload=SimpleUploadedFile(f"数据销毁证明-{number}.pdf", pdf, content_type="application/pdf"),
    )
