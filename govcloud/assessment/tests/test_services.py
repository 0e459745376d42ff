import json
from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from govcloud.applications.models import ApplicationState
from govcloud.applications.tests.helpers import advance, new_application
from govcloud.assessment import selectors, services
from govcloud.assessment.models import AssessmentState, DeliveryRating, EntryKind, RuleKind
from govcloud.assessment.services import IndicatorInput
from govcloud.assessment.tests.helpers import JUNE, at, incident
from govcloud.audit.models import AuditEvent
from govcloud.core.actors import SYSTEM
from govcloud.core.errors import StateConflict
from govcloud.core.roles import Role
from govcloud.workdays.services import calendar_seed_from_package

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(city):
    calendar_seed_from_package(actor=SYSTEM)
    return {
        "center": city.user(Role.CENTER_ADMIN),
        "provider": city.user(Role.PROVIDER_OPERATOR),
        "leader": city.user(Role.LEADING_GROUP, org=city.leading),
        "dept": city.user(Role.DEPARTMENT_HEAD, org=city.dept_a),
    }


def _small_scheme(actor, **kw):
    return services.scheme_save(
        actor=actor,
        name="月度考核",
        period_kind="monthly",
        grades=services.DEFAULT_GRADES,
        indicators=[
            IndicatorInput("incident_response_on_time", 60, RuleKind.LINEAR, {"best": 100, "worst": 0}),
            IndicatorInput("availability", 30, RuleKind.LINEAR, {"best": 100, "worst": 99}),
            IndicatorInput(
                "major_incidents", 10, RuleKind.THRESHOLDS, {"steps": [[0, 100]], "higher_is_better": False}
            ),
        ],
        **kw,
    )


@time_machine.travel("2026-07-02 10:00 +0800", tick=False)
def test_run_scores_weights_and_grades(city, people):
    scheme = _small_scheme(people["center"])
    incident(city.dept_a, reported=at(date(2026, 6, 5)), answered_after=timedelta(minutes=1))
    incident(city.dept_a, reported=at(date(2026, 6, 6)), answered_after=timedelta(minutes=10), severity="major")
    a = services.assessment_run(actor=people["center"], scheme=scheme, period_start=JUNE[0], period_end=JUNE[1])
    results = {r.key: r for r in a.results.all()}
    assert results["incident_response_on_time"].computed_score == 50
    assert results["availability"].value is None and results["availability"].computed_score is None
    assert results["major_incidents"].computed_score == 0
    # Availability has no data: the weights 60 and 10 are renormalized over 70.
    assert float(a.total) == pytest.approx((60 * 50 + 10 * 0) / 70, abs=0.01)
    assert a.grade == "不合格"
    assert a.dimension_scores == {"responsiveness": 50.0, "quality": 0.0}
    assert a.entries.get().kind == EntryKind.RUN
    assert AuditEvent.objects.filter(action="assessment.run").count() == 1


@time_machine.travel("2026-07-02 10:00 +0800", tick=False)
def test_a_new_scheme_version_leaves_old_assessments_alone(city, people):
    first = _small_scheme(people["center"])
    a = services.assessment_run(actor=people["center"], scheme=first, period_start=JUNE[0], period_end=JUNE[1])
    services.assessment_finalize(actor=people["center"], assessment=a)
    total = a.total
    second = _small_scheme(people["center"], note="调整")
    assert (first.version, second.version) == (1, 2)
    first.refresh_from_db()
    assert not first.is_current and second.is_current
    a.refresh_from_db()
    assert a.scheme_id == first.pk and a.total == total
    assert [i.key for i in a.scheme.indicators.all()] == [i.key for i in first.indicators.all()]


def test_default_scheme_seed_is_idempotent_and_weights_add_to_100(people):
    scheme = services.scheme_seed_default(actor=SYSTEM)
    assert services.scheme_seed_default(actor=SYSTEM) == scheme
    assert sum(i.weight for i in scheme.indicators.all()) == 100


def test_scheme_validation(people):
    with pytest.raises(ValidationError):
        services.scheme_save(
            actor=people["center"],
            name="x",
            period_kind="monthly",
            grades=[[60, "合格"]],
            indicators=services.DEFAULT_INDICATORS,
        )
    with pytest.raises(ValidationError):
        services.scheme_save(
            actor=people["center"],
            name="x",
            period_kind="monthly",
            grades=services.DEFAULT_GRADES,
            indicators=[IndicatorInput("made_up", 1, RuleKind.LINEAR, {"best": 1, "worst": 0})],
        )
    with pytest.raises(PermissionDenied):
        _small_scheme(people["provider"])


