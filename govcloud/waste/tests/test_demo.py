"""The demo city shows waste control at once: advice with savings (one dismissed with a reason) and
terms due soon (one termination drafted)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import login
from govcloud.organizations.models import User
from govcloud.waste.models import AdviceState, Expiry, ExpiryState, RightsizingAdvice
from govcloud.web.demo import load_demo

pytestmark = pytest.mark.django_db


def test_the_demo_city_has_advice_and_terms_due(client):
    load_demo()
    idle = RightsizingAdvice.objects.get(resource__name="交通违法-前置服务器", state=AdviceState.OPEN)
    assert idle.monthly_saving > 0 and idle.recommended_vcpu < idle.current_vcpu
    assert RightsizingAdvice.objects.filter(state=AdviceState.DISMISSED).exclude(dismiss_reason="").exists()
    assert Expiry.objects.filter(state=ExpiryState.DUE, termination_application__isnull=False).exists()
    assert Expiry.objects.filter(state=ExpiryState.UPCOMING).exists()
    counts = (RightsizingAdvice.objects.count(), Expiry.objects.count())
    load_demo()  # again: nothing doubles
    assert (RightsizingAdvice.objects.count(), Expiry.objects.count()) == counts
    login(client, User.objects.get(username="center_admin"))
    page = client.get(reverse("waste:advice_list")).content.decode()
    assert idle.resource.code in page and 'data-testid="advice-departments"' in page
