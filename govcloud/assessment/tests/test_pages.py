from datetime import date, timedelta

import pytest
import time_machine

from govcloud.assessment import services
from govcloud.assessment.tests.helpers import JUNE, at, incident
from govcloud.core.actors import SYSTEM
from govcloud.core.roles import Role
from govcloud.workdays.services import calendar_seed_from_package

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessed(city):
    calendar_seed_from_package(actor=SYSTEM)
    center = city.user(Role.CENTER_ADMIN)
    scheme = services.scheme_seed_default(actor=SYSTEM)
    with time_machine.travel("2026-07-02 10:00 +0800", tick=False):
        late = incident(city.dept_a, reported=at(date(2026, 6, 5)), answered_after=timedelta(minutes=20))
        a = services.assessment_run(actor=center, scheme=scheme, period_start=JUNE[0], period_end=JUNE[1])
    return city, center, a, late


def test_center_sees_detail_with_formula_no_data_and_drill_down(assessed, login_as):
    city, center, a, late = assessed
    client = login_as(center)
    page = client.get(f"/assessment/{a.pk}/").content.decode()
    assert "暂无数据" in page  # availability: monitoring not in GovCloud yet
    assert str(services.REGISTRY["incident_response_on_time"].formula) in page or "÷" in page
    evidence = client.get(f"/assessment/{a.pk}/evidence/incident_response_on_time/?flagged=1")
    assert evidence.status_code == 200 and str(late) in evidence.content.decode()
    assert client.get("/assessment/").status_code == 200
    assert client.get("/assessment/scheme/").status_code == 200
    assert client.get(f"/assessment/{a.pk}/report.pdf").status_code == 404  # still open


def test_provider_disputes_center_adjusts_and_finalizes_through_the_pages(assessed, login_as, client):
    city, center, a, _late = assessed
    provider = city.user(Role.PROVIDER_OPERATOR)
    with time_machine.travel("2026-07-03 10:00 +0800"):
        login_as(provider)
        client.post(f"/assessment/{a.pk}/dispute/", {"key": "major_incidents", "text": "有异议"})
        client.post(f"/assessment/{a.pk}/adjust/", {"key": "major_incidents", "score": "1", "reason": "x"})
        login_as(center)
        client.post(f"/assessment/{a.pk}/adjust/", {"key": "major_incidents", "score": "90", "reason": "核实"})
        client.post(f"/assessment/{a.pk}/finalize/")
        pdf = client.get(f"/assessment/{a.pk}/report.pdf")
    r = a.results.get(key="major_incidents")
    assert r.dispute == "有异议" and r.adjusted_score == 90
    a.refresh_from_db()
    assert a.state == "finalized"
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_department_sees_no_assessment(assessed, login_as):
    city, _center, a, _late = assessed
    client = login_as(city.user(Role.DEPARTMENT_HEAD, org=city.dept_a))
    for url in (
        "/assessment/",
        "/assessment/scheme/",
        f"/assessment/{a.pk}/",
        f"/assessment/{a.pk}/evidence/major_incidents/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/assessment/{a.pk}/finalize/").status_code == 404


def test_list_query_count_is_constant(assessed, login_as, django_assert_max_num_queries):
    city, center, a, _late = assessed
    client = login_as(center)
    with django_assert_max_num_queries(10):
        client.get("/assessment/")
    with time_machine.travel("2026-07-02 10:00 +0800", tick=False):
        for _n in range(5):
            services.assessment_run(actor=center, scheme=a.scheme, period_start=JUNE[0], period_end=JUNE[1])
    with django_assert_max_num_queries(10):
        client.get("/assessment/")


def test_department_rates_its_delivery_from_the_application_page(wf, login_as):
    from govcloud.applications.models import ApplicationState
    from govcloud.applications.tests.helpers import advance, new_application

    app = advance(wf, new_application(wf), ApplicationState.IN_SERVICE)
    client = login_as(wf.applicant)
    page = client.get(f"/applications/{app.pk}/").content.decode()
    assert f"/assessment/ratings/{app.pk}/" in page
    client.post(f"/assessment/ratings/{app.pk}/", {"rating": "5", "comment": "满意"})
    assert app.delivery_rating.rating == 5
    assert "rating-form" not in client.get(f"/assessment/ratings/{app.pk}/").content.decode()


def test_detail_and_api_query_counts_do_not_grow_with_the_evidence(city, login_as, django_assert_max_num_queries):
    from govcloud.applications.tests.helpers import api_for

    calendar_seed_from_package(actor=SYSTEM)
    center = city.user(Role.CENTER_ADMIN)
    scheme = services.scheme_seed_default(actor=SYSTEM)
    client, api = login_as(center), api_for(center)
    api.get("/api/v1/assessments/")  # the token's first use is audited once
    client.get("/assessment/")  # and the session's first request
    counts = []
    for n in (2, 30):
        with time_machine.travel("2026-07-02 10:00 +0800", tick=False):
            for i in range(n):
                incident(city.dept_a, reported=at(date(2026, 6, 1 + i % 28)), answered_after=timedelta(minutes=9))
            a = services.assessment_run(actor=center, scheme=scheme, period_start=JUNE[0], period_end=JUNE[1])
        with django_assert_max_num_queries(15) as page:
            client.get(f"/assessment/{a.pk}/")
        with django_assert_max_num_queries(15) as evidence:
            client.get(f"/assessment/{a.pk}/evidence/incident_response_on_time/")
        with django_assert_max_num_queries(12) as listing:
            api.get("/api/v1/assessments/")
        counts.append((len(page), len(evidence), len(listing)))
    assert counts[0] == counts[1]


def test_center_edits_the_scheme_into_a_new_version(city, login_as):
    from govcloud.assessment.models import AssessmentScheme

    calendar_seed_from_package(actor=SYSTEM)
    services.scheme_seed_default(actor=SYSTEM)
    provider = city.user(Role.PROVIDER_OPERATOR)
    assert login_as(provider).get("/assessment/scheme/edit/").status_code == 404
    client = login_as(city.user(Role.CENTER_ADMIN))
    assert client.get("/assessment/scheme/edit/").status_code == 200
    data = {"name": "月度考核", "period_kind": "monthly", "grades": "90 优秀\n60 合格\n0 不合格", "note": "简化"}
    for key in services.REGISTRY:
        data.update({f"weight_{key}": "0", f"rule_{key}": "linear", f"params_{key}": ""})
    data.update({"weight_delivery_on_time": "60", "params_delivery_on_time": '{"best": 100, "worst": 80}'})
    data.update(
        {
            "weight_major_incidents": "40",
            "rule_major_incidents": "thresholds",
            "params_major_incidents": '{"steps": [[0, 100]], "higher_is_better": false}',
        }
    )
    response = client.post("/assessment/scheme/edit/", data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    current = AssessmentScheme.objects.get(is_current=True)
    assert current.version == 2 and current.period_kind == "monthly"
    assert sorted(current.indicators.values_list("key", flat=True)) == ["delivery_on_time", "major_incidents"]
    data["params_delivery_on_time"] = "{}"  # incomplete rule: refused, nothing saved
    assert client.post("/assessment/scheme/edit/", data).status_code == 200
    assert AssessmentScheme.objects.count() == 2
