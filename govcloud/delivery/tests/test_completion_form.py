"""The provider's completion form: each address's network is a choice (政务外网 / 互联网), not a word
typed before the address (issue 16 §4: providers typed "extranet"/"internet" into the field)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import login
from govcloud.applications.models import ApplicationState
from govcloud.applications.tests.helpers import HOST_SPEC, advance, new_application
from govcloud.delivery import services
from govcloud.delivery.forms import CompletionForm
from govcloud.delivery.models import WorkOrder, WorkOrderState
from govcloud.ledger.models import Resource

pytestmark = pytest.mark.django_db


@pytest.fixture
def claimed(wf):
    app = advance(wf, new_application(wf), ApplicationState.IN_DELIVERY)
    order = WorkOrder.objects.get(application=app)
    return services.work_order_claim(actor=wf.provider, work_order=order)


def completion(order, **addresses) -> dict:
    data = {"note": "已交付"}
    for n in range(order.item.approved_quantity):
        data[f"r{n}_name"] = f"web-{n}"
        data.update({f"r{n}_spec_{k}": v for k, v in HOST_SPEC.items()})
        data[f"r{n}_addr0_network"] = "extranet"
        data[f"r{n}_addr0_address"] = f"10.2.0.{n + 1}"
        data[f"r{n}_addr1_network"] = "extranet"
    data.update(addresses)
    return data


def test_the_network_of_an_address_is_chosen_from_the_catalog_names(wf, client, claimed):
    login(client, wf.provider)
    page = client.get(reverse("delivery:work_order_detail", kwargs={"pk": claimed.pk})).content.decode()
    assert '<select name="r0_addr0_network"' in page
    assert "政务外网" in page and "互联网" in page
    response = client.post(
        reverse("delivery:work_order_complete", kwargs={"pk": claimed.pk}),
        completion(claimed, r0_addr1_network="internet", r0_addr1_address="58.222.1.9", r0_addr1_domain="www.x.gov.cn"),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    claimed.refresh_from_db()
    assert claimed.state == WorkOrderState.COMPLETED
    first = Resource.objects.get(name="web-0")
    assert first.addresses == [
        {"network": "extranet", "address": "10.2.0.1", "domain": ""},
        {"network": "internet", "address": "58.222.1.9", "domain": "www.x.gov.cn"},
    ]


def test_a_network_outside_the_choices_or_a_bad_address_is_refused(wf, client, claimed):
    login(client, wf.provider)
    url = reverse("delivery:work_order_complete", kwargs={"pk": claimed.pk})
    assert client.post(url, completion(claimed, r0_addr0_network="intranet")).status_code == 400
    assert client.post(url, completion(claimed, r0_addr0_address="extranet 10.2.0.1")).status_code == 400
    claimed.refresh_from_db()
    assert claimed.state != WorkOrderState.COMPLETED


def test_each_address_and_the_delivered_spec_begin_a_line_of_their_own(claimed):
    """The screenshot at 1280 px showed an address's network beside the resource's name and its
    address on the next line: each address row (network, address, domain) and the spec start a line."""
    form = CompletionForm(work_order=claimed)
    number, fields = form.grouped()[0]
    starts = [field.name for field, new_line in fields if new_line]
    assert starts == ["r0_addr0_network", "r0_addr1_network", f"r0_spec_{next(iter(HOST_SPEC))}"]
