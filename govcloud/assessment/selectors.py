"""Reads of the provider's assessment. The center and the leading group see every assessment; the
provider sees its own (all of them: there is one provider); departments see none — out of scope
is a 404."""

from __future__ import annotations

from django.apps import apps
from django.db.models import QuerySet

from govcloud.assessment.indicators import REGISTRY
from govcloud.assessment.models import ASSESSED, READERS, Assessment, AssessmentResult, AssessmentScheme
from govcloud.core.actors import actor_roles
from govcloud.core.scoping import OutOfScope

VIEWERS = READERS | ASSESSED


def can_view(user) -> bool:
    return bool(actor_roles(user) & VIEWERS)


def assessment_list(*, user) -> QuerySet[Assessment]:
    if not can_view(user):
        return Assessment.objects.none()
    return Assessment.objects.select_related("scheme").order_by("-period_start", "-pk")


def assessment_get(*, user, pk) -> Assessment:
    try:
        return assessment_list(user=user).get(pk=pk)
    except (Assessment.DoesNotExist, ValueError, TypeError) as exc:
        raise OutOfScope(Assessment, {"pk": pk}, Assessment.objects.filter(pk=pk).exists()) from exc


def assessment_results(*, assessment: Assessment) -> list[AssessmentResult]:
    return list(assessment.results.all())


def scheme_list(*, user) -> QuerySet[AssessmentScheme]:
    if not can_view(user):
        return AssessmentScheme.objects.none()
    return AssessmentScheme.objects.prefetch_related("indicators")


def scheme_current(*, user) -> AssessmentScheme | None:
    return scheme_list(user=user).filter(is_current=True).first()


def evidence_records(*, result: AssessmentResult, flagged_only: bool = False, limit: int = 200) -> list:
    """The records behind an indicator (the ones counted against the provider first), read through
    the model the indicator names."""
    spec = REGISTRY.get(result.key)
    if spec is None or not spec.evidence_model:
        return []
    model = apps.get_model(spec.evidence_model)
    ids = result.flagged if flagged_only else result.evidence
    flagged = set(result.flagged)
    rows = list(model._default_manager.filter(pk__in=list(ids)[:limit]).order_by("pk"))
    for row in rows:
        row.counted_against = row.pk in flagged
    rows.sort(key=lambda r: (not r.counted_against, r.pk))
    return rows


def trend(*, user, family: str) -> list[Assessment]:
    """Finalized and open assessments of one scheme family, oldest first, for the trend chart."""
    return list(assessment_list(user=user).filter(scheme__family=family).order_by("period_start", "pk")[:36])
