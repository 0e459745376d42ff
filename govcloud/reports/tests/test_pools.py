"""The center's resource pools: created and edited by the center administrator, audited."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from govcloud.audit.models import AuditEvent
from govcloud.reports.models import PoolKind, ResourcePool
from govcloud.reports.services import resource_pool_create, resource_pool_update

pytestmark = pytest.mark.django_db


def test_center_records_and_changes_a_pool(mon):
    pool = resource_pool_create(actor=mon.center, name="计算资源池", kind=PoolKind.COMPUTE, capacity=1200)
    pool = resource_pool_update(actor=mon.center, pool=pool, name="计算资源池", kind=PoolKind.COMPUTE, capacity=1600)
    assert pool.capacity == 1600 and pool.updated_by == "中心管理员"
    changes = json.loads(AuditEvent.objects.get(action="resource_pool.update").changes)
    assert changes["before"]["capacity"] == 1200 and changes["after"]["capacity"] == 1600


def test_only_the_center_admin_and_only_sensible_values(mon):
    for actor in (mon.provider, mon.a_user):
        with pytest.raises(PermissionDenied):
            resource_pool_create(actor=actor, name="x", kind=PoolKind.MEMORY, capacity=1)
    for name, kind, capacity in (("", PoolKind.MEMORY, 1), ("x", "gpu", 1), ("x", PoolKind.MEMORY, -1)):
        with pytest.raises(ValidationError):
            resource_pool_create(actor=mon.center, name=name, kind=kind, capacity=capacity)
    resource_pool_create(actor=mon.center, name="x", kind=PoolKind.MEMORY, capacity=1)
    with pytest.raises(ValidationError):
        resource_pool_create(actor=mon.center, name="x", kind=PoolKind.STORAGE, capacity=1)
    assert ResourcePool.objects.count() == 1


def test_nothing_is_available_of_a_pool_never_recorded(mon):
    """The analysis report said "-8.0 available" of compute the center had not recorded a pool for."""
    from django.utils import timezone

    from govcloud.reports.analysis import capacity_figures

    month = timezone.localdate().replace(day=1)
    kinds = {k["kind"]: k for k in capacity_figures(month)["kinds"]}
    assert kinds, "the fixture's resources are in use"
    assert all(k["available"] is None for k in kinds.values())
    resource_pool_create(actor=mon.center, name="计算资源池", kind=PoolKind.COMPUTE, capacity=1200)
    kinds = {k["kind"]: k for k in capacity_figures(month)["kinds"]}
    assert kinds[PoolKind.COMPUTE]["available"] == round(1200 - kinds[PoolKind.COMPUTE]["used"], 1)
