"""Writes of the provider's assessment (Art. 5, 6, 20): scheme versions, the departments' delivery
ratings, and assessment runs with the provider's comments, the center's adjustments and finalizing.
Every transition is checked against ASSESSMENT_TRANSITIONS and leaves one audit event and one
timeline entry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govcloud.assessment import scoring
from govcloud.assessment.indicators import REGISTRY
from govcloud.assessment.models import (
    ASSESSMENT_TRANSITIONS,
    ASSESSORS,
    Assessment,
    AssessmentAction,
    AssessmentEntry,
    AssessmentResult,
    AssessmentScheme,
    AssessmentState,
    DeliveryRating,
    Dimension,
    EntryKind,
    PeriodKind,
    RuleKind,
    SchemeIndicator,
)
from govcloud.audit.services import audit_record
from govcloud.core.actors import Actor, actor_roles, is_system
from govcloud.core.errors import StateConflict
from govcloud.core.permissions import require_role
from govcloud.core.policy import Policy, policy_value
from govcloud.core.roles import DEPARTMENT_ROLES
from govcloud.core.scoping import Action, get_scoped_or_404
from govcloud.workdays.selectors import deadline_from

DEFAULT_FAMILY = "provider"
DEFAULT_GRADES = [[90, "优秀"], [80, "良好"], [60, "合格"], [0, "不合格"]]


@dataclass(frozen=True)
class IndicatorInput:
    key: str
    weight: Decimal | float | int
    rule: str
    params: dict


def _lin(best, worst) -> dict:
    return {"best": best, "worst": worst}


def _steps(steps, higher_is_better=True) -> dict:
    return {"steps": steps, "higher_is_better": higher_is_better}


L, T = RuleKind.LINEAR, RuleKind.THRESHOLDS
DEFAULT_INDICATORS = [
    IndicatorInput("delivery_on_time", 12, L, _lin(100, 80)),
    IndicatorInput("delivery_days_median", 4, L, _lin(1, 2)),
    IndicatorInput("delivery_days_p90", 4, L, _lin(2, 4)),
    IndicatorInput("incident_response_on_time", 8, L, _lin(100, 80)),
    IndicatorInput("incident_response_median", 4, L, _lin(2, 10)),
    IndicatorInput("incident_recovery_on_time", 8, L, _lin(100, 80)),
    IndicatorInput("incident_satisfaction", 8, L, _lin(5, 3)),
    IndicatorInput("delivery_satisfaction", 8, L, _lin(5, 3)),
    IndicatorInput("survey_satisfaction", 8, L, _lin(5, 3)),
    IndicatorInput("availability", 13, T, _steps([[99.99, 100], [99.9, 90], [99.5, 60]])),
    IndicatorInput("overload_alerts", 2, T, _steps([[0, 100], [3, 80], [10, 60]], False)),
    IndicatorInput("overload_hours", 1, L, _lin(0, 500)),
    IndicatorInput("incidents_per_100", 4, L, _lin(1, 10)),
    IndicatorInput("major_incidents", 5, T, _steps([[0, 100], [1, 60]], False)),
    IndicatorInput("repeat_faults", 3, T, _steps([[0, 100], [2, 80], [5, 50]], False)),
    IndicatorInput("bulletins_on_time", 3, T, _steps([[100, 100], [66, 60]])),
    IndicatorInput("drill_done", 2, T, _steps([[100, 100]])),
    IndicatorInput("rectifications_on_time", 2, L, _lin(100, 60)),
    IndicatorInput("sessions_without_grant", 1, T, _steps([[0, 100], [2, 60]], False)),
]


def _name(actor: Actor) -> str:
    if is_system(actor):
        return _("System")
    return (getattr(actor, "full_name", "") or actor.get_username())[:150]


def _user(actor: Actor):
    return None if is_system(actor) else actor


def _check_indicator(row: IndicatorInput) -> None:
    if row.key not in REGISTRY:
        raise ValidationError({"indicators": _("Unknown indicator %(key)s.") % {"key": row.key}})
    if Decimal(str(row.weight)) < 0:
        raise ValidationError({"indicators": _("A weight cannot be negative.")})
    try:
        scoring.score(row.rule, row.params, 0.0)
        if row.rule == RuleKind.LINEAR and float(row.params["best"]) == float(row.params["worst"]):
            raise ValueError
    except (KeyError, TypeError, ValueError):
        raise ValidationError(
            {"indicators": _("The scoring rule of %(key)s is incomplete.") % {"key": row.key}}
        ) from None


def _check_grades(grades) -> list:
    try:
        rows = sorted(([float(m), str(label).strip()] for m, label in grades), key=lambda g: -g[0])
    except (TypeError, ValueError):
        raise ValidationError({"grades": _("Each grade needs a minimum score and a name.")}) from None
    if not rows or any(not label for _m, label in rows) or rows[-1][0] > 0:
        raise ValidationError({"grades": _("Grades need names, and the lowest grade must start at 0.")})
    return rows


def _check_dimension_weights(weights: dict | None) -> dict:
    """Optional weights of the three dimensions; the indicators' weights then split each one."""
    if not weights:
        return {}
    out = {}
    for dim, raw in weights.items():
        if dim not in Dimension.values:
            raise ValidationError({"dimension_weights": _("Unknown dimension %(key)s.") % {"key": dim}})
        try:
            value = float(raw)
        except (TypeError, ValueError):
            value = -1.0
        if value < 0:
            raise ValidationError({"dimension_weights": _("A weight cannot be negative.")})
        out[dim] = value
    if not any(out.values()):
        return {}
    return out


