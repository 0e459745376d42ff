"""Builders for the application and delivery tests: a city with the people of the workflow, the
Annex 1 catalog with a price list, systems, and applications driven to any state through the
services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from govcloud.applications import services
from govcloud.applications.models import Application, ApplicationKind, ApplicationState, Environment
from govcloud.catalog.models import CatalogItem, Price, PriceList, PriceUnit
from govcloud.catalog.seed import seed_annex1
from govcloud.core.actors import SYSTEM
from govcloud.core.roles import Role
from govcloud.delivery import services as delivery_services
from govcloud.delivery.models import WorkOrder, WorkOrderKind, WorkOrderState
from govcloud.systems.models import InformationSystem
from govcloud.workdays.services import calendar_seed_from_package
from tests.factories import api_token_for

S = ApplicationState
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"

HOST_SPEC = {
    "vcpu": 4,
    "memory_gb": 8,
    "disk_type": "ssd",
    "os_image": "centos-7.0-64",
    "system_disk_gb": 100,
    "data_disk_gb": 200,
}
PRICES = {
    PriceUnit.VCPU_MONTH: "50",
    PriceUnit.MEMORY_GB_MONTH: "20",
    PriceUnit.DISK_SATA_GB_MONTH: "0.3",
    PriceUnit.DISK_SSD_GB_MONTH: "0.8",
    PriceUnit.STORAGE_TB_MONTH: "300",
    PriceUnit.LOAD_BALANCER_MONTH: "200",
    PriceUnit.BANDWIDTH_MBPS_MONTH: "30",
    PriceUnit.PUBLIC_ADDRESS_MONTH: "40",
}


def seed_catalog(*, prices: bool = True) -> None:
    seed_annex1()
    if prices and not PriceList.objects.exists():
        price_list = PriceList.objects.create(
            name="2026 价目表", effective_from=date(2020, 1, 1), published_at=timezone.now(), published_by_name="中心"
        )
        Price.objects.bulk_create([Price(price_list=price_list, unit=u, amount=Decimal(a)) for u, a in PRICES.items()])


def item(code: str) -> CatalogItem:
    return CatalogItem.objects.prefetch_related("options", "ranges").get(code=code)


def pdf(name: str = "盖章申请表.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@dataclass
class Workflow:
    city: object
    applicant: object
    head: object
    security: object
    reviewer: object
    admin: object
    provider: object
    provider2: object
    finance: object
    b_applicant: object
    b_head: object
    system: InformationSystem
    b_system: InformationSystem

    def people(self) -> dict:
        return {
            "applicant": self.applicant,
            "head": self.head,
            "security": self.security,
            "reviewer": self.reviewer,
            "admin": self.admin,
            "provider": self.provider,
            "finance": self.finance,
            "b_applicant": self.b_applicant,
            "b_head": self.b_head,
        }


def system_for(org, name: str = "政务服务系统", **fields) -> InformationSystem:
    values = {"protection_level": 2, "hosting_status": "on_platform", "purpose": "办事服务"}
    values.update(fields)
    return InformationSystem.objects.create(organization=org, name=name, **values)


@pytest.fixture
def wf(city) -> Workflow:
    calendar_seed_from_package(actor=SYSTEM)
    seed_catalog()
    return Workflow(
        city=city,
        applicant=city.user(Role.DEPARTMENT_APPLICANT, org=city.dept_a, full_name="孙申请"),
        head=city.user(Role.DEPARTMENT_HEAD, org=city.dept_a, full_name="周处长"),
        security=city.user(Role.DEPARTMENT_SECURITY_OFFICER, org=city.dept_a),
        reviewer=city.user(Role.CENTER_REVIEWER, full_name="李审核"),
        admin=city.user(Role.CENTER_ADMIN, full_name="王主任"),
        provider=city.user(Role.PROVIDER_OPERATOR, full_name="陈运维"),
        provider2=city.user(Role.PROVIDER_OPERATOR, full_name="刘运维"),
        finance=city.user(Role.FINANCE_VIEWER),
        b_applicant=city.user(Role.DEPARTMENT_APPLICANT, org=city.dept_b),
        b_head=city.user(Role.DEPARTMENT_HEAD, org=city.dept_b),
        system=system_for(city.dept_a),
        b_system=system_for(city.dept_b, name="乙局系统"),
    )


def host_row(quantity: int = 2, **spec) -> services.ItemInput:
    return services.ItemInput(catalog_item=item("host"), quantity=quantity, spec={**HOST_SPEC, **spec})


def new_application(
    wf: Workflow,
    *,
    rows=None,
    environment: str = Environment.TEST,
    system=None,
    actor=None,
    purpose: str = "政务服务平台扩容",
    **fields,
) -> Application:
    fields.setdefault("contact_name", "孙申请")
    fields.setdefault("contact_phone", "0523-86830001")
    return services.application_create(
        actor=actor or wf.applicant,
        kind=fields.pop("kind", ApplicationKind.NEW),
        system=system or wf.system,
        purpose=purpose,
        environment=environment,
        items=rows if rows is not None else [host_row()],
        **fields,
    )


def deliver(wf: Workflow, order: WorkOrder, *, actor=None, note: str = "") -> WorkOrder:
    """Claim and complete an order with exactly what was approved."""
    actor = actor or wf.provider
    order.refresh_from_db()
    if order.state == WorkOrderState.OPEN or order.claimed_by_id != actor.pk:
        delivery_services.work_order_claim(actor=actor, work_order=order)
    item_ = order.item
    if order.kind == WorkOrderKind.PROVISION:
        entries = []
        for n in range(item_.approved_quantity):
            addresses = [{"network": "extranet", "address": f"10.{order.pk % 250}.{n}.{item_.pk % 250}"}]
            public = (item_.approved_spec or {}).get("public_addresses")
            if public:
                addresses = [
                    {"network": "internet", "address": f"58.222.{order.pk % 250}.{n * 16 + k + 1}"}
                    for k in range(int(public))
                ]
            entries.append({"name": f"{order.number}-{n + 1}", "spec": item_.approved_spec, "addresses": addresses})
        return delivery_services.work_order_complete(actor=actor, work_order=order, delivered=entries, note=note)
    if order.kind == WorkOrderKind.CHANGE:
        return delivery_services.work_order_complete(
            actor=actor, work_order=order, delivered=[{"spec": item_.approved_spec}], note=note
        )
    return finish_termination(wf, order, actor=actor, note=note or "数据已移交，交接单 JJ-001")


def finish_termination(wf: Workflow, order: WorkOrder, *, actor=None, note: str = "销毁证明 XH-001") -> WorkOrder:
    """Art. 18: the provider submits the evidence (a certificate file for a destruction), the
    department confirms it, and the order completes."""
    from govcloud.delivery import evidence

    actor = actor or wf.provider
    order.refresh_from_db()
    if order.state == WorkOrderState.OPEN or order.claimed_by_id != actor.pk:
        delivery_services.work_order_claim(actor=actor, work_order=order)
    destruction = order.application.termination_mode == "destruction"
    upload = SimpleUploadedFile("destruction-certificate.pdf", PDF, content_type="application/pdf")
    evidence.termination_evidence_submit(
        actor=actor, work_order=order, statement=note, upload=upload if destruction else None
    )
    org_path = order.application.organization.path
    confirmer = wf.head if org_path.startswith(wf.head.organization.path) else wf.b_head
    return evidence.termination_evidence_confirm(actor=confirmer, work_order=order)


# The path through the lifecycle, and the step that leaves each state on it.
PATH = [S.DRAFT, S.AWAITING_SIGNOFF, S.SUBMITTED, S.ACCEPTED, S.IN_DELIVERY, S.DELIVERED, S.IN_SERVICE]


def advance(wf: Workflow, application: Application, to: str) -> Application:
    """Drive an application forward to `to` through the services, as the right people would."""
    app = Application.objects.get(pk=application.pk)
    targets = {
        S.RETURNED: PATH[:2],
        S.REJECTED: PATH[:3],
        S.CANCELLED: [],
        S.TEST_FAILED: PATH[:5],
        S.COMPLETED: PATH[:5],
    }
    path = targets.get(to, PATH[: PATH.index(to)] if to in PATH else [])
    for state in path:
        app.refresh_from_db()
        if app.state != state:
            continue
        step(wf, app, state)
    app.refresh_from_db()
    if app.state == to:
        return app
    finishing = {
        S.RETURNED: lambda: services.application_return(actor=wf.reviewer, application=app, reasons="缺少说明"),
        S.REJECTED: lambda: services.application_reject(actor=wf.admin, application=app, reasons="资源已充足"),
        S.CANCELLED: lambda: services.application_cancel(actor=wf.applicant, application=app),
        S.TEST_FAILED: lambda: services.application_report_defects(
            actor=wf.applicant, application=app, defects="无法登录"
        ),
        S.COMPLETED: lambda: services.application_confirm_change(actor=wf.applicant, application=app),
    }
    if to in finishing and app.state != to:
        finishing[to]()
    app.refresh_from_db()
    assert app.state == to, (app.state, to)
    return app


def step(wf: Workflow, app: Application, state: str) -> None:
    if state == S.DRAFT:
        services.application_submit(actor=wf.applicant, application=app)
    elif state == S.AWAITING_SIGNOFF:
        services.application_sign_off(actor=wf.head, application=app)
    elif state == S.SUBMITTED:
        services.application_accept(actor=wf.reviewer, application=app)
    elif state == S.ACCEPTED:
        services.application_approve(actor=wf.admin, application=app)
    elif state == S.IN_DELIVERY:
        for order in WorkOrder.objects.filter(application=app).order_by("pk"):
            deliver(wf, order)
    elif state == S.DELIVERED:
        services.application_accept_delivery(actor=wf.applicant, application=app)


def in_service_resource(wf: Workflow, **spec):
    """A host in service in department A (through a whole application)."""
    app = advance(wf, new_application(wf, rows=[host_row(1, **spec)]), S.IN_SERVICE)
    return app.created_resources.get()


def api_for(user) -> APIClient:
    raw = api_token_for(user)
    client = APIClient()
    # Programs choose their language per request; the tests read the English messages.
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="en")
    return client


def later(days: int = 0, hours: int = 0):
    return timezone.now() + timedelta(days=days, hours=hours)
