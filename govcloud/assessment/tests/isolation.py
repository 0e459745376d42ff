"""The assessment part of the isolation harness (see tests/isolation.py).

Assessments are the center's and the provider's: no department sees any of them (404 for A's and
B's users alike), only the rating form of their own deliveries. The rating probe uses department
A's application."""

from __future__ import annotations

from django.utils import timezone

from govcloud.assessment import services, surveys
from govcloud.core.actors import SYSTEM
from govcloud.core.roles import Role
from tests.isolation import MARKER, MISSING_INT, Kind, Probe


def populate(world) -> None:
    scheme = world.as_scheme = services.scheme_seed_default(actor=SYSTEM)
    today = timezone.localdate()
    world.as_assessment = services.assessment_run(
        actor=SYSTEM, scheme=scheme, period_start=today.replace(day=1), period_end=today
    )
    # A survey round department A answered with the marker in its comments: department B's users
    # see the round (to answer it themselves) but never A's answers.
    surveys.survey_questions_seed()
    world.as_survey = surveys.survey_round_open(
        actor=world.city.user(Role.CENTER_ADMIN), period_start=today.replace(day=1), period_end=today
    )
    surveys.survey_answer(
        actor=world.a_user,
        survey=world.as_survey,
        answers={q["id"]: (4, f"意见{MARKER}") for q in world.as_survey.questions},
    )


def _pk(name):
    return lambda w: {"pk": getattr(w, name).pk}


def act(action: str, data: dict) -> Probe:
    return Probe(
        Kind.DETAIL,
        lambda w: {"pk": w.as_assessment.pk, "action": action},
        lambda w: {**MISSING_INT, "action": action},
        methods=("post",),
        data=data,
    )


ENDPOINTS = {
    "assessment:assessment_list": Probe(Kind.LIST, methods=("get", "post")),
    "assessment:scheme_detail": Probe(Kind.LIST),
    "assessment:scheme_edit": Probe(Kind.LIST, methods=("get", "post")),
    "assessment:assessment_detail": Probe(Kind.DETAIL, _pk("as_assessment"), lambda w: MISSING_INT),
    "assessment:evidence": Probe(
        Kind.DETAIL,
        lambda w: {"pk": w.as_assessment.pk, "key": "major_incidents"},
        lambda w: {**MISSING_INT, "key": "major_incidents"},
    ),
    "assessment:assessment_pdf": Probe(Kind.DETAIL, _pk("as_assessment"), lambda w: MISSING_INT),
    "assessment:assessment_act": act("finalize", {}),
    "assessment:delivery_rating": Probe(
        Kind.DETAIL,
        lambda w: {"application_id": w.a_application.pk},
        lambda w: {"application_id": MISSING_INT["pk"]},
        methods=("get", "post"),
        data={"rating": 5},
    ),
    "assessment:survey_list": Probe(Kind.LIST, methods=("get", "post")),
    "assessment:survey_questions": Probe(Kind.LIST, methods=("get", "post"), data={"questions": "x"}),
    # A round is every department's to answer: B sees it, never A's answers (its marker).
    "assessment:survey_detail": Probe(Kind.LIST, _pk("as_survey"), methods=("get",)),
    "assessment:survey_close": Probe(Kind.LIST, _pk("as_survey"), methods=("post",)),
    "assessment:supervision": Probe(Kind.LIST),
    "assessment:supervision_export": Probe(Kind.LIST),
    # --- REST API ------------------------------------------------------------------------------------
    "assessment-list": Probe(Kind.LIST, methods=("get", "post")),
    "assessment-detail": Probe(Kind.DETAIL, _pk("as_assessment"), lambda w: MISSING_INT),
    "assessment-dispute": Probe(
        Kind.DETAIL, _pk("as_assessment"), lambda w: MISSING_INT, methods=("post",), data={"key": "x", "text": "x"}
    ),
    "assessment-adjust": Probe(
        Kind.DETAIL,
        _pk("as_assessment"),
        lambda w: MISSING_INT,
        methods=("post",),
        data={"key": "x", "score": 1, "reason": "x"},
    ),
    "assessment-finalize": Probe(Kind.DETAIL, _pk("as_assessment"), lambda w: MISSING_INT, methods=("post",)),
    "assessment-scheme-list": Probe(Kind.LIST),
    "assessment-scheme-detail": Probe(Kind.LIST, lambda w: {"pk": w.as_scheme.pk}),
    "survey-round-list": Probe(Kind.LIST, methods=("get", "post")),
    "survey-round-detail": Probe(Kind.LIST, _pk("as_survey")),
    "survey-round-answer": Probe(Kind.LIST, _pk("as_survey"), methods=("post",), data={"answers": []}),
    "survey-round-close": Probe(Kind.LIST, _pk("as_survey"), methods=("post",)),
}