def scheme_save(
    *,
    actor: Actor,
    name: str,
    period_kind: str,
    grades: list,
    indicators: list[IndicatorInput],
    family: str = DEFAULT_FAMILY,
    note: str = "",
    dimension_weights: dict | None = None,
) -> AssessmentScheme:
    """The center saves a scheme: always a new version; the previous one stays with the assessments
    that used it."""
    require_role(actor, ASSESSORS)
    name = (name or "").strip()[:100]
    if not name:
        raise ValidationError({"name": _("This field is required.")})
    if period_kind not in PeriodKind.values:
        raise ValidationError({"period_kind": _("Choose a period.")})
    grades = _check_grades(grades)
    dimension_weights = _check_dimension_weights(dimension_weights)
    if not indicators or len({i.key for i in indicators}) != len(indicators):
        raise ValidationError({"indicators": _("List each indicator once.")})
    for row in indicators:
        _check_indicator(row)
    if sum(Decimal(str(i.weight)) for i in indicators) <= 0:
        raise ValidationError({"indicators": _("The weights must add up to more than zero.")})
    with transaction.atomic():
        previous = AssessmentScheme.objects.select_for_update().filter(family=family).order_by("-version").first()
        version = previous.version + 1 if previous else 1
        AssessmentScheme.objects.filter(family=family, is_current=True).update(is_current=False)
        try:
            with transaction.atomic():
                scheme = AssessmentScheme.objects.create(
                    family=family,
                    version=version,
                    name=name,
                    period_kind=period_kind,
                    grades=grades,
                    dimension_weights=dimension_weights,
                    note=(note or "").strip()[:300],
                    created_by=_user(actor),
                )
        except IntegrityError:
            raise StateConflict(_("Someone saved this scheme a moment ago; reload and try again.")) from None
        SchemeIndicator.objects.bulk_create(
            SchemeIndicator(
                scheme=scheme, key=r.key, weight=Decimal(str(r.weight)), rule=r.rule, params=r.params, position=n
            )
            for n, r in enumerate(indicators)
        )
        audit_record(
            actor=actor,
            action="assessment_scheme.create",
            target=scheme,
            changes={
                "version": version,
                "indicators": [r.key for r in indicators],
                "grades": grades,
                "dimension_weights": dimension_weights,
            },
        )
    return scheme


def scheme_seed_default(*, actor: Actor) -> AssessmentScheme:
    """The default scheme, if there is none yet (idempotent)."""
    current = AssessmentScheme.objects.filter(family=DEFAULT_FAMILY, is_current=True).first()
    if current:
        return current
    return scheme_save(
        actor=actor,
        name="云服务商季度考核",
        period_kind=PeriodKind.QUARTERLY,
        grades=DEFAULT_GRADES,
        indicators=DEFAULT_INDICATORS,
        note="默认方案",
    )


# --- Delivery ratings (Art. 6) --------------------------------------------------------------------


