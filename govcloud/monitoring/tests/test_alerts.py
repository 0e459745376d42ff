"""Alert rules (issue 13 §3) on crafted daily rollups, with the clock frozen on 2026-12-05 10:30."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from govcloud.audit.models import AuditEvent
from govcloud.core.actors import SYSTEM
from govcloud.incidents.models import Channel, Incident, IncidentEntry
from govcloud.maintenance.models import MaintenanceWindow, WindowState
from govcloud.monitoring.alerts import alert_rule_update, alerts_evaluate
from govcloud.monitoring.models import Alert, AlertKind, AlertRule, AlertState, Metric
from govcloud.monitoring.tests.alerting import daily
from govcloud.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _open(kind):
    return Alert.objects.filter(kind=kind, state=AlertState.OPEN)


def test_rules_are_seeded_with_the_defaults():
    rules = {r.kind: r for r in AlertRule.objects.all()}
    assert (rules[AlertKind.IDLE].threshold, rules[AlertKind.IDLE].window_days) == (10, 30)
    assert (rules[AlertKind.OVERLOADED].threshold, rules[AlertKind.OVERLOADED].window_days) == (80, 7)
    assert rules[AlertKind.NEARLY_FULL].threshold == 90
    assert not rules[AlertKind.IDLE].opens_incident
    assert all(rules[k].opens_incident for k in (AlertKind.OVERLOADED, AlertKind.NEARLY_FULL, AlertKind.ANOMALY))


def test_idle_opens_after_30_quiet_days_and_closes_when_used(mon):
    daily(mon.a_host, [3.0] * 30, peak=8.0)
    daily(mon.b_host, [3.0] * 29, peak=8.0)  # one day short of the window
    result = alerts_evaluate(actor=SYSTEM)
    alert = _open(AlertKind.IDLE).get()
    assert alert.resource == mon.a_host and alert.value == 8.0 and alert.incident_id is None
    assert result.opened == [alert.pk]
    assert AuditEvent.objects.filter(action="alert.open", object_id=str(alert.pk)).exists()
    notified = set(Notification.objects.filter(kind="monitoring.alert").values_list("recipient_id", flat=True))
    assert {mon.a_user.pk, mon.provider.pk} <= notified and mon.b_user.pk not in notified

    daily(mon.a_host, [3.0] * 29 + [40.0], peak=8.0)
    from govcloud.monitoring.models import Rollup

    Rollup.objects.filter(resource=mon.a_host, avg=40.0).update(max=60.0)
    result = alerts_evaluate(actor=SYSTEM)
    alert.refresh_from_db()
    assert alert.state == AlertState.CLOSED and alert.closed_at == timezone.now()
    assert result.closed == [alert.pk]
    assert AuditEvent.objects.filter(action="alert.close", object_id=str(alert.pk)).exists()


def test_evaluating_twice_keeps_one_alert_and_updates_it(mon, frozen):
    daily(mon.a_host, [3.0] * 30, peak=8.0)
    alerts_evaluate(actor=SYSTEM)
    frozen.shift(timedelta(hours=1))
    result = alerts_evaluate(actor=SYSTEM)
    assert result.opened == [] and result.updated == 1
    alert = Alert.objects.get()
    assert alert.last_seen_at == timezone.now() and alert.opened_at == timezone.now() - timedelta(hours=1)


def test_overloaded_opens_one_incident_through_the_signal_and_notes_the_recovery(mon, frozen):
    daily(mon.a_host, [85.0, 90.0, 95.0, 88.0, 86.0, 91.0, 84.0])
    alerts_evaluate(actor=SYSTEM)
    alert = _open(AlertKind.OVERLOADED).get()
    incident = Incident.objects.get()
    assert alert.incident_id == incident.pk
    assert incident.channel == Channel.MONITORING and incident.source_key == f"alert:{alert.pk}"
    assert list(incident.resources.all()) == [mon.a_host]
    frozen.shift(timedelta(hours=1))
    alerts_evaluate(actor=SYSTEM)
    assert Incident.objects.count() == 1

    daily(mon.a_host, [85.0, 90.0, 95.0, 88.0, 86.0, 91.0, 50.0])
    alerts_evaluate(actor=SYSTEM)
    alert.refresh_from_db()
    incident.refresh_from_db()
    assert alert.state == AlertState.CLOSED
    assert incident.state != "closed"  # a person confirms the recovery
    assert IncidentEntry.objects.filter(incident=incident, text__contains=mon.a_host.name).exists()


def test_a_day_under_the_threshold_is_not_overloaded(mon):
    daily(mon.a_host, [85.0, 90.0, 95.0, 70.0, 86.0, 91.0, 84.0])
    alerts_evaluate(actor=SYSTEM)
    assert not _open(AlertKind.OVERLOADED).exists()


def test_nearly_full_against_the_specification(mon):
    # The host has 50 + 200 GB of disk: 240 GB used is 96 %.
    daily(mon.a_host, [230.0], metric=Metric.DISK_USED_GB, peak=240.0)
    daily(mon.b_host, [100.0], metric=Metric.DISK_USED_GB, peak=120.0)
    alerts_evaluate(actor=SYSTEM)
    alert = _open(AlertKind.NEARLY_FULL).get()
    assert alert.resource == mon.a_host and alert.value == pytest.approx(96.0)
    assert alert.incident_id is not None

    daily(mon.a_host, [150.0], metric=Metric.DISK_USED_GB, peak=160.0)
    alerts_evaluate(actor=SYSTEM)
    assert not _open(AlertKind.NEARLY_FULL).exists()


def test_anomaly_against_the_resource_baseline(mon):
    baseline = [30.0, 32.0, 29.0, 31.0, 30.0, 33.0, 28.0, 30.0, 31.0, 29.0] * 3
    daily(mon.a_host, baseline + [75.0])
    daily(mon.b_host, baseline + [33.0])  # within its usual range
    alerts_evaluate(actor=SYSTEM)
    alert = _open(AlertKind.ANOMALY).get()
    assert alert.resource == mon.a_host and alert.value == 75.0

    daily(mon.a_host, baseline + [31.0])
    alerts_evaluate(actor=SYSTEM)
    assert not _open(AlertKind.ANOMALY).exists()


def test_an_alert_starting_in_an_approved_maintenance_window_is_planned_and_opens_no_incident(mon):
    window = MaintenanceWindow.objects.create(
        title="扩容",
        start=timezone.now() - timedelta(hours=1),
        end=timezone.now() + timedelta(hours=2),
        impact="—",
        state=WindowState.APPROVED,
    )
    window.resources.add(mon.a_host)
    daily(mon.a_host, [85.0, 90.0, 95.0, 88.0, 86.0, 91.0, 84.0])
    daily(mon.b_host, [85.0, 90.0, 95.0, 88.0, 86.0, 91.0, 84.0])
    alerts_evaluate(actor=SYSTEM)
    planned = _open(AlertKind.OVERLOADED).get(resource=mon.a_host)
    unplanned = _open(AlertKind.OVERLOADED).get(resource=mon.b_host)
    assert planned.planned and planned.incident_id is None
    assert not unplanned.planned and unplanned.incident_id is not None
    assert Incident.objects.count() == 1


def test_disabling_a_rule_closes_its_alerts(mon):
    daily(mon.a_host, [3.0] * 30, peak=8.0)
    alerts_evaluate(actor=SYSTEM)
    rule = AlertRule.objects.get(kind=AlertKind.IDLE)
    alert_rule_update(actor=mon.center, rule=rule, threshold=10, window_days=30, enabled=False)
    alerts_evaluate(actor=SYSTEM)
    assert not _open(AlertKind.IDLE).exists()


def test_only_the_center_edits_rules_and_the_numbers_are_checked(mon):
    rule = AlertRule.objects.get(kind=AlertKind.IDLE)
    with pytest.raises(PermissionDenied):
        alert_rule_update(actor=mon.provider, rule=rule, threshold=5, window_days=14)
    with pytest.raises(ValidationError):
        alert_rule_update(actor=mon.center, rule=rule, threshold=150, window_days=14)
    alert_rule_update(actor=mon.center, rule=rule, threshold=5, window_days=14)
    rule.refresh_from_db()
    assert (rule.threshold, rule.window_days, rule.updated_by) == (5, 14, "中心管理员")
    assert AuditEvent.objects.filter(action="alert_rule.update").count() == 1
