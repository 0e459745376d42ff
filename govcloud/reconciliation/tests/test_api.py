"""The reconciliation REST API: discrepancies (list, detail, actions) and runs, with the allowed and
forbidden callers."""

from __future__ import annotations

import pytest

from govcloud.catalog.tests.helpers import api_for
from govcloud.core.actors import SYSTEM
from govcloud.core.roles import Role
from govcloud.ledger import services as ledger_services
from govcloud.ledger.tests.helpers import adopt, catalog_item
from govcloud.reconciliation import services
from govcloud.reconciliation.models import Discrepancy, DiscrepancyKind, DiscrepancyState, ReconciliationRun

pytestmark = pytest.mark.django_db

LIST = "/api/v1/discrepancies/"
RUNS = "/api/v1/reconciliation-runs/"


def detail(d, action: str = "") -> str:
    return f"{LIST}{d.pk}/" + (f"{action}/" if action else "")


@pytest.fixture
def found(city, cloud):
    a = adopt(city.dept_a, provider_ref="uuid-a", name="甲局主机")
    cloud.put(a.code, "uuid-a", vcpu=8)
    adopt(city.dept_b, provider_ref="uuid-b")
    ended = adopt(city.dept_a, provider_ref="uuid-ended")
    ledger_services.resource_terminate(actor=SYSTEM, resource=ended)
    cloud.put(ended.code, "uuid-ended")
    cloud.put("rogue", "uuid-rogue")
    services.reconciliation_run(actor=SYSTEM)
    return {
        "drift": Discrepancy.objects.get(kind=DiscrepancyKind.DRIFT),
        "missing": Discrepancy.objects.get(kind=DiscrepancyKind.MISSING),
        "owned": Discrepancy.objects.get(kind=DiscrepancyKind.SHADOW, organization=city.dept_a),
        "rogue": Discrepancy.objects.get(kind=DiscrepancyKind.SHADOW, organization=None),
    }


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_the_list_follows_the_scope_and_filters(city, found):
    everything = {d.pk for d in found.values()}
    for role in (Role.CENTER_ADMIN, Role.CENTER_REVIEWER, Role.PROVIDER_OPERATOR):
        assert ids(api_for(city.user(role)).get(LIST)) == everything, role
    assert ids(api_for(city.user(Role.DEPARTMENT_APPLICANT, org=city.dept_a)).get(LIST)) == {
        found["drift"].pk,
        found["owned"].pk,
    }
    assert ids(api_for(city.user(Role.DEPARTMENT_HEAD, org=city.dept_b)).get(LIST)) == {found["missing"].pk}
    assert ids(api_for(city.user(Role.FINANCE_VIEWER)).get(LIST)) == set()
    center = api_for(city.user(Role.CENTER_REVIEWER))
    assert ids(center.get(LIST, {"kind": "shadow"})) == {found["owned"].pk, found["rogue"].pk}
    assert ids(center.get(LIST, {"state": "dismissed"})) == set()
    assert ids(center.get(LIST, {"driver": "fake"})) == everything


def test_detail_shows_expected_observed_and_the_actions(city, found):
    admin = api_for(city.user(Role.CENTER_ADMIN))
    body = admin.get(detail(found["drift"])).json()
    assert body["fields"] == ["vcpu"]
    assert body["expected"]["columns"]["vcpu"] == 4 and body["observed"]["columns"]["vcpu"] == 8
    assert body["actions"] == ["open_incident", "dismiss"]
    assert admin.get(detail(found["rogue"])).json()["actions"] == [
        "adopt",
        "request_deletion",
        "open_incident",
        "dismiss",
    ]
    assert api_for(city.user(Role.DEPARTMENT_HEAD, org=city.dept_b)).get(detail(found["drift"])).status_code == 404


def test_adopt_through_the_api(city, found):
    body = {"organization": city.dept_a.pk, "catalog_item": catalog_item("host").pk, "name": "找回的主机"}
    assert api_for(city.user(Role.CENTER_REVIEWER)).post(detail(found["rogue"], "adopt"), body).status_code == 403
    response = api_for(city.user(Role.CENTER_ADMIN)).post(detail(found["rogue"], "adopt"), body)
    assert response.status_code == 200, response.content
    assert response.json()["state"] == DiscrepancyState.ADOPTED
    assert response.json()["resource_code"].startswith("TZ-VM-")
    again = api_for(city.user(Role.CENTER_ADMIN)).post(detail(found["rogue"], "adopt"), body)
    # Already adopted: the request conflicts with the discrepancy's state.
    assert again.status_code == 409 and "not possible" in str(again.json())


def test_deletion_request_and_confirmation_through_the_api(city, found, cloud, django_capture_on_commit_callbacks):
    d = found["owned"]
    admin = api_for(city.user(Role.CENTER_ADMIN))
    assert admin.post(detail(d, "request-deletion"), {}).status_code == 400
    assert admin.post(detail(d, "request-deletion"), {"note": "建议删除"}).json()["state"] == "deletion_requested"
    assert admin.post(detail(d, "confirm-deletion")).status_code == 403
    assert (
        api_for(city.user(Role.DEPARTMENT_HEAD, org=city.dept_b)).post(detail(d, "confirm-deletion")).status_code == 404
    )
    assert (
        api_for(city.user(Role.DEPARTMENT_APPLICANT, org=city.dept_a)).post(detail(d, "confirm-deletion")).status_code
        == 403
    )
    assert cloud.deleted == []
    head = api_for(city.user(Role.DEPARTMENT_HEAD, org=city.dept_a))
    with django_capture_on_commit_callbacks(execute=True):
        response = head.post(detail(d, "confirm-deletion"))
    assert response.status_code == 200
    d.refresh_from_db()
    assert d.state == DiscrepancyState.DELETED and cloud.deleted == [d.ref]


def test_incident_and_dismiss_through_the_api(city, found):
    operator = api_for(city.user(Role.PROVIDER_OPERATOR))
    response = operator.post(detail(found["missing"], "open-incident"), {"note": "查看宿主机"})
    assert response.status_code == 200 and response.json()["state"] == "incident_opened"
    assert operator.post(detail(found["drift"], "dismiss"), {"reason": "ok"}).status_code == 403
    admin = api_for(city.user(Role.CENTER_ADMIN))
    assert admin.post(detail(found["drift"], "dismiss"), {"reason": ""}).status_code == 400
    assert admin.post(detail(found["drift"], "dismiss"), {"reason": "已知扩容"}).json()["state"] == "dismissed"


def test_runs_list_and_start(city, found, django_capture_on_commit_callbacks):
    assert len(api_for(city.user(Role.PROVIDER_OPERATOR)).get(RUNS).json()["results"]) == 1
    assert api_for(city.user(Role.DEPARTMENT_HEAD)).get(RUNS).json()["results"] == []
    assert api_for(city.user(Role.CENTER_REVIEWER)).post(RUNS, {}).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(city.user(Role.CENTER_ADMIN)).post(RUNS, {"driver": "fake"}, format="json")
    assert response.status_code == 202
    assert ReconciliationRun.objects.count() == 2
    assert Discrepancy.objects.count() == 4  # the same discrepancies, seen again
