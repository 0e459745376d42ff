"""The reconciliation part of the isolation harness (see tests/isolation.py): a run against an
in-memory cloud finds department A's host drifted; the discrepancy carries the marker in its cloud
reference (and its department's name)."""

from tests.isolation import MARKER, MISSING_INT, Kind, Probe


def populate(world) -> None:
    from django.test.utils import override_settings

    from govcloud.core.actors import SYSTEM
    from govcloud.ledger.tests.helpers import adopt
    from govcloud.reconciliation import services
    from govcloud.reconciliation.models import Discrepancy
    from govcloud.reconciliation.tests.fakes import FakeCloud

    resource = adopt(world.a_org, provider_ref="uuid-isolation", name=f"主机{MARKER}")
    cloud = FakeCloud("isolation")
    cloud.put(f"vm-{MARKER}", "uuid-isolation", vcpu=32)
    with override_settings(RECONCILIATION_DRIVERS={"isolation": cloud}):
        services.reconciliation_run(actor=SYSTEM)
    world.a_discrepancy = Discrepancy.objects.get(resource=resource)


def _pk(w):
    return {"pk": w.a_discrepancy.pk}


def _action(action):
    return lambda w: {"pk": w.a_discrepancy.pk, "action": action}


def _missing(w):
    return MISSING_INT


def _missing_action(w):
    return {**MISSING_INT, "action": "dismiss"}


ENDPOINTS = {
    # --- pages ---------------------------------------------------------------------------------------
    "reconciliation:discrepancy_list": Probe(Kind.LIST),
    # Starting a run is the center administrator's: 403 for everyone else.
    "reconciliation:run_now": Probe(Kind.LIST, methods=("post",)),
    "reconciliation:discrepancy_detail": Probe(Kind.DETAIL, _pk, _missing, owner_sees_marker=True),
    "reconciliation:discrepancy_action": Probe(
        Kind.DETAIL, _action("dismiss"), _missing_action, methods=("post",), data={"dismiss-reason": "x"}
    ),
    # --- REST API ------------------------------------------------------------------------------------
    "discrepancy-list": Probe(Kind.LIST),
    "discrepancy-detail": Probe(Kind.DETAIL, _pk, _missing, owner_sees_marker=True),
    "discrepancy-adopt": Probe(Kind.DETAIL, _pk, _missing, methods=("post",)),
    "discrepancy-open-incident": Probe(Kind.DETAIL, _pk, _missing, methods=("post",), data={"note": "x"}),
    "discrepancy-request-deletion": Probe(Kind.DETAIL, _pk, _missing, methods=("post",), data={"note": "x"}),
    "discrepancy-confirm-deletion": Probe(Kind.DETAIL, _pk, _missing, methods=("post",)),
    "discrepancy-dismiss": Probe(Kind.DETAIL, _pk, _missing, methods=("post",), data={"reason": "x"}),
    "reconciliation-run-list": Probe(Kind.LIST, methods=("get", "post")),
}
