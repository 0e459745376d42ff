"""Demo records of the provider assessment: the default scheme, a department's rating of a delivery,
last month's assessment finalized (with the provider's comment and the center's adjustment) and this
month's open for comments — all through the services, idempotent."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone

from govcloud.applications.models import Application, ApplicationState
from govcloud.assessment import services
from govcloud.assessment.models import Assessment, DeliveryRating
from govcloud.core.actors import SYSTEM
from govcloud.core.roles import DEPARTMENT_ROLES

logger = logging.getLogger(__name__)


def load_demo(*, orgs: dict, users: dict) -> None:
    center, provider = users.get("center_admin"), users.get("provider_ops")
    if center is None or provider is None:
        logger.info("assessment demo: no center administrator or provider engineer; nothing created")
        return
    scheme = services.scheme_seed_default(actor=SYSTEM)
    _rating(users)
    if Assessment.objects.exists():
        return
    today = timezone.localdate()
    this_month = today.replace(day=1)
    last_end = this_month - timedelta(days=1)
    last_start = last_end.replace(day=1)
    last = services.assessment_run(actor=center, scheme=scheme, period_start=last_start, period_end=last_end)
    key = next((r.key for r in last.results.all() if r.has_data), None)
    if key:
        services.assessment_dispute(
            actor=provider, assessment=last, key=key, text="部分记录为部门侧原因导致，申请复核。"
        )
        result = last.results.get(key=key)
        services.assessment_adjust(
            actor=center,
            assessment=last,
            key=key,
            score=min(100.0, (result.score or 0) + 10),
            reason="经核实，其中一单因部门未按时提供网络信息延误，酌情加分。",
        )
    services.assessment_finalize(actor=center, assessment=last)
    services.assessment_run(actor=center, scheme=scheme, period_start=this_month, period_end=today)


def _rating(users) -> None:
    app = (
        Application.objects.filter(state=ApplicationState.IN_SERVICE, delivery_rating__isnull=True)
        .select_related("organization")
        .order_by("pk")
        .first()
    )
    if app is None or DeliveryRating.objects.exists():
        return
    rater = next(
        (u for u in users.values() if u.organization_id == app.organization_id and u.roles & DEPARTMENT_ROLES), None
    )
    if rater is not None:
        services.delivery_rate(actor=rater, application=app, rating=4, comment="交付及时，文档齐全。")