def delivery_rate(*, actor: Actor, application, rating: int, comment: str = "") -> DeliveryRating:
    """The department rates a delivery once, after it accepted it into service."""
    from govcloud.applications.models import Application, ApplicationState

    require_role(actor, DEPARTMENT_ROLES)
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise ValidationError({"rating": _("Rate from 1 to 5.")})
    with transaction.atomic():
        app = get_scoped_or_404(Application.objects.select_for_update(), actor, Action.CHANGE, pk=application.pk)
        if app.state not in (ApplicationState.IN_SERVICE, ApplicationState.COMPLETED) or app.in_service_at is None:
            raise StateConflict(_("A delivery can be rated once it has been accepted into service."))
        if DeliveryRating.objects.filter(application=app).exists():
            raise StateConflict(_("This delivery has already been rated."))
        row = DeliveryRating.objects.create(
            application=app,
            organization=app.organization,
            rating=rating,
            comment=(comment or "").strip()[:2000],
            rated_by=_user(actor),
            rated_at=timezone.now(),
        )
        audit_record(
            actor=actor,
            action="delivery_rating.create",
            target=app,
            changes={"rating": rating, "comment": row.comment},
            subject_organization_path=app.organization.path,
        )
    return row


# --- Assessment runs ------------------------------------------------------------------------------


def _allowed(actor: Actor, assessment: Assessment, action: str) -> str:
    move = ASSESSMENT_TRANSITIONS.get((assessment.state, action))
    if move is None:
        raise StateConflict(_("This assessment has been finalized; it can no longer change."))
    target, roles = move
    require_role(actor, roles)
    return target


def _entry(assessment: Assessment, actor: Actor, kind: str, text: str = "", indicator: str = "") -> None:
    AssessmentEntry.objects.create(
        assessment=assessment, kind=kind, indicator=indicator, actor_name=_name(actor), text=text
    )


def _recompute(assessment: Assessment, results) -> None:
    rows = [scoring.Weighted(r.key, r.dimension, float(r.weight), r.score) for r in results]
    total = scoring.scheme_total(rows, assessment.scheme.dimension_weights)
    assessment.total = Decimal(str(total)) if total is not None else None
    assessment.dimension_scores = scoring.dimension_scores(rows)
    assessment.grade = scoring.grade_for(total, assessment.scheme.grades)


def _locked(assessment: Assessment) -> Assessment:
    return Assessment.objects.select_for_update().select_related("scheme").get(pk=assessment.pk)


def assessment_run(*, actor: Actor, scheme: AssessmentScheme, period_start: date, period_end: date) -> Assessment:
    """Compute every indicator of `scheme` for the period, score and grade it, and open it for the
    provider's comments for Policy.ASSESSMENT_DISPUTE_WORKING_DAYS working days."""
    require_role(actor, ASSESSORS)
    if period_end < period_start:
        raise ValidationError({"period_end": _("The period ends before it starts.")})
    if period_start > timezone.localdate():
        raise ValidationError({"period_start": _("The period has not started yet.")})
    indicators = list(scheme.indicators.all())
    now = timezone.now()
    due = deadline_from(now, int(policy_value(Policy.ASSESSMENT_DISPUTE_WORKING_DAYS))).due
    with transaction.atomic():
        assessment = Assessment.objects.create(
            scheme=scheme,
            period_start=period_start,
            period_end=period_end,
            dispute_due_at=due,
            run_by=_user(actor),
        )
        results = []
        for n, ind in enumerate(indicators):
            spec = REGISTRY[ind.key]
            measured = spec.compute(period_start, period_end)
            results.append(
                AssessmentResult(
                    assessment=assessment,
                    key=ind.key,
                    dimension=spec.dimension,
                    weight=ind.weight,
                    value=measured.value,
                    numerator=measured.numerator,
                    denominator=measured.denominator,
                    response_rate=measured.response_rate,
                    evidence=list(measured.evidence),
                    flagged=list(measured.flagged),
                    breakdown=measured.breakdown,
                    computed_score=scoring.score(ind.rule, ind.params, measured.value),
                    position=n,
                )
            )
        AssessmentResult.objects.bulk_create(results)
        _recompute(assessment, results)
        assessment.save(update_fields=["total", "dimension_scores", "grade"])
        audit_record(
            actor=actor,
            action="assessment.run",
            target=assessment,
            changes={
                "scheme": str(scheme),
                "period": [str(period_start), str(period_end)],
                "total": str(assessment.total),
                "grade": assessment.grade,
            },
        )
        _entry(
            assessment,
            actor,
            EntryKind.RUN,
            f"{assessment.total if assessment.total is not None else '—'} {assessment.grade}",
        )
    return assessment


