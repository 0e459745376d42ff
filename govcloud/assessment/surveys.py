"""The departments' periodic satisfaction survey (Art. 6): the center's questions, rounds that freeze
them for a period (a quarter by default, Policy.SURVEY_INTERVAL_MONTHS), one answer per department
and round, and the satisfaction indicator fed by the answers with its response rate."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from govcloud.assessment.indicators import IndicatorValue, percent, rated_average, register
from govcloud.assessment.models import (
    ASSESSORS,
    READERS,
    Dimension,
    SurveyQuestion,
    SurveyResponse,
    SurveyRound,
    SurveyRoundState,
)
from govcloud.audit.services import audit_record
from govcloud.core.actors import Actor, actor_roles, is_system
from govcloud.core.errors import StateConflict
from govcloud.core.permissions import require_role
from govcloud.core.policy import Policy, policy_value
from govcloud.core.roles import DEPARTMENT_ROLES
from govcloud.core.scoping import OutOfScope

DEFAULT_QUESTIONS = [
    "云服务商响应申请、变更和故障的及时性",
    "云资源交付的质量与规范性",
    "云平台运行的稳定性与性能",
    "服务人员的专业水平与沟通态度",
    "对本季度云服务的总体满意度",
]
SCORES = range(1, 6)


def _name(actor: Actor) -> str:
    if is_system(actor):
        return _("System")
    return (getattr(actor, "full_name", "") or actor.get_username())[:150]


def _department_orgs() -> QuerySet:
    from govcloud.organizations.models import Organization, OrganizationKind

    return Organization.objects.filter(kind=OrganizationKind.DEPARTMENT, is_active=True)


# --- Questions -------------------------------------------------------------------------------------


def survey_questions_seed() -> int:
    """The default questions when there are none (idempotent); how many were created."""
    if SurveyQuestion.objects.exists():
        return 0
    SurveyQuestion.objects.bulk_create(SurveyQuestion(text=t, position=n) for n, t in enumerate(DEFAULT_QUESTIONS))
    return len(DEFAULT_QUESTIONS)


def survey_questions_set(*, actor: Actor, texts: list[str]) -> list[SurveyQuestion]:
    """The center sets the questions the next rounds ask, in order. Questions kept word for word
    keep their identity; the others are retired (rounds already opened keep their frozen copy)."""
    require_role(actor, ASSESSORS)
    texts = [t.strip()[:300] for t in texts if t and t.strip()]
    if not texts or len(set(texts)) != len(texts):
        raise ValidationError({"questions": _("Give at least one question, each once.")})
    with transaction.atomic():
        existing = {q.text: q for q in SurveyQuestion.objects.select_for_update()}
        before = [q.text for q in existing.values() if q.is_active]
        kept = []
        for n, text in enumerate(texts):
            q = existing.pop(text, None) or SurveyQuestion(text=text)
            q.position, q.is_active = n, True
            q.save()
            kept.append(q)
        SurveyQuestion.objects.filter(pk__in=[q.pk for q in existing.values()]).update(is_active=False)
        audit_record(actor=actor, action="survey_questions.set", target=kept[0], changes={"questions": [before, texts]})
    return kept


# --- Rounds ----------------------------------------------------------------------------------------


def survey_round_open(*, actor: Actor, period_start: date, period_end: date) -> SurveyRound:
    """Open a round about a period: the active questions are frozen into it, every active
    department is asked, answers are due in Policy.SURVEY_ANSWER_DAYS days."""
    require_role(actor, ASSESSORS)
    if period_end < period_start:
        raise ValidationError({"period_end": _("The period ends before it starts.")})
    questions = [{"id": q.pk, "text": q.text} for q in SurveyQuestion.objects.filter(is_active=True)]
    if not questions:
        raise ValidationError({"questions": _("Give at least one question, each once.")})
    now = timezone.now()
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = SurveyRound.objects.create(
                    period_start=period_start,
                    period_end=period_end,
                    questions=questions,
                    invited=_department_orgs().count(),
                    opened_at=now,
                    closes_at=now + timedelta(days=int(policy_value(Policy.SURVEY_ANSWER_DAYS))),
                    opened_by=_name(actor),
                )
        except IntegrityError:
            raise StateConflict(_("A survey round for this period already exists.")) from None
        audit_record(
            actor=actor,
            action="survey_round.open",
            target=row,
            changes={"period": [str(period_start), str(period_end)], "questions": len(questions)},
        )
    return row


def survey_round_close(*, actor: Actor, survey: SurveyRound) -> SurveyRound:
    require_role(actor, ASSESSORS)
    with transaction.atomic():
        row = SurveyRound.objects.select_for_update().get(pk=survey.pk)
        if not row.is_open:
            raise StateConflict(_("This survey round is closed."))
        row.state = SurveyRoundState.CLOSED
        row.save(update_fields=["state"])
        audit_record(
            actor=actor,
            action="survey_round.close",
            target=row,
            changes={"state": [SurveyRoundState.OPEN, SurveyRoundState.CLOSED]},
        )
    return row


def previous_period(today: date, months: int) -> tuple[date, date]:
    """The last whole period of `months` months (aligned on January) before the one `today` is in."""
    index = today.year * 12 + today.month - 1
    current = index - index % months
    start = current - months
    return date(start // 12, start % 12 + 1, 1), date(current // 12, current % 12 + 1, 1) - timedelta(days=1)


def survey_rounds_due(*, actor: Actor, today: date | None = None) -> dict[str, int]:
    """The daily task: close rounds whose answers are overdue, open the round about the period that
    just ended when there is none yet."""
    today = today or timezone.localdate()
    closed = 0
    for row in SurveyRound.objects.filter(state=SurveyRoundState.OPEN, closes_at__lt=timezone.now()):
        survey_round_close(actor=actor, survey=row)
        closed += 1
    start, end = previous_period(today, int(policy_value(Policy.SURVEY_INTERVAL_MONTHS)))
    opened = 0
    if (
        SurveyQuestion.objects.filter(is_active=True).exists()
        and not SurveyRound.objects.filter(period_start=start, period_end=end).exists()
    ):
        survey_round_open(actor=actor, period_start=start, period_end=end)
        opened = 1
    return {"opened": opened, "closed": closed}


def survey_answer(*, actor: Actor, survey: SurveyRound, answers: dict[int, tuple[int, str]]) -> SurveyResponse:
    """A department answers a round once: a score from 1 to 5 for every question, comments optional."""
    require_role(actor, DEPARTMENT_ROLES)
    org = getattr(actor, "organization", None)
    if org is None:
        raise ValidationError(_("Only a department can answer the survey."))
    with transaction.atomic():
        row = SurveyRound.objects.select_for_update().get(pk=survey.pk)
        if not row.is_open or timezone.now() > row.closes_at:
            raise StateConflict(_("This survey round is closed."))
        clean = []
        for q in row.questions:
            score, comment = answers.get(q["id"], (None, ""))
            try:
                score = int(score)
            except (TypeError, ValueError):
                score = 0
            if score not in SCORES:
                raise ValidationError({"answers": _("Rate every question from 1 to 5.")})
            clean.append({"id": q["id"], "score": score, "comment": (comment or "").strip()[:1000]})
        if SurveyResponse.objects.filter(round=row, organization=org).exists():
            raise StateConflict(_("Your department has already answered this survey."))
        response = SurveyResponse.objects.create(
            round=row,
            organization=org,
            answers=clean,
            average=round(sum(a["score"] for a in clean) / len(clean), 2),
            answered_by=actor,
            answered_at=timezone.now(),
        )
        audit_record(
            actor=actor,
            action="survey_response.create",
            target=row,
            changes={"answers": clean},
            subject_organization_path=org.path,
        )
    return response


# --- Reads -----------------------------------------------------------------------------------------


def can_manage(user) -> bool:
    return bool(actor_roles(user) & ASSESSORS)


def can_read_all(user) -> bool:
    return bool(actor_roles(user) & READERS)


def is_department(user) -> bool:
    return bool(actor_roles(user) & DEPARTMENT_ROLES) and getattr(user, "organization_id", None) is not None


def round_list(*, user) -> QuerySet[SurveyRound]:
    """Everyone who reads assessments sees every round with its figures; a department sees the
    rounds (to answer them); others none."""
    if not (can_read_all(user) or is_department(user)):
        return SurveyRound.objects.none()
    return SurveyRound.objects.annotate(answered=Count("responses")).order_by("-period_start", "-pk")


def round_get(*, user, pk) -> SurveyRound:
    try:
        return round_list(user=user).get(pk=pk)
    except (SurveyRound.DoesNotExist, ValueError, TypeError) as exc:
        raise OutOfScope(SurveyRound, {"pk": pk}, SurveyRound.objects.filter(pk=pk).exists()) from exc


def round_responses(*, user, survey: SurveyRound) -> list[SurveyResponse]:
    """The center and readers see every department's answers; a department its own."""
    rows = SurveyResponse.objects.filter(round=survey).select_related("organization", "answered_by")
    if not can_read_all(user):
        rows = rows.filter(organization_id=getattr(user, "organization_id", None))
    return list(rows)


