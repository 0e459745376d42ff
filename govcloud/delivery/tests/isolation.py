"""The delivery part of the isolation harness (see tests/isolation.py). Department A's provision
work order is made by the applications registry's populate (an approved application); this one
adds A's termination work order with its destruction certificate (the marker in the file and the
provider's statement, Art. 18)."""

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.isolation import MARKER, MISSING_INT, Kind, Probe

CERTIFICATE = b"%PDF-1.4\n% " + MARKER.encode() + b"\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def populate(world) -> None:
    from govcloud.applications import services
    from govcloud.applications.tests.helpers import HOST_SPEC, seed_catalog
    from govcloud.catalog.models import CatalogItem
    from govcloud.core.actors import SYSTEM
    from govcloud.core.roles import Role
    from govcloud.delivery import evidence
    from govcloud.delivery import services as delivery
    from govcloud.ledger.services import resource_adopt
    from govcloud.systems.models import InformationSystem

    seed_catalog()
    city = world.city
    system = InformationSystem.objects.create(
        organization=world.a_org, name=f"终止系统{MARKER}", protection_level=2, hosting_status="on_platform"
    )
    resource = resource_adopt(
        actor=SYSTEM,
        organization=world.a_org,
        catalog_item=CatalogItem.objects.get(code="host"),
        spec=dict(HOST_SPEC),
        name=f"待终止主机{MARKER}",
        system=system,
    )
    application = services.application_create(
        actor=world.a_user,
        kind="termination",
        system=system,
        purpose=f"终止{MARKER}",
        environment="test",
        contact_name=f"联系人{MARKER}",
        contact_phone="0523-86830009",
        items=[services.ItemInput(target_resource=resource)],
        termination_mode="destruction",
        termination_date=date.today(),
    )
    services.application_submit(actor=world.a_user, application=application)
    services.application_sign_off(actor=city.user(Role.DEPARTMENT_HEAD, org=world.a_org), application=application)
    services.application_accept(actor=city.user(Role.CENTER_REVIEWER), application=application)
    services.application_approve(actor=city.user(Role.CENTER_ADMIN), application=application)
    order = application.work_orders.get()
    provider = city.user(Role.PROVIDER_OPERATOR)
    delivery.work_order_claim(actor=provider, work_order=order)
    evidence.termination_evidence_submit(
        actor=provider,
        work_order=order,
        statement=f"销毁{MARKER}",
        upload=SimpleUploadedFile(f"销毁证明{MARKER}.pdf", CERTIFICATE, content_type="application/pdf"),
    )
    world.a_termination_order = order


def _order():
    return lambda w: {"pk": w.a_work_order.pk}


def _missing(w):
    return MISSING_INT


def _termination():
    return lambda w: {"pk": w.a_termination_order.pk}


_ENDPOINTS = {
    "delivery:work_order_list": Probe(Kind.LIST),
    "delivery:work_order_detail": Probe(Kind.DETAIL, _order(), _missing, owner_sees_marker=True),
    "delivery:work_order_claim": Probe(Kind.DETAIL, _order(), _missing, methods=("post",)),
    "delivery:work_order_note": Probe(Kind.DETAIL, _order(), _missing, methods=("post",)),
    "delivery:work_order_complete": Probe(Kind.DETAIL, _order(), _missing, methods=("post",)),
    "delivery:work_order_retry": Probe(Kind.DETAIL, _order(), _missing, methods=("post",)),
    "delivery:evidence_submit": Probe(Kind.DETAIL, _termination(), _missing, methods=("post",)),
    "delivery:evidence_confirm": Probe(Kind.DETAIL, _termination(), _missing, methods=("post",)),
    "delivery:evidence_reject": Probe(Kind.DETAIL, _termination(), _missing, methods=("post",)),
    "delivery:evidence_file": Probe(Kind.DETAIL, _termination(), _missing, owner_sees_marker=True),
    "work-order-list": Probe(Kind.LIST),
    "work-order-detail": Probe(Kind.DETAIL, _order(), _missing, owner_sees_marker=True),
    "work-order-claim": Probe(Kind.DETAIL, _order(), _missing, methods=("post",)),
    "work-order-note": Probe(Kind.DETAIL, _order(), _missing, methods=("post",)),
    "work-order-complete": Probe(Kind.DETAIL, _order(), _missing, methods=("post",)),
    "work-order-retry": Probe(Kind.DETAIL, _order(), _missing, methods=("post",)),
    "work-order-evidence": Probe(Kind.DETAIL, _termination(), _missing, methods=("post",)),
    "work-order-evidence-confirm": Probe(Kind.DETAIL, _termination(), _missing, methods=("post",)),
    "work-order-evidence-reject": Probe(Kind.DETAIL, _termination(), _missing, methods=("post",)),
    "work-order-evidence-file": Probe(Kind.DETAIL, _termination(), _missing, owner_sees_marker=True),
}

ENDPOINTS = _ENDPOINTS
