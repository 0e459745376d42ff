"""The ledger part of the isolation harness (see tests/isolation.py): department A owns a resource
(with the marker in its name, address and history) and a quota (marker in its note)."""

from tests.isolation import MARKER, MISSING_INT, Kind, Probe


def populate(world) -> None:
    from govcloud.catalog import services as catalog_services
    from govcloud.catalog.models import CatalogItem
    from govcloud.catalog.seed import seed_annex1
    from govcloud.catalog.tests.helpers import HOST_SPEC
    from govcloud.core.actors import SYSTEM
    from govcloud.ledger import services

    seed_annex1()
    world.a_resource = services.resource_adopt(
        actor=SYSTEM,
        organization=world.a_org,
        catalog_item=CatalogItem.objects.get(code="host"),
        spec=dict(HOST_SPEC),
        name=f"服务器{MARKER}",
        addresses=[{"network": "extranet", "address": "10.32.9.9", "domain": f"{MARKER.lower()}.tz.gov.cn"}],
        note=f"登记{MARKER}",
    )
    world.a_quota = catalog_services.quota_set(actor=SYSTEM, organization=world.a_org, vcpu=64, note=f"配额{MARKER}")


def _pk(name):
    return lambda w: {"pk": getattr(w, name).pk}


def _missing(w):
    return MISSING_INT


ENDPOINTS = {
    # --- pages ---------------------------------------------------------------------------------------
    "ledger:resource_list": Probe(Kind.LIST),
    "ledger:resource_detail": Probe(Kind.DETAIL, _pk("a_resource"), _missing, owner_sees_marker=True),
    "ledger:totals": Probe(Kind.LIST),
    "ledger:export": Probe(Kind.LIST, methods=("post",), data={"format": "csv"}),
    "ledger:quota_list": Probe(Kind.LIST),
    # Setting a quota is the center administrator's: 403 before anything is looked up.
    "ledger:quota_edit": Probe(Kind.DETAIL, _pk("a_org"), _missing, methods=("get", "post")),
    # --- REST API ------------------------------------------------------------------------------------
    "resource-list": Probe(Kind.LIST),
    "resource-detail": Probe(Kind.DETAIL, _pk("a_resource"), _missing, owner_sees_marker=True),
    "resource-history": Probe(Kind.DETAIL, _pk("a_resource"), _missing, owner_sees_marker=True),
    "resource-totals": Probe(Kind.LIST),
    "resource-export": Probe(Kind.LIST, methods=("post",), data={"format": "csv"}),
    "quota-list": Probe(Kind.LIST),
    "quota-detail": Probe(
        Kind.DETAIL, _pk("a_quota"), _missing, methods=("get", "patch"), data={"vcpu": 1}, owner_sees_marker=True
    ),
}
