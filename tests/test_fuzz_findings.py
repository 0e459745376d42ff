"""What fuzzing the API (tests/test_fuzz_api.py) found, each kept as a test of its own: dates far
outside the platform's years crashed (OverflowError in date arithmetic) or came back with a local
offset that is not ISO 8601 (+08:05:43); an expert id too large for the database crashed."""

from __future__ import annotations

import pytest
from django.utils import translation

from govcloud.assessment.api.serializers import AssessmentRunSerializer, SurveyRoundOpenSerializer
from govcloud.core.roles import Role
from govcloud.reports.api.serializers import AnalysisRequestSerializer
from govcloud.security.api.serializers import SecurityEventSerializer
from govcloud.systems.api.serializers import AssignExpertsSerializer
from govcloud.workdays.api.serializers import DeadlineQuerySerializer
from tests.apiwalk import api_client

pytestmark = pytest.mark.django_db

REFUSED = "请填写 2000 年至 2100 年之间的日期。"


@pytest.mark.parametrize("day", ["0001-01-01", "1999-12-31", "2101-01-01", "9999-12-31"])
@pytest.mark.parametrize(
    ("serializer", "fields"),
    [
        (AssessmentRunSerializer, ("period_start", "period_end")),
        (SurveyRoundOpenSerializer, ("period_start", "period_end")),
        (AnalysisRequestSerializer, ("month",)),
    ],
)
def test_dates_outside_the_platform_years_are_refused(serializer, fields, day):
    with translation.override("zh-hans"):
        found = serializer(data=dict.fromkeys(fields, day))
        assert not found.is_valid()
        assert {name: [str(e) for e in found.errors[name]] for name in fields} == dict.fromkeys(fields, [REFUSED])
    assert serializer(data=dict.fromkeys(fields, "2026-03-01")).is_valid()


@pytest.mark.parametrize("moment", ["0366-02-07T20:54:31Z", "9999-12-30T10:00:00Z"])
def test_moments_outside_the_platform_years_are_refused(moment):
    with translation.override("zh-hans"):
        deadline = DeadlineQuerySerializer(data={"start": moment, "working_days": 5})
        assert not deadline.is_valid() and [str(e) for e in deadline.errors["start"]] == [REFUSED]
        event = SecurityEventSerializer(data={"kind": "other", "occurred_at": moment, "count": 1, "summary": "e"})
        assert not event.is_valid() and [str(e) for e in event.errors["occurred_at"]] == [REFUSED]


def test_a_security_event_from_the_year_366_answers_400_not_a_local_offset(city):
    client = api_client(city.user(Role.CENTER_ADMIN))
    body = {"kind": "other", "occurred_at": "0366-02-07T20:54:31Z", "count": 1, "summary": "e"}
    response = client.post("/api/v1/security-events/", body, format="json", HTTP_IDEMPOTENCY_KEY="fuzz-366")
    assert response.status_code == 400, response.content
    assert "occurred_at" in response.json()


def test_an_expert_id_too_large_for_the_database_is_refused():
    serializer = AssignExpertsSerializer(data={"experts": [10**20], "comment": "x"})
    assert not serializer.is_valid()
    assert "experts" in serializer.errors


def test_an_estimate_naming_a_resource_id_too_large_for_the_database_answers_400(city):
    client = api_client(city.user(Role.DEPARTMENT_APPLICANT))
    response = client.post("/api/v1/applications/estimate/", [{"target_resource": 10**20}], format="json")
    assert response.status_code == 400, response.content
