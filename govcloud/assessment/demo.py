"""Demo records of the provider assessment: the default scheme, a department's rating of a delivery,
last quarter's survey round answered by some departments,
last quarter's assessment finalized (with the provider's comment and the center's adjustment) and this
month's open for comments — all through the services, idempotent."""

from __future__ import annotations

import logging

from django.utils import timezone

from govcloud.applications.models import Application, ApplicationState
from govcloud.assessment import services, surveys
from govcloud.assessment.models import Assessment, DeliveryRating, SurveyRound
from govcloud.core.actors import SYSTEM
from govcloud.core.policy import Policy, policy_value
from govcloud.core.roles import DEPARTMENT_ROLES

logger = logging.getLogger(__name__)


def load_demo(*, orgs: dict, users: dict) -> None:
    center, provider = users.get("center_admin"), users.get("provider_ops")
    if center is None or provider is None:
        logger.info("assessment demo: no center administrator or provider engineer; nothing created")
        return
    scheme = services.scheme_seed_default(actor=SYSTEM)
    _rating(users)
    quarter = _survey(center, users)
    if Assessment.objects.exists():
        return
    today = timezone.localdate()
    this_month = today.replace(day=1)
    # The scheme is quarterly: last quarter's assessment, finalized, with last quarter's survey in it.
    last_start, last_end = quarter
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


COMMENTS = ["响应及时，沟通顺畅。", "", "资源交付偶有延迟，希望改进。", "夜间故障处理较慢。"]


def _survey(center, users):
    """Last quarter's survey round, answered by some of the departments (so the response rate shows)."""
    surveys.survey_questions_seed()
    start, end = surveys.previous_period(timezone.localdate(), int(policy_value(Policy.SURVEY_INTERVAL_MONTHS)))
    row = SurveyRound.objects.filter(period_start=start, period_end=end).first()
    if row is None:
        row = surveys.survey_round_open(actor=center, period_start=start, period_end=end)
    answered = set(row.responses.values_list("organization_id", flat=True))
    raters = {}
    for user in users.values():
        if user.roles & DEPARTMENT_ROLES and user.organization_id not in answered:
            raters.setdefault(user.organization_id, user)
    for n, user in enumerate(list(raters.values())[:3]):
        scores = [5 - (n + i) % 3 for i in range(len(row.questions))]
        surveys.survey_answer(
            actor=user,
            survey=row,
            answers={
                q["id"]: (score, COMMENTS[(n + i) % len(COMMENTS)])
                for i, (q, score) in enumerate(zip(row.questions, scores, strict=True))
            },
        )
    return start, end


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
