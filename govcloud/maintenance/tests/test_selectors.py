"""What other apps ask (in_maintenance and its set-based variants) and who sees which window."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from django.http import Http404

from govcloud.maintenance import selectors, services
from govcloud.maintenance.tests.helpers import NOW, SH, approved, draft

pytestmark = pytest.mark.django_db

START = datetime(2026, 6, 5, 22, 0, tzinfo=SH)
END = START + timedelta(hours=4)
DURING = START + timedelta(hours=1)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def window(m, **kwargs):
    return approved(m, start=START, end=END, **kwargs)


def test_a_listed_resource_is_in_maintenance_during_the_window_only(m):
    window(m, resources=[m.res_a])
    assert not selectors.in_maintenance(resource=m.res_a, at=START - timedelta(seconds=1))
    assert selectors.in_maintenance(resource=m.res_a, at=START)
    assert selectors.in_maintenance(resource=m.res_a.pk, at=DURING)
    assert not selectors.in_maintenance(resource=m.res_a, at=END)  # [start, end)
    assert not selectors.in_maintenance(resource=m.res_a2, at=DURING)  # same owner, not listed
    assert not selectors.in_maintenance(resource=m.res_b, at=DURING)


def test_a_whole_department_covers_its_units(m):
    window(m, resources=[], departments=[m.city.dept_a])
    assert selectors.resources_in_maintenance(
        resource_ids=[m.res_a.pk, m.res_a2.pk, m.res_unit.pk, m.res_b.pk], at=DURING
    ) == {m.res_a.pk, m.res_a2.pk, m.res_unit.pk}


def test_a_platform_wide_window_covers_everything(m):
    window(m, resources=[], platform_wide=True)
    ids = [m.res_a.pk, m.res_b.pk, m.res_unit.pk]
    assert selectors.resources_in_maintenance(resource_ids=ids, at=DURING) == set(ids)


def test_only_approved_windows_count(m):
    pending = draft(m, start=START, end=END, resources=[m.res_a])
    services.window_submit(actor=m.provider, window=pending)
    assert not selectors.in_maintenance(resource=m.res_a, at=DURING)
    cancelled = window(m, resources=[m.res_b])
    services.window_cancel(actor=m.center, window=cancelled, comment="取消")
    assert not selectors.in_maintenance(resource=m.res_b, at=DURING)


def test_a_window_completed_early_stops_covering(m, frozen):
    w = window(m, resources=[m.res_a])
    frozen.move_to(START + timedelta(minutes=10))
    services.window_start(actor=m.provider, window=w)
    frozen.move_to(START + timedelta(minutes=30))
    services.window_complete(actor=m.provider, window=w)
    assert selectors.in_maintenance(resource=m.res_a, at=START + timedelta(minutes=20))
    assert not selectors.in_maintenance(resource=m.res_a, at=START + timedelta(minutes=31))


def test_the_set_based_variant_takes_constant_queries(m, django_assert_max_num_queries):
    window(m, resources=[m.res_a], departments=[m.city.dept_b])
    window(m, resources=[m.res_unit])
    ids = [m.res_a.pk, m.res_a2.pk, m.res_unit.pk, m.res_b.pk]
    with django_assert_max_num_queries(4):
        covered = selectors.resources_in_maintenance(resource_ids=ids, at=DURING)
    assert covered == {m.res_a.pk, m.res_unit.pk, m.res_b.pk}


def test_planned_periods_are_clipped_and_merged(m):
    window(m, resources=[m.res_a])
    approved(m, start=END - timedelta(hours=1), end=END + timedelta(hours=2), resources=[m.res_a, m.res_b])
    day = datetime(2026, 6, 5, 12, 0, tzinfo=SH), datetime(2026, 6, 6, 3, 0, tzinfo=SH)
    periods = selectors.planned_periods(resource_ids=[m.res_a.pk, m.res_b.pk, m.res_a2.pk], start=day[0], end=day[1])
    assert periods == {m.res_a.pk: [(START, day[1])], m.res_b.pk: [(END - timedelta(hours=1), day[1])]}


# --- Who sees which window -----------------------------------------------------------------------


def visible(user) -> set:
    return set(selectors.windows_for(user=user).values_list("pk", flat=True))


def test_departments_see_approved_windows_that_concern_them(m):
    mine = window(m, resources=[m.res_a])
    theirs = window(m, resources=[m.res_b])
    everyone = window(m, resources=[], platform_wide=True)
    unit = window(m, resources=[m.res_unit])
    pending = draft(m, resources=[m.res_a])
    assert visible(m.a_head) == {mine.pk, everyone.pk, unit.pk}
    assert visible(m.unit_head) == {mine.pk, everyone.pk, unit.pk}  # the department above concerns the unit
    assert visible(m.b_head) == {theirs.pk, everyone.pk}
    assert visible(m.center) == visible(m.provider) == {mine.pk, theirs.pk, everyone.pk, unit.pk, pending.pk}
    assert visible(m.finance) == set()
    with pytest.raises(Http404):
        selectors.window_get(user=m.b_head, pk=mine.pk)


def test_a_department_learns_only_its_own_part_of_a_window(m):
    shared = window(m, resources=[m.res_a, m.res_b])
    row = selectors.window_get(user=m.b_head, pk=shared.pk)
    assert (row.department_count, row.resource_count) == (1, 1)
    assert [r.pk for r in selectors.window_resources(user=m.b_head, window=shared)] == [m.res_b.pk]
    assert [d.organization_id for d in selectors.window_departments(user=m.b_head, window=shared)] == [m.city.dept_b.pk]
    full = selectors.window_get(user=m.center, pk=shared.pk)
    assert (full.department_count, full.resource_count) == (2, 2)


def test_upcoming_lists_approved_windows_for_departments_and_pending_ones_for_the_center(m):
    ok = window(m, resources=[m.res_a])
    pending = draft(m, resources=[m.res_a])
    assert [w.pk for w in selectors.upcoming_for(user=m.a_head)] == [ok.pk]
    assert {w.pk for w in selectors.upcoming_for(user=m.center)} == {ok.pk, pending.pk}
    assert [w.pk for w in selectors.upcoming_approved_for(user=m.a_head)] == [ok.pk]
