from datetime import date, timedelta

import pytest
import time_machine

from govcloud.applications.models import ApplicationState
from govcloud.applications.tests.helpers import advance, new_application
from govcloud.assessment.indicators import REGISTRY, compute_all, percentile
from govcloud.assessment.models import DeliveryRating
from govcloud.assessment.tests.helpers import JUNE, at, incident
from govcloud.delivery.models import WorkOrder, WorkOrderState
from govcloud.ledger.tests.helpers import adopt

pytestmark = pytest.mark.django_db

LATER = time_machine.travel("2026-07-15 10:00 +0800", tick=False)


def test_registry_covers_three_dimensions_with_formulas():
    assert {i.dimension for i in REGISTRY.values()} == {"responsiveness", "satisfaction", "quality"}
    assert all(str(i.formula) and str(i.label) for i in REGISTRY.values())


def test_percentile():
    assert percentile([], 50) is None
    assert percentile([3, 1, 2], 50) == 2
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile(list(range(1, 11)), 90) == 9.1


@LATER
def test_no_records_means_no_data_not_zero(city):
    values = compute_all(*JUNE)
    for key in (
        "delivery_on_time",
        "delivery_days_median",
        "incident_response_on_time",
        "incident_response_median",
        "incident_recovery_on_time",
        "incident_satisfaction",
        "delivery_satisfaction",
        "availability",
        "overload_alerts",
        "incidents_per_100",
        "rectifications_on_time",
    ):
        assert values[key].value is None, key
    # Measured zeros: the desk and the access log exist for the whole period.
    assert values["major_incidents"].value == 0
    assert values["sessions_without_grant"].value == 0
    assert values["drill_done"].value == 0


@LATER
def test_incident_indicators(city):
    org = city.dept_a
    day = date(2026, 6, 10)
    on_time = incident(
        org,
        reported=at(day),
        answered_after=timedelta(minutes=3),
        recovered_after=timedelta(hours=2),
        closed_after=timedelta(hours=3),
        rating=5,
    )
    late = incident(
        org,
        reported=at(day, 11),
        answered_after=timedelta(minutes=9),
        recovered_after=timedelta(hours=30),
        closed_after=timedelta(hours=31),
        rating=2,
    )
    unanswered = incident(org, reported=at(day, 12), severity="major")
    closed_unrated = incident(
        org,
        reported=at(day, 13),
        answered_after=timedelta(minutes=1),
        recovered_after=timedelta(hours=1),
        closed_after=timedelta(hours=2),
    )
    incident(org, reported=at(date(2026, 5, 31)), answered_after=timedelta(minutes=30))  # outside the period
    for n in range(2):
        adopt(org, name=f"主机{n}")
    v = compute_all(*JUNE)
    assert (v["incident_response_on_time"].numerator, v["incident_response_on_time"].denominator) == (2, 4)
    assert v["incident_response_on_time"].value == 50.0
    assert set(v["incident_response_on_time"].flagged) == {late.pk, unanswered.pk}
    assert v["incident_response_median"].value == 3.0  # minutes 1, 3, 9
    assert v["incident_recovery_on_time"].value == 50.0  # on time, closed_unrated; late and unanswered late
    assert v["incident_satisfaction"].value == 3.5
    assert v["incident_satisfaction"].response_rate == pytest.approx(66.67)
    assert set(v["incident_satisfaction"].evidence) == {on_time.pk, late.pk}
    assert closed_unrated.pk not in v["incident_satisfaction"].evidence
    assert v["major_incidents"].value == 1 and v["major_incidents"].flagged == [unanswered.pk]
    assert v["incidents_per_100"].value == 200.0  # 4 incidents, 2 resources in service


def _orders(wf, n: int):
    app = advance(wf, new_application(wf), ApplicationState.IN_DELIVERY)
    orders = list(WorkOrder.objects.filter(application=app))
    while len(orders) < n:
        app = advance(wf, new_application(wf), ApplicationState.IN_DELIVERY)
        orders += list(WorkOrder.objects.filter(application=app))
    return orders[:n]


@LATER
def test_delivery_indicators(wf):
    first, second, third = _orders(wf, 3)
    # Mon 2026-06-08 10:00 → Tue 06-09 10:00: one working day, due Wed 17:30 → on time.
    WorkOrder.objects.filter(pk=first.pk).update(
        state=WorkOrderState.COMPLETED,
        created_at=at(date(2026, 6, 8)),
        completed_at=at(date(2026, 6, 9)),
        due_at=at(date(2026, 6, 10), 17, 30),
    )
    # Fri 06-12 10:00 → Tue 06-16 16:00 (06-15 Mon, 06-16 Tue): 2.25 working days, due Mon → late.
    WorkOrder.objects.filter(pk=second.pk).update(
        state=WorkOrderState.COMPLETED,
        created_at=at(date(2026, 6, 12)),
        completed_at=at(date(2026, 6, 16), 16),
        due_at=at(date(2026, 6, 15), 17, 30),
    )
    # Still open: not counted.
    WorkOrder.objects.filter(pk=third.pk).update(state=WorkOrderState.CLAIMED)
    v = compute_all(*JUNE)
    assert v["delivery_on_time"].value == 50.0
    assert v["delivery_on_time"].flagged == [second.pk]
    assert v["delivery_days_median"].value == pytest.approx(1.62, abs=0.01)
    assert v["delivery_days_p90"].value == pytest.approx(2.12, abs=0.01)


@LATER
def test_delivery_satisfaction(wf):
    rated = advance(wf, new_application(wf), ApplicationState.IN_SERVICE)
    unrated = advance(wf, new_application(wf), ApplicationState.IN_SERVICE)
    type(rated).objects.filter(pk__in=[rated.pk, unrated.pk]).update(in_service_at=at(date(2026, 6, 20)))
    DeliveryRating.objects.create(
        application=rated,
        organization=rated.organization,
        rating=4,
        rated_by=wf.applicant,
        rated_at=at(date(2026, 6, 21)),
    )
    v = compute_all(*JUNE)["delivery_satisfaction"]
    assert v.value == 4.0 and v.response_rate == 50.0 and v.evidence == [rated.pk]


@LATER
def test_query_count_is_constant(city, django_assert_max_num_queries):
    org = city.dept_a
    for n in range(3):
        incident(org, reported=at(date(2026, 6, 3 + n)), answered_after=timedelta(minutes=2))
    with django_assert_max_num_queries(30) as small:
        compute_all(*JUNE)
    for n in range(20):
        incident(
            org,
            reported=at(date(2026, 6, 3 + n)),
            answered_after=timedelta(minutes=2),
            closed_after=timedelta(hours=1),
            rating=4,
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        compute_all(*JUNE)
