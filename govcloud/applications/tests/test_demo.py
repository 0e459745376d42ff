"""The demo applications: every stage the demo promises, idempotent."""

from __future__ import annotations

import pytest
from django.utils import timezone

from govcloud.applications import demo
from govcloud.applications.models import Application, ApplicationState
from govcloud.delivery.models import WorkOrder
from govcloud.ledger.models import Resource, ResourceState

pytestmark = pytest.mark.django_db


def test_the_demo_walks_the_lifecycle_and_is_idempotent(settings):
    from govcloud.web.demo import load_demo

    load_demo()  # organizations, users, systems, security (and whatever the lead wires in)
    from govcloud.organizations.models import Organization, User
    from govcloud.web.demo import ORGANIZATIONS, USERS, make_credit_code

    orgs = {
        spec.key: Organization.objects.get(credit_code=make_credit_code(71_000_000 + i * 37))
        for i, spec in enumerate(ORGANIZATIONS, start=1)
    }
    users = {u.username: u for u in User.objects.filter(username__in=[row[0] for row in USERS])}
    demo.load_demo(orgs=orgs, users=users)
    counts = (Application.objects.count(), WorkOrder.objects.count(), Resource.objects.count())
    demo.load_demo(orgs=orgs, users=users)
    assert (Application.objects.count(), WorkOrder.objects.count(), Resource.objects.count()) == counts
    states = set(Application.objects.values_list("state", flat=True))
    assert {
        ApplicationState.SUBMITTED,
        ApplicationState.RETURNED,
        ApplicationState.DELIVERED,
        ApplicationState.IN_DELIVERY,
        ApplicationState.IN_SERVICE,
        ApplicationState.ACCEPTED,
    } <= states
    assert WorkOrder.objects.filter(state="claimed", due_at__lt=timezone.now()).exists()
    in_service = Application.objects.get(state=ApplicationState.IN_SERVICE, organization=orgs["hailing"])
    assert in_service.created_resources.filter(state=ResourceState.IN_SERVICE).count() == 3
    assert Application.objects.filter(kind="termination", state=ApplicationState.ACCEPTED).exists()
    delivered = Application.objects.get(state=ApplicationState.DELIVERED)
    from govcloud.applications.gates import go_live_verdict

    assert not go_live_verdict(delivered).cleared
