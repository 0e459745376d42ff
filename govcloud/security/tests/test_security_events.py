"""Security events (Art. 17): who records them, what is refused, and the monthly statistics by kind
and by department that the monthly report reads."""

from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govcloud.audit.models import AuditEvent
from govcloud.security import services
from govcloud.security.models import SecurityEvent, SecurityEventKind
from govcloud.security.selectors.events import (
    kind_chart,
    security_event_statistics,
    security_event_trend,
    security_events_for,
    trend_chart,
)

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 5, 20, 10, 0, tzinfo=SH)


def record(sec, actor=None, **kwargs):
    fields = {"kind": "attack_blocked", "occurred_at": datetime(2026, 5, 3, 2, 0, tzinfo=SH), "summary": "WAF 拦截"}
    fields.update(kwargs)
    return services.security_event_record(actor=actor or sec.provider, **fields)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_the_provider_and_the_center_record_events_and_the_department_follows_the_systems(sec, frozen):
    event = record(sec, count=1204, systems=[sec.system_a], source="WAF")
    assert event.organization == sec.city.dept_a  # from the system's owner
    assert list(event.systems.all()) == [sec.system_a]
    platform = record(sec, actor=sec.center, kind="vulnerability", count=3, summary="平台漏洞扫描")
    assert platform.organization is None
    assert AuditEvent.objects.filter(action="security_event.create").count() == 2


@pytest.mark.parametrize("who", ["a_head", "a_security", "b_applicant"])
def test_departments_do_not_record_events(sec, frozen, who):
    with pytest.raises(PermissionDenied):
        record(sec, actor=getattr(sec, who))
    assert not SecurityEvent.objects.exists()


@pytest.mark.parametrize(
    "change, field",
    [
        (lambda sec: {"kind": "ufo"}, "kind"),
        (lambda sec: {"count": 0}, "count"),
        (lambda sec: {"summary": " "}, "summary"),
        (lambda sec: {"occurred_at": datetime(2026, 5, 21, 10, 0, tzinfo=SH)}, "occurred_at"),
        (lambda sec: {"systems": [sec.system_a, sec.system_b]}, "systems"),
        (lambda sec: {"organization": sec.city.provider}, "organization"),
        (lambda sec: {"organization": sec.city.dept_b, "systems": [sec.system_a]}, "systems"),
    ],
    ids=["kind", "count", "summary", "future", "two-departments", "not-a-department", "other-department-system"],
)
def test_bad_input_is_refused_and_changes_nothing(sec, frozen, change, field):
    with pytest.raises(ValidationError) as exc:
        record(sec, **change(sec))
    assert field in exc.value.message_dict
    assert not SecurityEvent.objects.exists()


def test_a_correction_is_audited_and_the_department_follows(sec, frozen):
    event = record(sec, count=10, systems=[sec.system_a])
    with pytest.raises(PermissionDenied):
        services.security_event_update(actor=sec.a_head, event=event, count=11)
    services.security_event_update(actor=sec.center, event=event, count=12, systems=[sec.system_b])
    event.refresh_from_db()
    assert (event.count, event.organization_id) == (12, sec.city.dept_b.pk)
    changes = json.loads(AuditEvent.objects.get(action="security_event.update").changes)
    assert changes["count"] == [10, 12] and changes["systems"] == [["甲局门户"], ["乙局门户"]]


def test_a_department_sees_only_its_own_events(sec, frozen):
    mine = record(sec, systems=[sec.system_a])
    record(sec, systems=[sec.system_b])
    record(sec)  # the platform as a whole
    assert list(security_events_for(user=sec.a_applicant)) == [mine]
    assert security_events_for(user=sec.provider).count() == 3
    assert security_events_for(user=sec.center).count() == 3


def test_monthly_statistics_by_kind_and_by_department(sec, frozen):
    # May 2026 in Shanghai time: 05-01 00:00 +08:00 is still April in UTC, and belongs to May.
    record(sec, count=1000, systems=[sec.system_a], occurred_at=datetime(2026, 5, 1, 0, 0, tzinfo=SH))
    record(sec, count=204, systems=[sec.system_a])
    record(sec, kind="vulnerability", count=2, systems=[sec.system_b])
    record(sec, kind="malware", count=1)
    record(sec, count=99, occurred_at=datetime(2026, 4, 30, 23, 59, tzinfo=SH))  # April
    stats = security_event_statistics(user=sec.center, month=date(2026, 5, 1))
    assert (stats.events, stats.total) == (4, 1207)
    assert [f.kind for f in stats.by_kind] == list(SecurityEventKind.values)  # every kind, zero included
    assert stats.total_of("attack_blocked") == 1204 and stats.total_of("intrusion") == 0
    rows = [(f.name, f.events, f.total) for f in stats.by_department]
    assert rows == [("甲局", 2, 1204), ("乙局", 1, 2), ("Platform as a whole", 1, 1)]
    # A department's statistics count its own events only.
    own = security_event_statistics(user=sec.b_head, month=date(2026, 5, 1))
    assert (own.events, own.total, [f.name for f in own.by_department]) == (1, 2, ["乙局"])
    axis, series = security_event_trend(user=sec.center, month=date(2026, 5, 1))
    assert axis[-2:] == [date(2026, 4, 1), date(2026, 5, 1)] and len(axis) == 6
    assert series["attack_blocked"][-2:] == [99, 1204]
    option = trend_chart(axis, series)
    assert {s["name"] for s in option["series"]} == {"Attacks blocked", "Vulnerabilities found", "Malicious code"}
    assert kind_chart(stats)["series"][0]["data"][0] == 1204


# Each example records through the services inside a transaction that is rolled back after it.
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(SecurityEventKind.values),
            st.integers(min_value=1, max_value=100_000),
            st.sampled_from(["a", "b", None]),
            st.integers(min_value=1, max_value=31),
        ),
        max_size=12,
    )
)
def test_the_totals_by_kind_and_by_department_add_up(sec, rows):
    """Whatever is recorded, the month's totals by kind and by department both equal the sum of
    the counts of the month's events."""
    systems = {"a": sec.system_a, "b": sec.system_b}
    with transaction.atomic(), time_machine.travel(datetime(2026, 6, 1, 12, 0, tzinfo=SH), tick=False):
        for kind, count, owner, day in rows:
            record(
                sec,
                kind=kind,
                count=count,
                systems=[systems[owner]] if owner else [],
                occurred_at=datetime(2026, 5, day, 12, 0, tzinfo=SH),
            )
        stats = security_event_statistics(user=sec.center, month=date(2026, 5, 1))
        transaction.set_rollback(True)
    assert stats.total == sum(count for _kind, count, _owner, _day in rows)
    assert stats.total == sum(f.total for f in stats.by_department)
    assert stats.events == len(rows) == sum(f.events for f in stats.by_department)
