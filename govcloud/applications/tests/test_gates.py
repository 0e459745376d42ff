"""The gates before going into service (开通), each blocking reason shown (Art. 11, Annex 1)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from govcloud.applications import services
from govcloud.applications.gates import go_live_verdict, is_internet_access
from govcloud.applications.models import ApplicationState, Environment
from govcloud.applications.tests.helpers import advance, host_row, item, new_application, system_for
from govcloud.core.actors import SYSTEM
from govcloud.ledger.models import Resource, ResourceState
from govcloud.security import services as security
from govcloud.systems import services as systems

pytestmark = pytest.mark.django_db
S = ApplicationState


def internet_row(addresses: int = 1):
    return services.ItemInput(
        catalog_item=item("network-internet"), spec={"bandwidth_mbps": 20, "public_addresses": addresses}
    )


def make_compliant(system):
    systems.filing_record(
        actor=SYSTEM,
        system=system,
        filing_number="32120099202600001",
        filed_on=timezone.localdate() - timedelta(days=200),
        filing_authority="泰州市公安局网络安全保卫支队",
    )
    systems.assessment_record(
        actor=SYSTEM,
        system=system,
        assessing_body="江苏省信息安全测评中心",
        assessed_on=timezone.localdate() - timedelta(days=30),
        score="86.50",
        conclusion="pass",
    )


def file_addresses(wf, application):
    for resource in Resource.objects.filter(origin_application=application):
        for entry in resource.addresses:
            if entry["network"] == "internet":
                filing = security.address_filing_create(
                    actor=wf.applicant, system=application.system, address=entry["address"]
                )
                security.address_filing_submit(actor=wf.applicant, filing=filing)
                security.address_filing_complete(actor=wf.admin, filing=filing, reference=f"TZ-BA-{filing.pk}")


def accept_refused(wf, app, *fragments):
    with pytest.raises(ValidationError) as info:
        services.application_accept_delivery(actor=wf.applicant, application=app)
    text = " ".join(info.value.messages)
    for fragment in fragments:
        assert fragment in text, text
    app.refresh_from_db()
    assert app.state == S.DELIVERED
    assert set(Resource.objects.filter(origin_application=app).values_list("state", flat=True)) == {
        ResourceState.TESTING
    }


def test_a_test_environment_without_internet_passes_no_gate(wf):
    app = advance(wf, new_application(wf, environment=Environment.TEST), S.DELIVERED)
    verdict = go_live_verdict(app)
    assert verdict.cleared and verdict.checks == []


def test_production_needs_the_system_cleared_for_go_live(wf):
    system = system_for(wf.city.dept_a, name="生产系统", protection_level=3)
    app = advance(wf, new_application(wf, system=system, environment=Environment.PRODUCTION), S.DELIVERED)
    verdict = go_live_verdict(app)
    assert not verdict.cleared and verdict.checks[0].key == "mlps"
    accept_refused(wf, app, "grading filing number", "passing MLPS assessment")
    make_compliant(system)
    assert go_live_verdict(app).cleared
    assert services.application_accept_delivery(actor=wf.applicant, application=app).state == S.IN_SERVICE


def test_a_system_retired_since_the_application_does_not_go_live(wf):
    system = system_for(wf.city.dept_a, name="合规系统", protection_level=2)
    make_compliant(system)
    app = advance(wf, new_application(wf, system=system, environment=Environment.PRODUCTION), S.DELIVERED)
    type(system).objects.filter(pk=system.pk).update(is_active=False)
    accept_refused(wf, app, "retired")


def test_internet_access_needs_each_public_address_filed(wf):
    system = system_for(wf.city.dept_a, name="门户网站", internet_facing=True)
    app = new_application(wf, system=system, rows=[host_row(1), internet_row(2)])
    assert is_internet_access(item("network-internet")) and not is_internet_access(item("network-extranet"))
    app = advance(wf, app, S.IN_DELIVERY)
    early = go_live_verdict(app)
    assert not early.cleared and any("no public address has been delivered" in r for r in early.reasons)
    app = advance(wf, app, S.DELIVERED)
    accept_refused(wf, app, "has no address filing", "has no complete address filing")
    file_addresses(wf, app)
    verdict = go_live_verdict(app)
    assert verdict.cleared, verdict.reasons
    assert services.application_accept_delivery(actor=wf.applicant, application=app).state == S.IN_SERVICE


def test_an_internet_facing_system_needs_its_filings_complete(wf):
    system = system_for(wf.city.dept_a, name="对外服务", internet_facing=True)
    app = advance(wf, new_application(wf, system=system), S.DELIVERED)
    accept_refused(wf, app, "is internet-facing but has no address filing")
    filing = security.address_filing_create(actor=wf.applicant, system=system, address="58.222.1.1")
    accept_refused(wf, app, "58.222.1.1 is not complete")
    security.address_filing_submit(actor=wf.applicant, filing=filing)
    security.address_filing_complete(actor=wf.admin, filing=filing, reference="TZ-BA-1")
    assert services.application_accept_delivery(actor=wf.applicant, application=app).state == S.IN_SERVICE


def test_internet_access_on_a_system_not_marked_internet_facing(wf):
    app = advance(wf, new_application(wf, rows=[internet_row(1)]), S.DELIVERED)
    accept_refused(wf, app, "is not marked internet-facing")


def test_the_gate_is_shown_on_the_page_before_the_department_accepts(wf, client):
    from django.urls import reverse

    from conftest import login

    system = system_for(wf.city.dept_a, name="对外服务", internet_facing=True)
    app = advance(wf, new_application(wf, system=system), S.DELIVERED)
    login(client, wf.applicant)
    body = client.get(reverse("applications:application_detail", kwargs={"pk": app.pk})).content.decode()
    assert 'data-testid="gate-verdict" data-cleared="false"' in body
    assert 'data-testid="gate-address_filing" data-cleared="false"' in body
    assert "/security/" in body  # links to the address filings and port requests
    response = client.post(reverse("applications:application_step", kwargs={"pk": app.pk, "action": "accept_delivery"}))
    assert response.status_code == 400 and 'data-testid="step-errors"' in response.content.decode()


def test_delivered_public_addresses_must_be_internet_addresses(wf):
    from govcloud.applications.tests.test_workflow import services_complete
    from govcloud.delivery.models import WorkOrder

    system = system_for(wf.city.dept_a, name="门户", internet_facing=True)
    app = advance(wf, new_application(wf, system=system, rows=[internet_row(1)]), S.IN_DELIVERY)
    order = WorkOrder.objects.get(application=app)
    spec = order.item.approved_spec
    with pytest.raises(ValidationError, match="not a public internet address"):
        services_complete(
            wf, order, [{"name": "x", "spec": spec, "addresses": [{"network": "internet", "address": "10.0.0.1"}]}]
        )
    with pytest.raises(ValidationError, match="public \\(internet\\) address"):
        services_complete(wf, order, [{"name": "x", "spec": spec, "addresses": []}])
