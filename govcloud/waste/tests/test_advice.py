"""Rightsizing advice: computed from the daily peaks with the headroom policy, rounded up to catalog
sizes, priced fen-exact; not given on too little data; superseded by a newer one; one click drafts
the pre-filled change application; dismissed with a reason (audited); another department's is 404."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from conftest import login
from govcloud.applications.models import ApplicationKind, ApplicationState
from govcloud.audit.models import AuditEvent
from govcloud.core.actors import SYSTEM
from govcloud.core.errors import StateConflict
from govcloud.core.policy import Policy
from govcloud.policies import services as policy_services
from govcloud.waste import services
from govcloud.waste.models import AdviceState, RightsizingAdvice
from govcloud.waste.tests.helpers import daily_peaks, host_from_application

pytestmark = pytest.mark.django_db


def oversized(w, **kwargs):
    host = host_from_application(w.city.dept_a, w.a_user, **kwargs)
    # 30 days: CPU peaks up to 20 % of 8 vCPU, memory up to 30 % of 16 GB.
    daily_peaks(host, [10.0 + (i % 10) for i in range(29)] + [20.0], [25.0] * 29 + [30.0])
    return host


def test_advice_rounds_the_peak_with_headroom_up_to_catalog_sizes_and_prices_the_saving(w):
    host = oversized(w)
    result = services.advice_generate(actor=SYSTEM)
    [advice] = result.created
    assert advice.resource == host and advice.state == AdviceState.OPEN
    # 8 × 20 % × 1.3 = 2.08 → 4 vCPU; 16 × 30 % × 1.3 = 6.24 → 8 GB.
    assert (advice.recommended_vcpu, advice.recommended_memory_gb) == (4, 8)
    assert (advice.current_vcpu, advice.current_memory_gb) == (8, 16)
    assert (advice.days, advice.window_days, advice.headroom_percent) == (30, 30, 30)
    assert (advice.cpu_peak, advice.memory_peak) == (20.0, 30.0)
    # 4 vCPU × 45.00 + 8 GB × 20.00 fewer a month, the disks unchanged.
    assert advice.monthly_saving == Decimal("340.00")
    assert advice.current_monthly - advice.recommended_monthly == advice.monthly_saving
    assert advice.price_list is not None
    assert len(advice.series) == 30 and advice.series[-1][1:] == [20.0, 30.0]


def test_the_headroom_is_a_policy(w):
    oversized(w)
    policy_services.policy_set(actor=w.center, key=Policy.RIGHTSIZING_HEADROOM_PERCENT, raw="100")
    [advice] = services.advice_generate(actor=SYSTEM).created
    # 8 × 20 % × 2 = 3.2 → 4 vCPU; 16 × 30 % × 2 = 9.6 → 16 GB (no change of memory).
    assert (advice.recommended_vcpu, advice.recommended_memory_gb, advice.headroom_percent) == (4, 16, 100)


def test_too_little_data_gives_no_advice(w):
    host = host_from_application(w.city.dept_a, w.a_user)
    daily_peaks(host, [5.0] * 10, [5.0] * 10)
    result = services.advice_generate(actor=SYSTEM)
    assert result.created == [] and result.skipped_little_data == 1
    policy_services.policy_set(actor=w.center, key=Policy.RIGHTSIZING_MIN_DAYS, raw="10")
    assert len(services.advice_generate(actor=SYSTEM).created) == 1


def test_a_resource_that_fits_gets_no_advice(w):
    host = host_from_application(w.city.dept_a, w.a_user, vcpu=2, memory=4)
    daily_peaks(host, [70.0] * 30, [70.0] * 30)
    assert services.advice_generate(actor=SYSTEM).created == []


def test_a_newer_advice_supersedes_the_open_one(w):
    oversized(w)
    [first] = services.advice_generate(actor=SYSTEM).created
    [second] = services.advice_generate(actor=SYSTEM).created
    first.refresh_from_db()
    assert first.state == AdviceState.SUPERSEDED and second.state == AdviceState.OPEN
    assert RightsizingAdvice.objects.filter(state=AdviceState.OPEN).count() == 1


def test_one_click_drafts_the_change_application_pre_filled(w, client):
    host = oversized(w)
    [advice] = services.advice_generate(actor=SYSTEM).created
    login(client, w.a_user)
    response = client.post(reverse("waste:advice_accept", kwargs={"pk": advice.pk}))
    advice.refresh_from_db()
    application = advice.application
    assert response.status_code == 302
    assert response["Location"] == reverse("applications:application_edit", kwargs={"pk": application.pk})
    assert advice.state == AdviceState.ACCEPTED and advice.decided_by_name == "甲局申请人"
    assert application.kind == ApplicationKind.CHANGE and application.state == ApplicationState.DRAFT
    assert application.created_by == w.a_user and application.system == host.system
    [item] = application.items.all()
    assert item.target_resource == host
    assert (item.spec["vcpu"], item.spec["memory_gb"]) == (4, 8)
    assert item.current_spec["vcpu"] == 8
    assert AuditEvent.objects.filter(action="rightsizing.accept", object_id=str(advice.pk)).exists()
    # The edit form shows the recommended size.
    page = client.get(response["Location"]).content.decode()
    assert host.code in page
    # Twice is a conflict, nothing more is drafted.
    with pytest.raises(StateConflict):
        services.advice_accept(actor=w.a_user, advice=advice)


def test_dismiss_with_a_reason_is_audited(w, client):
    oversized(w)
    [advice] = services.advice_generate(actor=SYSTEM).created
    login(client, w.a_user)
    url = reverse("waste:advice_dismiss", kwargs={"pk": advice.pk})
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 400
    advice.refresh_from_db()
    assert advice.state == AdviceState.OPEN
    response = client.post(url, {"reason": "年底业务高峰，需保留"})
    assert response.status_code == 302
    advice.refresh_from_db()
    assert advice.state == AdviceState.DISMISSED and advice.dismiss_reason == "年底业务高峰，需保留"
    event = AuditEvent.objects.get(action="rightsizing.dismiss", object_id=str(advice.pk))
    assert event.message == "年底业务高峰，需保留"
    # The same recommendation is not made again.
    assert services.advice_generate(actor=SYSTEM).created == []


def test_dismiss_needs_a_reason_in_the_service(w):
    oversized(w)
    [advice] = services.advice_generate(actor=SYSTEM).created
    with pytest.raises(ValidationError):
        services.advice_dismiss(actor=w.a_user, advice=advice, reason="")


def test_another_departments_advice_is_404(w, client):
    oversized(w)
    [advice] = services.advice_generate(actor=SYSTEM).created
    login(client, w.b_user)
    assert client.get(reverse("waste:advice_detail", kwargs={"pk": advice.pk})).status_code == 404
    assert client.post(reverse("waste:advice_accept", kwargs={"pk": advice.pk})).status_code == 404
    assert client.post(reverse("waste:advice_dismiss", kwargs={"pk": advice.pk}), {"reason": "x y"}).status_code == 404
    assert advice.__class__.objects.get(pk=advice.pk).state == AdviceState.OPEN
    assert w.b_user.pk not in [None]
    api = APIClient()
    api.force_authenticate(w.b_user)
    assert api.get(f"/api/v1/waste/rightsizing-advice/{advice.pk}/").status_code == 404
    assert api.post(f"/api/v1/waste/rightsizing-advice/{advice.pk}/accept/").status_code == 404
    assert api.get("/api/v1/waste/rightsizing-advice/").json()["count"] == 0


def test_the_center_reads_but_does_not_decide(w, client):
    oversized(w)
    [advice] = services.advice_generate(actor=SYSTEM).created
    login(client, w.center)
    page = client.get(reverse("waste:advice_list"))
    assert page.status_code == 200 and "340.00" in page.content.decode()
    assert client.post(reverse("waste:advice_accept", kwargs={"pk": advice.pk})).status_code == 403


def test_api_accept_and_dismiss(w):
    oversized(w)
    [advice] = services.advice_generate(actor=SYSTEM).created
    api = APIClient()
    api.force_authenticate(w.a_user)
    body = api.get(f"/api/v1/waste/rightsizing-advice/{advice.pk}/").json()
    assert body["monthly_saving"] == "340.00" and len(body["series"]) == 30
    response = api.post(f"/api/v1/waste/rightsizing-advice/{advice.pk}/accept/")
    assert response.status_code == 201, response.content
    assert response.json()["advice"]["state"] == "accepted"
    again = api.post(f"/api/v1/waste/rightsizing-advice/{advice.pk}/dismiss/", {"reason": "不需要"}, format="json")
    assert again.status_code == 409


def _count(client, url) -> int:
    client.get(url)  # warm the caches (policies) and the idle-session save, as a running server has them
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_pages_run_a_constant_number_of_queries(w, client):
    oversized(w, name="服务器")
    services.advice_generate(actor=SYSTEM)
    urls = [reverse("waste:advice_list"), "/api/v1/waste/rightsizing-advice/", reverse("waste:expiry_list")]
    small = {}
    for user in (w.a_user, w.center):
        login(client, user)
        small[user.pk] = [_count(client, url) for url in urls]
    for i in range(6):
        oversized(w, name=f"服务器{i}")
    services.advice_generate(actor=SYSTEM)
    for user in (w.a_user, w.center):
        login(client, user)
        large = [_count(client, url) for url in urls]
        assert large == small[user.pk]
        assert max(large) <= 10, large
    advice = RightsizingAdvice.objects.filter(state=AdviceState.OPEN).first()
    assert _count(client, reverse("waste:advice_detail", kwargs={"pk": advice.pk})) <= 10
