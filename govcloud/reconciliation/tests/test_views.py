"""Reconciliation pages: the list with the run history and the run button, the detail with ledger
against cloud and the actions, in English and Chinese."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from conftest import login
from govcloud.core.actors import SYSTEM
from govcloud.core.roles import Role
from govcloud.ledger import services as ledger_services
from govcloud.ledger.tests.helpers import adopt, catalog_item
from govcloud.reconciliation import services
from govcloud.reconciliation.models import Discrepancy, DiscrepancyKind, DiscrepancyState, ReconciliationRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def found(city, cloud):
    a = adopt(city.dept_a, provider_ref="uuid-a")
    cloud.put(a.code, "uuid-a", vcpu=8)
    ended = adopt(city.dept_a, provider_ref="uuid-ended")
    ledger_services.resource_terminate(actor=SYSTEM, resource=ended)
    cloud.put(ended.code, "uuid-ended")
    cloud.put("rogue-vm", "uuid-rogue")
    services.reconciliation_run(actor=SYSTEM)
    return {
        "drift": Discrepancy.objects.get(kind=DiscrepancyKind.DRIFT),
        "owned": Discrepancy.objects.get(kind=DiscrepancyKind.SHADOW, organization=city.dept_a),
        "rogue": Discrepancy.objects.get(kind=DiscrepancyKind.SHADOW, organization=None),
    }


def english(client, user):
    login(client, user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


LIST = reverse("reconciliation:discrepancy_list")


def test_the_center_sees_every_discrepancy_and_the_runs(client, city, found):
    english(client, city.user(Role.CENTER_ADMIN))
    page = client.get(LIST).content.decode()
    assert page.count('data-testid="discrepancy-row"') == 3
    assert 'data-testid="run-now"' in page and 'data-testid="run-row"' in page
    assert "rogue-vm" in page
    filtered = client.get(LIST, {"kind": "drift"}).content.decode()
    assert filtered.count('data-testid="discrepancy-row"') == 1


def test_chinese_is_the_default(client, city, found):
    login(client, city.user(Role.CENTER_REVIEWER))
    assert client.get(LIST).status_code == 200


def test_run_now_is_the_center_administrators(client, city, cloud, django_capture_on_commit_callbacks):
    login(client, city.user(Role.CENTER_REVIEWER))
    assert client.post(reverse("reconciliation:run_now")).status_code == 403
    english(client, city.user(Role.CENTER_ADMIN))
    cloud.put("rogue-vm", "uuid-rogue")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reconciliation:run_now"))
    assert response.status_code == 302
    assert ReconciliationRun.objects.get().shadow_count == 1


def test_detail_compares_and_offers_the_actions(client, city, found):
    english(client, city.user(Role.CENTER_ADMIN))
    page = client.get(reverse("reconciliation:discrepancy_detail", args=[found["drift"].pk])).content.decode()
    assert 'data-testid="comparison-row"' in page and "table-warning" in page
    assert 'data-testid="incident-form"' in page and 'data-testid="dismiss-form"' in page
    assert 'data-testid="adopt-form"' not in page
    page = client.get(reverse("reconciliation:discrepancy_detail", args=[found["rogue"].pk])).content.decode()
    assert 'data-testid="adopt-form"' in page and 'data-testid="deletion-form"' in page


def test_adopt_and_dismiss_from_the_page(client, city, found):
    english(client, city.user(Role.CENTER_ADMIN))
    url = reverse("reconciliation:discrepancy_action", args=[found["rogue"].pk, "adopt"])
    bad = client.post(url, {"organization": city.dept_a.pk})
    assert bad.status_code == 200 and "This field is required" in bad.content.decode()
    response = client.post(url, {"organization": city.dept_a.pk, "catalog_item": catalog_item("host").pk})
    assert response.status_code == 302
    found["rogue"].refresh_from_db()
    assert found["rogue"].state == DiscrepancyState.ADOPTED
    url = reverse("reconciliation:discrepancy_action", args=[found["drift"].pk, "dismiss"])
    empty = client.post(url, {"dismiss-reason": ""})
    assert empty.status_code == 200
    assert client.post(url, {"dismiss-reason": "已知"}).status_code == 302
    found["drift"].refresh_from_db()
    assert found["drift"].state == DiscrepancyState.DISMISSED
    assert (
        client.post(reverse("reconciliation:discrepancy_action", args=[found["drift"].pk, "nope"])).status_code == 404
    )


def test_the_department_confirms_deletion_on_the_page(client, city, found, cloud, django_capture_on_commit_callbacks):
    admin = city.user(Role.CENTER_ADMIN)
    services.discrepancy_request_deletion(actor=admin, discrepancy=found["owned"], note="无人使用")
    english(client, city.user(Role.DEPARTMENT_HEAD, org=city.dept_a))
    page = client.get(LIST).content.decode()
    assert 'data-testid="awaiting"' in page
    assert page.count('data-testid="discrepancy-row"') == 2  # its drift and its shadow; not the rogue one
    detail = client.get(reverse("reconciliation:discrepancy_detail", args=[found["owned"].pk])).content.decode()
    assert 'data-testid="confirm-deletion"' in detail
    url = reverse("reconciliation:discrepancy_action", args=[found["owned"].pk, "confirm-deletion"])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    found["owned"].refresh_from_db()
    assert found["owned"].state == DiscrepancyState.DELETED and cloud.deleted == [found["owned"].ref]


def test_forbidden_and_out_of_scope_pages(client, city, found):
    login(client, city.user(Role.FINANCE_VIEWER))
    assert client.get(LIST).status_code == 403
    login(client, city.user(Role.DEPARTMENT_HEAD, org=city.dept_b))
    assert client.get(reverse("reconciliation:discrepancy_detail", args=[found["drift"].pk])).status_code == 404
    url = reverse("reconciliation:discrepancy_action", args=[found["owned"].pk, "confirm-deletion"])
    assert client.post(url).status_code == 404
    login(client, city.user(Role.DEPARTMENT_APPLICANT, org=city.dept_a))
    url = reverse("reconciliation:discrepancy_action", args=[found["drift"].pk, "dismiss"])
    assert client.post(url, {"dismiss-reason": "x"}).status_code == 403


def test_opening_an_incident_from_the_page_links_the_service_desk_incident(client, city, found):
    from govcloud.incidents.models import Incident

    english(client, city.user(Role.CENTER_ADMIN))
    drift = found["drift"]
    url = reverse("reconciliation:discrepancy_action", args=[drift.pk, "open-incident"])
    assert client.post(url, {"incident-note": "规格与账不符"}).status_code == 302
    incident = Incident.objects.get(source_key=f"reconciliation:{drift.pk}")
    page = client.get(reverse("reconciliation:discrepancy_detail", args=[drift.pk])).content.decode()
    assert reverse("incidents:incident_detail", args=[incident.pk]) in page and incident.number in page