def test_dispute_window_adjustment_and_finalize(city, people):
    with time_machine.travel("2026-07-02 10:00 +0800", tick=False):  # Thursday
        scheme = _small_scheme(people["center"])
        a = services.assessment_run(actor=people["center"], scheme=scheme, period_start=JUNE[0], period_end=JUNE[1])
        services.assessment_dispute(actor=people["provider"], assessment=a, key="major_incidents", text="统计口径有误")
        with pytest.raises(PermissionDenied):
            services.assessment_dispute(actor=people["center"], assessment=a, key="major_incidents", text="x")
        with pytest.raises(PermissionDenied):
            services.assessment_adjust(
                actor=people["provider"], assessment=a, key="major_incidents", score=100, reason="自评"
            )
        with pytest.raises(ValidationError):
            services.assessment_adjust(actor=people["center"], assessment=a, key="major_incidents", score=90, reason="")
        with pytest.raises(ValidationError):  # no data: nothing to adjust
            services.assessment_adjust(actor=people["center"], assessment=a, key="availability", score=90, reason="x")
        services.assessment_adjust(
            actor=people["center"], assessment=a, key="major_incidents", score=90, reason="经核实为演练误报"
        )
    a.refresh_from_db()
    assert float(a.total) == pytest.approx(90.0)  # only major_incidents has data (no incidents → responses none)
    changes = json.loads(AuditEvent.objects.get(action="assessment.adjust").changes)
    assert changes["reason"] == "经核实为演练误报" and changes["score"] == [100.0, 90.0]
    # Five working days later (07-09 at the close of office hours) the window is shut.
    with time_machine.travel("2026-07-09 10:00 +0800", tick=False):
        services.assessment_dispute(actor=people["provider"], assessment=a, key="major_incidents", text="补充说明")
    with time_machine.travel("2026-07-10 09:00 +0800", tick=False):
        with pytest.raises(ValidationError):
            services.assessment_dispute(actor=people["provider"], assessment=a, key="major_incidents", text="迟到")
        services.assessment_finalize(actor=people["center"], assessment=a)
        a.refresh_from_db()
        assert a.state == AssessmentState.FINALIZED
        with pytest.raises(StateConflict):
            services.assessment_adjust(actor=people["center"], assessment=a, key="major_incidents", score=1, reason="x")
    assert list(a.entries.values_list("kind", flat=True)) == ["run", "dispute", "adjust", "dispute", "finalize"]


@time_machine.travel("2026-07-02 10:00 +0800", tick=False)
def test_who_sees_assessments(city, people):
    a = services.assessment_run(
        actor=people["center"], scheme=_small_scheme(people["center"]), period_start=JUNE[0], period_end=JUNE[1]
    )
    for who in ("center", "leader", "provider"):
        assert selectors.assessment_get(user=people[who], pk=a.pk) == a
    assert not selectors.assessment_list(user=people["dept"]).exists()
    with pytest.raises(Http404):
        selectors.assessment_get(user=people["dept"], pk=a.pk)


def test_department_rates_its_own_delivery_once(wf):
    app = advance(wf, new_application(wf), ApplicationState.IN_SERVICE)
    with pytest.raises(Http404):
        services.delivery_rate(actor=wf.b_head, application=app, rating=5)
    with pytest.raises(PermissionDenied):
        services.delivery_rate(actor=wf.provider, application=app, rating=5)
    with pytest.raises(ValidationError):
        services.delivery_rate(actor=wf.applicant, application=app, rating=6)
    services.delivery_rate(actor=wf.applicant, application=app, rating=4, comment="交付及时")
    with pytest.raises(StateConflict):
        services.delivery_rate(actor=wf.head, application=app, rating=2)
    assert DeliveryRating.objects.get().rating == 4
    assert AuditEvent.objects.filter(action="delivery_rating.create").count() == 1


@time_machine.travel("2026-07-02 10:00 +0800", tick=False)
def test_api_run_dispute_adjust_finalize(city, people):
    from govcloud.applications.tests.helpers import api_for

    services.scheme_seed_default(actor=SYSTEM)
    center, provider = api_for(people["center"]), api_for(people["provider"])
    r = center.post("/api/v1/assessments/", {"period_start": "2026-06-01", "period_end": "2026-06-30"}, format="json")
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    avail = next(x for x in r.json()["results"] if x["key"] == "availability")
    assert avail["value"] is None and avail["has_data"] is False and avail["formula"]
    assert (
        provider.post(
            "/api/v1/assessments/", {"period_start": "2026-06-01", "period_end": "2026-06-30"}, format="json"
        ).status_code
        == 403
    )
    assert (
        provider.post(
            f"/api/v1/assessments/{pk}/dispute/", {"key": "major_incidents", "text": "异议"}, format="json"
        ).status_code
        == 200
    )
    assert (
        provider.post(
            f"/api/v1/assessments/{pk}/adjust/", {"key": "major_incidents", "score": 1, "reason": "x"}, format="json"
        ).status_code
        == 403
    )
    assert (
        center.post(
            f"/api/v1/assessments/{pk}/adjust/",
            {"key": "major_incidents", "score": 80, "reason": "核实"},
            format="json",
        ).status_code
        == 200
    )
    assert center.post(f"/api/v1/assessments/{pk}/finalize/").json()["state"] == "finalized"
    assert api_for(people["dept"]).get(f"/api/v1/assessments/{pk}/").status_code == 404
    assert api_for(people["dept"]).get("/api/v1/assessments/").json()["count"] == 0


@time_machine.travel("2026-07-02 10:00 +0800", tick=False)
def test_dimension_weights_are_kept_with_the_scheme_version(city, people):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        _small_scheme(people["center"], dimension_weights={"speed": 10})
    with pytest.raises(ValidationError):
        _small_scheme(people["center"], dimension_weights={"quality": -1})
    scheme = _small_scheme(people["center"], dimension_weights={"responsiveness": 50, "quality": 50})
    assert scheme.dimension_weights == {"responsiveness": 50.0, "quality": 50.0}
    incident(city.dept_a, reported=at(date(2026, 6, 5)), answered_after=timedelta(minutes=1))
    incident(city.dept_a, reported=at(date(2026, 6, 6)), answered_after=timedelta(minutes=10))
    a = services.assessment_run(actor=people["center"], scheme=scheme, period_start=JUNE[0], period_end=JUNE[1])
    # Responsiveness 50 (half answered in time), quality 100 (no major incident): 50/50 → 75.
    assert a.dimension_scores == {"responsiveness": 50.0, "quality": 100.0}
    assert float(a.total) == 75.0