def question_figures(survey: SurveyRound, responses: list[SurveyResponse]) -> list[dict]:
    """Per question: average score, number of answers, comments."""
    scores: dict[int, list[int]] = defaultdict(list)
    comments: dict[int, list[str]] = defaultdict(list)
    for r in responses:
        for a in r.answers:
            scores[a["id"]].append(a["score"])
            if a.get("comment"):
                comments[a["id"]].append(a["comment"])
    return [
        {
            "text": q["text"],
            "average": round(sum(scores[q["id"]]) / len(scores[q["id"]]), 2) if scores[q["id"]] else None,
            "answers": len(scores[q["id"]]),
            "comments": comments[q["id"]],
        }
        for q in survey.questions
    ]


def averages(rounds) -> dict[int, float | None]:
    """Average score per round id in one query."""
    out: dict[int, list[float]] = defaultdict(list)
    for round_id, avg in SurveyResponse.objects.filter(round__in=rounds).values_list("round_id", "average"):
        out[round_id].append(avg)
    return {pk: round(sum(v) / len(v), 2) for pk, v in out.items()}


# --- The indicator ---------------------------------------------------------------------------------


@register(
    key="survey_satisfaction",
    dimension=Dimension.SATISFACTION,
    label=gettext_lazy("Survey satisfaction"),
    formula=gettext_lazy(
        "Average of the departments' survey answers (1–5, each department's mean over the questions) "
        "for the rounds about periods ending within the assessment period; response rate = "
        "departments that answered ÷ departments asked"
    ),
    unit=gettext_lazy("points (1–5)"),
    higher_is_better=True,
    evidence_model="assessment.SurveyResponse",
)
def survey_satisfaction(period_start: date, period_end: date) -> IndicatorValue:
    rounds = list(
        SurveyRound.objects.filter(period_end__gte=period_start, period_end__lte=period_end).values_list(
            "pk", "period_start", "period_end", "invited"
        )
    )
    if not rounds:
        return IndicatorValue(value=None)
    rows = list(
        SurveyResponse.objects.filter(round_id__in=[r[0] for r in rounds]).values_list("pk", "round_id", "average")
    )
    invited = sum(r[3] for r in rounds)
    per_round: dict[int, list[float]] = defaultdict(list)
    for _pk, round_id, avg in rows:
        per_round[round_id].append(avg)
    table = {
        "title": gettext_noop("Survey rounds"),
        "columns": [
            gettext_noop("period"),
            gettext_noop("departments asked"),
            gettext_noop("answered"),
            gettext_noop("response rate"),
            gettext_noop("average"),
        ],
        "rows": [
            [
                f"{start:%Y-%m-%d}–{end:%Y-%m-%d}",
                asked,
                len(per_round[pk]),
                percent(len(per_round[pk]), asked),
                round(sum(per_round[pk]) / len(per_round[pk]), 2) if per_round[pk] else None,
            ]
            for pk, start, end, asked in rounds
        ],
    }
    figures = {
        "average": sum(r[2] for r in rows) / len(rows) if rows else None,
        "rated": len(rows),
        "invited": invited,
    }
    return rated_average(
        figures, asked="invited", rated=[(pk, avg) for pk, _round, avg in rows], breakdown={"tables": [table]}
    )
