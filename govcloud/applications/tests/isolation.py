"""The applications part of the isolation harness (see tests/isolation.py): department A's
application (the marker in its purpose), its item, its stamped form and its work order."""

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.isolation import MARKER, MISSING_INT, Kind, Probe

PDF = b"%PDF-1.4\n% " + MARKER.encode() + b"\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def populate(world) -> None:
    from govcloud.applications import services
    from govcloud.applications.tests.helpers import HOST_SPEC, seed_catalog
    from govcloud.catalog.models import CatalogItem
    from govcloud.core.roles import Role
    from govcloud.systems.models import InformationSystem

    seed_catalog()
    city = world.city
    system = InformationSystem.objects.create(
        organization=world.a_org, name=f"申请系统{MARKER}", protection_level=2, hosting_status="on_platform"
    )
    host = CatalogItem.objects.prefetch_related("options", "ranges").get(code="host")
    world.a_application = services.application_create(
        actor=world.a_user,
        system=system,
        purpose=f"用途{MARKER}",
        environment="test",
        contact_name=f"联系人{MARKER}",
        contact_phone="0523-86830009",
        items=[services.ItemInput(catalog_item=host, quantity=1, spec=HOST_SPEC)],
    )
    world.a_item = world.a_application.items.get()
    world.a_app_attachment = services.attachment_add(
        actor=world.a_user,
        application=world.a_application,
        upload=SimpleUploadedFile(f"盖章{MARKER}.pdf", PDF, content_type="application/pdf"),
    )
    head = city.user(Role.DEPARTMENT_HEAD, org=world.a_org)
    services.application_submit(actor=world.a_user, application=world.a_application)
    services.application_sign_off(actor=head, application=world.a_application)
    services.application_accept(actor=city.user(Role.CENTER_REVIEWER), application=world.a_application)
    services.application_approve(actor=city.user(Role.CENTER_ADMIN), application=world.a_application)
    world.a_work_order = world.a_application.work_orders.get()


def _pk(name):
    return lambda w: {"pk": getattr(w, name).pk}


def _missing(w):
    return MISSING_INT


def _step(action):
    return Probe(
        Kind.DETAIL,
        lambda w: {"pk": w.a_application.pk, "action": action},
        lambda w: {**MISSING_INT, "action": action},
        methods=("post",),
    )


def _api(methods=("post",), **kwargs):
    return Probe(Kind.DETAIL, _pk("a_application"), _missing, methods=methods, **kwargs)


_ENDPOINTS = {
    # --- pages ---------------------------------------------------------------------------------------
    "applications:application_list": Probe(Kind.LIST),
    "applications:inbox": Probe(Kind.LIST),
    "applications:application_create": Probe(Kind.SHARED, methods=("get", "post")),
    "applications:item_row": Probe(Kind.LIST, query="kind=change&index=0"),
    "applications:estimate": Probe(Kind.LIST, methods=("post",), data={"kind": "change"}),
    "applications:application_detail": Probe(Kind.DETAIL, _pk("a_application"), _missing, owner_sees_marker=True),
    "applications:application_edit": Probe(Kind.DETAIL, _pk("a_application"), _missing, methods=("get", "post")),
    "applications:application_approve": Probe(Kind.DETAIL, _pk("a_application"), _missing, methods=("post",)),
    "applications:attachment_upload": Probe(Kind.DETAIL, _pk("a_application"), _missing, methods=("post",)),
    "applications:application_step": _step("cancel"),
    "applications:attachment_download": Probe(Kind.DETAIL, _pk("a_app_attachment"), _missing, owner_sees_marker=True),
    # --- REST API ------------------------------------------------------------------------------------
    "application-list": Probe(Kind.LIST, methods=("get", "post")),
    "application-detail": _api(methods=("get", "patch"), owner_sees_marker=True),
    "application-submit": _api(),
    "application-sign-off": _api(),
    "application-send-back": _api(),
    "application-accept": _api(),
    "application-return-for-correction": _api(),
    "application-approve": _api(),
    "application-reject": _api(),
    "application-report-defects": _api(),
    "application-accept-delivery": _api(),
    "application-confirm-change": _api(),
    "application-cancel": _api(),
    "application-attachments": _api(),
    "application-gate": _api(methods=("get",)),
    "application-estimate": Probe(Kind.LIST, methods=("post",)),
    "application-inbox": Probe(Kind.LIST),
    "application-attachment-list": Probe(Kind.LIST),
    "application-attachment-detail": Probe(Kind.DETAIL, _pk("a_app_attachment"), _missing, owner_sees_marker=True),
    "application-attachment-download": Probe(Kind.DETAIL, _pk("a_app_attachment"), _missing, owner_sees_marker=True),
}

ENDPOINTS = _ENDPOINTS
