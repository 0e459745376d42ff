"""The service desk demo: a roster and incidents in each state, through the services; idempotent,
with a verifiable audit chain."""

from __future__ import annotations

import pytest

from govcloud.audit.chain import verify_chain
from govcloud.incidents.models import DutyShift, Incident, IncidentState, MajorIncidentReport
from govcloud.web import demo as web_demo

pytestmark = pytest.mark.django_db


def test_the_demo_is_idempotent_and_covers_the_states(settings):
    settings.DEBUG = True
    web_demo.load_demo()
    counts = (Incident.objects.count(), DutyShift.objects.count())
    web_demo.load_demo()
    assert (Incident.objects.count(), DutyShift.objects.count()) == counts
    states = set(Incident.objects.values_list("state", flat=True))
    assert {IncidentState.CLOSED, IncidentState.IN_PROGRESS, IncidentState.RESPONDED, IncidentState.REPORTED} <= states
    assert MajorIncidentReport.objects.count() == 1
    assert Incident.objects.filter(responded_in_time=False).exists()
    assert Incident.objects.filter(rating=5).exists()
    assert verify_chain().ok
