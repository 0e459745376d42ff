"""Demo waste control; called by govcloud/web/demo.py after the monitoring demo.

- Rightsizing advice computed from the monitoring demo's thirty days (the idle traffic-violation
  front server shows the largest saving); one advice is dismissed with a department's reason, so
  the center's list shows what the departments answered.
- Terms: 海陵区's grid-governance test environment is needed for twelve more days (its hosts are
  warned), and its extranet access ended yesterday (a termination drafted for the district to
  confirm).

Idempotent: terms already set are kept; the sweep and the advice run again change nothing twice.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from govcloud.applications.models import ApplicationItem, ApplicationKind
from govcloud.catalog.models import ResourceKind
from govcloud.core.actors import SYSTEM
from govcloud.notifications.services import users_with_roles
from govcloud.waste import expiry, services
from govcloud.waste.models import ADVICE_DECIDERS, AdviceState, RightsizingAdvice

IDLE_SERVER = "交通违法-前置服务器"


def _terms(orgs: dict) -> None:
    hailing = orgs.get("hailing")
    if hailing is None:
        return
    today = timezone.localdate()
    items = ApplicationItem.objects.filter(
        application__organization=hailing, application__kind=ApplicationKind.NEW, needed_until__isnull=True
    ).select_related("catalog_item")
    for item in items:
        ends = (
            today - timedelta(days=1)
            if item.catalog_item.kind == ResourceKind.NETWORK_ACCESS
            else today + timedelta(days=12)
        )
        ApplicationItem.objects.filter(pk=item.pk).update(needed_until=ends)


def load_demo(*, orgs: dict, users: dict) -> None:
    _terms(orgs)
    expiry.expiry_sweep(actor=SYSTEM)
    if RightsizingAdvice.objects.exists():
        return
    services.advice_generate(actor=SYSTEM)
    # A department answers one advice with its reason (not the idle front server's: that one stays
    # open, the list's largest saving).
    candidates = (
        RightsizingAdvice.objects.filter(state=AdviceState.OPEN)
        .exclude(resource__name=IDLE_SERVER)
        .select_related("resource__organization")
        .order_by("monthly_saving", "pk")
    )
    for advice in candidates:
        person = users_with_roles(ADVICE_DECIDERS, advice.resource.organization).order_by("pk").first()
        if person is None:
            continue
        reason = (
            "每年三月、九月为业务高峰期，近30天数据未覆盖，暂保留现有规格。"
            if advice.monthly_saving > 0
            else "高峰集中在早八点放号时段，已通过分时段放号缓解，暂不扩容。"
        )
        services.advice_dismiss(actor=person, advice=advice, reason=reason)
        break
