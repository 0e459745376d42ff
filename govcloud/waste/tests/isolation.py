"""The waste-control part of the isolation harness (see tests/isolation.py): department A's resource
(the ledger's, its name carrying the marker) has an open rightsizing advice and a term due soon.
Department B's users must not see them in any list, page or chart, nor act on them."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from tests.isolation import MISSING_INT, Kind, Probe


def populate(world) -> None:
    from govcloud.waste.models import Expiry, RightsizingAdvice

    now = timezone.now()
    world.waste_advice = RightsizingAdvice.objects.create(
        resource=world.a_resource,
        computed_at=now,
        window_days=30,
        days=30,
        cpu_peak=12.5,
        memory_peak=20.0,
        headroom_percent=30,
        current_vcpu=8,
        current_memory_gb=16,
        recommended_vcpu=2,
        recommended_memory_gb=8,
        current_monthly=Decimal("700.00"),
        recommended_monthly=Decimal("250.00"),
        monthly_saving=Decimal("450.00"),
        series=[[(now - timedelta(days=1)).date().isoformat(), 12.5, 20.0]],
    )
    world.waste_expiry = Expiry.objects.create(
        resource=world.a_resource, needed_until=(now + timedelta(days=5)).date(), warned_days=[30, 7], created_at=now
    )


def _advice(w):
    return {"pk": w.waste_advice.pk}


def _expiry(w):
    return {"pk": w.waste_expiry.pk}


def _missing(w):
    return MISSING_INT


ENDPOINTS = {
    # --- pages ---------------------------------------------------------------------------------------
    "waste:advice_list": Probe(Kind.LIST),
    # Computing on demand: a department computes its own resources' advice only.
    "waste:advice_generate": Probe(Kind.LIST, methods=("post",)),
    "waste:advice_detail": Probe(Kind.DETAIL, _advice, _missing, owner_sees_marker=True),
    "waste:advice_accept": Probe(Kind.DETAIL, _advice, _missing, methods=("post",)),
    "waste:advice_dismiss": Probe(Kind.DETAIL, _advice, _missing, methods=("post",), data={"reason": "不需要"}),
    "waste:expiry_list": Probe(Kind.LIST),
    "waste:expiry_detail": Probe(Kind.DETAIL, _expiry, _missing, owner_sees_marker=True),
    "waste:expiry_confirm": Probe(Kind.DETAIL, _expiry, _missing, methods=("post",)),
    "waste:expiry_extend": Probe(
        Kind.DETAIL, _expiry, _missing, methods=("get", "post"), data={"needed_until": "2030-12-31"}
    ),
    # --- REST API ------------------------------------------------------------------------------------
    "rightsizing-advice-list": Probe(Kind.LIST),
    "rightsizing-advice-detail": Probe(Kind.DETAIL, _advice, _missing, owner_sees_marker=True),
    "rightsizing-advice-accept": Probe(Kind.DETAIL, _advice, _missing, methods=("post",)),
    "rightsizing-advice-dismiss": Probe(Kind.DETAIL, _advice, _missing, methods=("post",), data={"reason": "不需要"}),
    "expiry-list": Probe(Kind.LIST),
    "expiry-detail": Probe(Kind.DETAIL, _expiry, _missing, owner_sees_marker=True),
    "expiry-confirm": Probe(Kind.DETAIL, _expiry, _missing, methods=("post",)),
    "expiry-extend": Probe(Kind.DETAIL, _expiry, _missing, methods=("post",), data={"needed_until": "2030-12-31"}),
}
