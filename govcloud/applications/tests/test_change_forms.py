"""The change and termination forms (issue 16 §4): resources offered for the chosen system only and
never one another application in progress already names; a unit's resource is the department's
own; the estimate shows a change's cost against today's and a termination's monthly saving; a
termination asks for no quota justification."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse

from conftest import login
from govcloud.applications import services
from govcloud.applications.models import ApplicationKind
from govcloud.applications.tests.helpers import in_service_resource, new_application
from govcloud.ledger.models import Resource

pytestmark = pytest.mark.django_db


def form(client, kind: str) -> str:
    return client.get(reverse("applications:application_create") + f"?kind={kind}").content.decode()


def test_each_resource_names_its_system_and_claimed_ones_are_not_offered(wf, client):
    free = in_service_resource(wf)
    claimed = in_service_resource(wf)
    new_application(wf, kind=ApplicationKind.TERMINATION, rows=[services.ItemInput(target_resource=claimed)],
                    termination_mode="handover", termination_date=date(2030, 1, 1))  # fmt: skip
    login(client, wf.applicant)
    page = form(client, "change")
    assert re.search(rf'<option value="{free.pk}" data-system="{wf.system.pk}"', page)
    assert f'<option value="{claimed.pk}"' not in page
    assert "data-resource-chooser" in page


def test_a_resource_of_the_departments_own_unit_may_be_changed(wf):
    resource = in_service_resource(wf)
    Resource.objects.filter(pk=resource.pk).update(organization=wf.city.unit_a)
    resource.refresh_from_db()
    values = services.clean_item(
        kind=ApplicationKind.TERMINATION, system=wf.system, row=services.ItemInput(target_resource=resource)
    )
    assert values["target_resource"] == resource


def test_the_estimate_shows_a_changes_cost_against_todays_and_a_terminations_saving(wf, client):
    resource = in_service_resource(wf)
    login(client, wf.applicant)
    base = {"system": wf.system.pk, "items-0-target_resource": resource.pk}
    change = client.post(
        reverse("applications:estimate"), {**base, "kind": "change", "items-0-spec_vcpu": "8"}
    ).content.decode()
    assert 'data-testid="cost-change"' in change and "→" in change and "（+¥" in change and "/月）" in change
    assert 'data-testid="total-change"' in change
    termination = client.post(reverse("applications:estimate"), {**base, "kind": "termination"}).content.decode()
    assert 'data-testid="saving"' in termination and "每月节省" in termination and "节省 ¥" in termination


def test_a_termination_asks_for_no_quota_justification(wf, client):
    login(client, wf.applicant)
    assert 'name="quota_justification"' not in form(client, "termination")
    assert 'name="quota_justification"' in form(client, "change")
