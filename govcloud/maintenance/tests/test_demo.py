"""The maintenance demo: a window in each state, idempotent."""

from __future__ import annotations

import pytest
import time_machine

from govcloud.ledger.tests.helpers import adopt
from govcloud.maintenance import demo
from govcloud.maintenance.models import MaintenanceWindow, WindowState
from govcloud.maintenance.tests.helpers import NOW

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_window_in_each_state_and_runs_twice(m):
    adopt(m.city.dept_b, name="乙局数据库")
    users = {"provider_ops": m.provider, "center_admin": m.center}
    with time_machine.travel(NOW, tick=False):
        demo.load_demo(orgs={}, users=users)
        count = MaintenanceWindow.objects.count()
        demo.load_demo(orgs={}, users=users)
    assert MaintenanceWindow.objects.count() == count == 7
    states = set(MaintenanceWindow.objects.values_list("state", flat=True))
    assert states == {
        WindowState.APPROVED,
        WindowState.SUBMITTED,
        WindowState.RETURNED,
        WindowState.DRAFT,
        WindowState.COMPLETED,
    }
    assert MaintenanceWindow.objects.filter(platform_wide=True, state=WindowState.APPROVED).exists()


def test_the_demo_needs_the_provider_and_resources(m):
    demo.load_demo(orgs={}, users={})
    assert not MaintenanceWindow.objects.exists()
