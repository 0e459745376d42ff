"""The delivery part of the isolation harness (see tests/isolation.py). Department A's work order
is made by the applications registry's populate (an approved application); nothing to add here."""

from tests.isolation import MISSING_INT, Kind, Probe


def populate(world) -> None:
    return None


def _order():
    return lambda w: {"pk": w.a_work_order.pk}


def _missing(w):
    return MISSING_INT


_ENDPOINTS = {
    "delivery:work_order_list": Probe(Kind.LIST),
    "delivery:work_order_detail": Probe(Kind.DETAIL, _order(), _missing, owner_sees_marker=True),
    "delivery:work_order_claim": Probe(Kind.DETAIL, _order(), _missing, methods=("post",)),
    "delivery:work_order_note": Probe(Kind.DETAIL, _order(), _missing, methods=("post",)),
    "delivery:work_order_complete": Probe(Kind.DETAIL, _order(), _missing, methods=("post",)),
    "delivery:work_order_retry": Probe(Kind.DETAIL, _order(), _missing, methods=("post",)),
    "delivery:evidence_submit": Probe(Kind.DETAIL, _order(), _missing, methods=("post",)),
    "delivery:evidence_confirm": Probe(Kind.DETAIL, _order(), _missing, methods=("post",)),
    "delivery:evidence_reject": Probe(Kind.DETAIL, _order(), _missing, methods=("post",)),
    "delivery:evidence_file": Probe(Kind.DETAIL, _order(), _missing),
    "work-order-list": Probe(Kind.LIST),
    "work-order-detail": Probe(Kind.DETAIL, _order(), _missing, owner_sees_marker=True),
    "work-order-claim": Probe(Kind.DETAIL, _order(), _missing, methods=("post",)),
    "work-order-note": Probe(Kind.DETAIL, _order(), _missing, methods=("post",)),
    "work-order-complete": Probe(Kind.DETAIL, _order(), _missing, methods=("post",)),
    "work-order-retry": Probe(Kind.DETAIL, _order(), _missing, methods=("post",)),
    "work-order-evidence": Probe(Kind.DETAIL, _order(), _missing, methods=("post",)),
    "work-order-evidence-confirm": Probe(Kind.DETAIL, _order(), _missing, methods=("post",)),
    "work-order-evidence-reject": Probe(Kind.DETAIL, _order(), _missing, methods=("post",)),
    "work-order-evidence-file": Probe(Kind.DETAIL, _order(), _missing),
}

ENDPOINTS = _ENDPOINTS
