"""The departments' satisfaction survey: questions frozen per round, one answer per department and
round, response rates beside the scores, the indicator fed by the answers."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from govcloud.assessment import surveys
from govcloud.assessment.indicators import REGISTRY
from govcloud.assessment.models import SurveyQuestion, SurveyResponse, SurveyRound
from govcloud.audit.models import AuditEvent
from govcloud.core.actors import SYSTEM
from govcloud.core.errors import StateConflict
from govcloud.core.roles import Role

pytestmark = pytest.mark.django_db

Q2 = (date(2026, 4, 1), date(2026, 6, 30))
LATER = time_machine.travel("2026-07-03 10:00 +0800", tick=False)


@pytest.fixture
def survey(city):
    surveys.survey_questions_seed()
    center = city.user(Role.CENTER_ADMIN)
    with LATER:
        row = surveys.survey_round_open(actor=center, period_start=Q2[0], period_end=Q2[1])
    return city, center, row


def answers(row, score, comment=""):
    return {q["id"]: (score, comment) for q in row.questions}


def test_questions_are_frozen_in_the_round(survey):
    city, center, row = survey
    asked = [q["text"] for q in row.questions]
    surveys.survey_questions_set(actor=center, texts=["新问题一", asked[0]])
    row.refresh_from_db()
    assert [q["text"] for q in row.questions] == asked
    assert list(SurveyQuestion.objects.filter(is_active=True).values_list("text", flat=True)) == ["新问题一", asked[0]]
    with pytest.raises(PermissionDenied):
        surveys.survey_questions_set(actor=city.user(Role.PROVIDER_OPERATOR), texts=["x"])
    with pytest.raises(ValidationError):
        surveys.survey_questions_set(actor=center, texts=["重复", "重复"])


@LATER
def test_a_department_answers_once_and_the_indicator_shows_the_response_rate(survey):
    city, center, row = survey
    head_a = city.user(Role.DEPARTMENT_HEAD, org=city.dept_a)
    head_b = city.user(Role.DEPARTMENT_HEAD, org=city.dept_b)
    surveys.survey_answer(actor=head_a, survey=row, answers=answers(row, 5, "很好"))
    with pytest.raises(StateConflict):
        surveys.survey_answer(
            actor=city.user(Role.DEPARTMENT_APPLICANT, org=city.dept_a), survey=row, answers=answers(row, 1)
        )
    with pytest.raises(ValidationError):
        surveys.survey_answer(actor=head_b, survey=row, answers={row.questions[0]["id"]: (6, "")})
    with pytest.raises(PermissionDenied):
        surveys.survey_answer(actor=center, survey=row, answers=answers(row, 1))
    surveys.survey_answer(actor=head_b, survey=row, answers=answers(row, 2))
    assert SurveyResponse.objects.count() == 2
    assert AuditEvent.objects.filter(action="survey_response.create").count() == 2

    value = REGISTRY["survey_satisfaction"].compute(*Q2)
    assert value.value == 3.5
    assert value.numerator == 2 and value.denominator == row.invited
    assert value.response_rate == round(200 / row.invited, 2)
    assert len(value.flagged) == 1  # department B's 2/5


@LATER
def test_no_round_is_no_data_and_a_closed_round_takes_no_answers(survey):
    city, center, row = survey
    assert REGISTRY["survey_satisfaction"].compute(date(2026, 1, 1), date(2026, 3, 31)).value is None
    surveys.survey_round_close(actor=center, survey=row)
    with pytest.raises(StateConflict):
        surveys.survey_answer(actor=city.user(Role.DEPARTMENT_HEAD), survey=row, answers=answers(row, 4))
    with pytest.raises(StateConflict):
        surveys.survey_round_open(actor=center, period_start=Q2[0], period_end=Q2[1])


def test_the_daily_task_opens_the_quarter_just_ended_and_closes_overdue_rounds(city):
    surveys.survey_questions_seed()
    assert surveys.previous_period(date(2026, 7, 3), 3) == (date(2026, 4, 1), date(2026, 6, 30))
    assert surveys.previous_period(date(2026, 1, 15), 3) == (date(2025, 10, 1), date(2025, 12, 31))
    with LATER:
        assert surveys.survey_rounds_due(actor=SYSTEM) == {"opened": 1, "closed": 0}
        assert surveys.survey_rounds_due(actor=SYSTEM) == {"opened": 0, "closed": 0}
    with time_machine.travel("2026-08-10 10:00 +0800", tick=False):
        assert surveys.survey_rounds_due(actor=SYSTEM) == {"opened": 0, "closed": 1}
    assert SurveyRound.objects.get().period_start == date(2026, 4, 1)


@LATER
def test_survey_pages(survey, login_as):
    city, center, row = survey
    head = city.user(Role.DEPARTMENT_HEAD, org=city.dept_a)
    client = login_as(head)
    assert client.get("/assessment/surveys/").status_code == 200
    data = {f"score_{q['id']}": "4" for q in row.questions} | {f"comment_{row.questions[0]['id']}": "响应及时"}
    assert client.post(f"/assessment/surveys/{row.pk}/", data).status_code == 302
    page = client.get(f"/assessment/surveys/{row.pk}/").content.decode()
    assert "survey-form" not in page and "响应及时" in page
    assert client.post(f"/assessment/surveys/{row.pk}/", data).status_code == 403
    assert (
        client.post("/assessment/surveys/", {"period_start": "2026-01-01", "period_end": "2026-03-31"}).status_code
        == 403
    )
    assert client.get("/assessment/surveys/questions/").status_code == 404
    center_client = login_as(center)
    page = center_client.get(f"/assessment/surveys/{row.pk}/").content.decode()
    assert "响应及时" in page and "4.0" in page
    listing = center_client.get("/assessment/surveys/").content.decode()
    assert f"1 / {row.invited}" in listing
    response = center_client.post("/assessment/surveys/questions/", {"questions": "问题甲\n问题乙"})
    assert response.status_code == 302
    assert login_as(city.user(Role.PROVIDER_OPERATOR)).get(f"/assessment/surveys/{row.pk}/").status_code == 404


@LATER
def test_survey_api_with_forbidden_cases(city):
    from govcloud.applications.tests.helpers import api_for

    surveys.survey_questions_seed()
    center = api_for(city.user(Role.CENTER_ADMIN))
    head = api_for(city.user(Role.DEPARTMENT_HEAD, org=city.dept_a))
    provider = api_for(city.user(Role.PROVIDER_OPERATOR))
    body = {"period_start": "2026-04-01", "period_end": "2026-06-30"}
    assert head.post("/api/v1/survey-rounds/", body, format="json").status_code == 403
    r = center.post("/api/v1/survey-rounds/", body, format="json")
    assert r.status_code == 201, r.content
    pk, questions = r.json()["id"], r.json()["questions"]
    assert center.post("/api/v1/survey-rounds/", body, format="json").status_code == 409
    answers = {"answers": [{"id": q["id"], "score": 5, "comment": ""} for q in questions]}
    assert provider.get(f"/api/v1/survey-rounds/{pk}/").status_code == 404
    assert provider.post(f"/api/v1/survey-rounds/{pk}/answer/", answers, format="json").status_code == 404
    assert center.post(f"/api/v1/survey-rounds/{pk}/answer/", answers, format="json").status_code == 403
    bad = {"answers": [{"id": questions[0]["id"], "score": 9}]}
    assert head.post(f"/api/v1/survey-rounds/{pk}/answer/", bad, format="json").status_code == 400
    assert head.post(f"/api/v1/survey-rounds/{pk}/answer/", answers, format="json").status_code == 201
    assert head.post(f"/api/v1/survey-rounds/{pk}/answer/", answers, format="json").status_code == 409
    assert head.post(f"/api/v1/survey-rounds/{pk}/close/").status_code == 403
    assert center.get(f"/api/v1/survey-rounds/{pk}/").json()["answered"] == 1
    assert center.post(f"/api/v1/survey-rounds/{pk}/close/").json()["state"] == "closed"