def _result(assessment: Assessment, key: str) -> AssessmentResult:
    try:
        return assessment.results.select_for_update().get(key=key)
    except AssessmentResult.DoesNotExist:
        raise ValidationError({"indicator": _("This assessment has no such indicator.")}) from None


def assessment_dispute(*, actor: Actor, assessment: Assessment, key: str, text: str) -> AssessmentResult:
    """The provider comments on or disputes one indicator, within the comment period."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("This field is required.")})
    with transaction.atomic():
        assessment = _locked(assessment)
        _allowed(actor, assessment, AssessmentAction.DISPUTE)
        if timezone.now() > assessment.dispute_due_at:
            raise ValidationError(
                _("The period for comments ended on %(due)s.")
                % {"due": f"{timezone.localtime(assessment.dispute_due_at):%Y-%m-%d %H:%M}"}
            )
        result = _result(assessment, key)
        before = result.dispute
        result.dispute = text[:4000]
        result.disputed_at = timezone.now()
        result.save(update_fields=["dispute", "disputed_at"])
        audit_record(
            actor=actor,
            action="assessment.dispute",
            target=assessment,
            changes={"indicator": key, "dispute": [before, result.dispute]},
        )
        _entry(assessment, actor, EntryKind.DISPUTE, result.dispute, key)
    return result


def assessment_adjust(
    *, actor: Actor, assessment: Assessment, key: str, score: float | None, reason: str
) -> AssessmentResult:
    """The center sets an indicator's score by hand, with a written reason (None undoes it)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the adjustment.")})
    if score is not None:
        try:
            score = float(score)
        except (TypeError, ValueError):
            score = -1.0
        if not 0 <= score <= scoring.FULL_MARKS:
            raise ValidationError({"score": _("A score lies between 0 and 100.")})
    with transaction.atomic():
        assessment = _locked(assessment)
        _allowed(actor, assessment, AssessmentAction.ADJUST)
        result = _result(assessment, key)
        if not result.has_data:
            raise ValidationError({"indicator": _("An indicator without data cannot be scored.")})
        before = result.score
        result.adjusted_score = score
        result.adjust_reason = reason[:4000]
        result.save(update_fields=["adjusted_score", "adjust_reason"])
        old_total = assessment.total
        _recompute(assessment, list(assessment.results.all()))
        assessment.save(update_fields=["total", "dimension_scores", "grade", "updated_at"])
        audit_record(
            actor=actor,
            action="assessment.adjust",
            target=assessment,
            changes={
                "indicator": key,
                "score": [before, result.score],
                "total": [str(old_total), str(assessment.total)],
                "reason": reason,
            },
        )
        _entry(assessment, actor, EntryKind.ADJUST, f"{before} → {result.score}：{reason}", key)
    return result


def assessment_finalize(*, actor: Actor, assessment: Assessment) -> Assessment:
    """The center closes the assessment: its scores, comments and scheme version are kept as they are."""
    with transaction.atomic():
        assessment = _locked(assessment)
        target = _allowed(actor, assessment, AssessmentAction.FINALIZE)
        assessment.state = target
        assessment.finalized_at = timezone.now()
        assessment.finalized_by = _user(actor)
        assessment.save(update_fields=["state", "finalized_at", "finalized_by", "updated_at"])
        audit_record(
            actor=actor,
            action="assessment.finalize",
            target=assessment,
            changes={
                "state": [AssessmentState.OPEN, target],
                "total": str(assessment.total),
                "grade": assessment.grade,
            },
        )
        _entry(assessment, actor, EntryKind.FINALIZE, f"{assessment.total} {assessment.grade}")
    return assessment


def can(actor: Actor, assessment: Assessment, action: str) -> bool:
    move = ASSESSMENT_TRANSITIONS.get((assessment.state, action))
    return bool(move) and bool(actor_roles(actor) & move[1])
