"""Alert rules and their evaluation (issue 13 §3, waste control; issue 14 §1, incidents from alerts).

- `alert_rules_seed` makes the four rules with the issue's defaults (idle, overloaded, nearly full,
  anomaly); `alert_rule_update` is the center's edit of a rule's numbers.
- `alerts_evaluate` runs hourly after the rollups: each enabled rule is one grouped query over the
  daily rollups (never the raw samples, never a loop over samples) giving the resources where the
  condition holds and their value. New hits open an alert (one open alert per rule and resource, a
  partial unique constraint behind it), hits already open get their value and last-seen time,
  open alerts no longer hit close by themselves. Each open and close is audited and notified to the
  resource's department and to the provider's operators. An alert that starts inside an approved
  maintenance window is planned. A rule that asks for it makes its (unplanned) alerts open an
  incident through `core.signals.alert_opened`; closing writes on the incident's timeline through
  `alert_closed` — a person confirms the recovery.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg, Count, F, FloatField, Max, Min
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from govcloud.audit.services import audit_record
from govcloud.core.actors import SYSTEM, Actor, actor_name
from govcloud.core.permissions import require_role
from govcloud.core.roles import DEPARTMENT_ROLES, Role
from govcloud.core.signals import alert_closed, alert_opened
from govcloud.ledger.models import Resource
from govcloud.ledger.selectors import IN_USE
from govcloud.maintenance.selectors import resources_in_maintenance
from govcloud.monitoring.models import RULE_EDITORS, Alert, AlertKind, AlertRule, AlertState, Metric, Period, Rollup
from govcloud.monitoring.services import day_start
from govcloud.notifications.models import Severity
from govcloud.notifications.services import notify_roles

# kind → (threshold, window days, minimum change %, opens an incident)
DEFAULT_RULES: dict[str, tuple[float, int, float, bool]] = {
    AlertKind.IDLE: (10.0, 30, 0.0, False),
    AlertKind.OVERLOADED: (80.0, 7, 0.0, True),
    AlertKind.NEARLY_FULL: (90.0, 1, 0.0, True),
    AlertKind.ANOMALY: (3.0, 30, 50.0, True),
}
# The metric each kind reads (nearly full reads both of these).
KIND_METRIC = {
    AlertKind.IDLE: Metric.CPU_PERCENT,
    AlertKind.OVERLOADED: Metric.CPU_PERCENT,
    AlertKind.NEARLY_FULL: Metric.DISK_USED_GB,
    AlertKind.ANOMALY: Metric.CPU_PERCENT,
}
FULL_METRICS = (Metric.DISK_USED_GB, Metric.STORAGE_USED_GB)
ALERT_KIND = "monitoring.alert"


def alert_rules_seed() -> int:
    """Create the rules that do not exist yet with their defaults; the number created."""
    existing = set(AlertRule.objects.values_list("kind", flat=True))
    rules = [
        AlertRule(kind=kind, threshold=t, window_days=w, change_percent=c, opens_incident=i)
        for kind, (t, w, c, i) in DEFAULT_RULES.items()
        if kind not in existing
    ]
    AlertRule.objects.bulk_create(rules)
    return len(rules)


def alert_rule_update(
    *,
    actor: Actor,
    rule: AlertRule,
    threshold: float,
    window_days: int,
    change_percent: float = 0.0,
    enabled: bool = True,
    opens_incident: bool = False,
) -> AlertRule:
    require_role(actor, RULE_EDITORS)
    errors = {}
    if rule.kind in (AlertKind.IDLE, AlertKind.OVERLOADED, AlertKind.NEARLY_FULL) and not 0 < threshold <= 100:
        errors["threshold"] = _("A percentage between 0 and 100.")
    if rule.kind == AlertKind.ANOMALY and not 0 < threshold <= 10:
        errors["threshold"] = _("A number of standard deviations between 0 and 10.")
    if not 1 <= window_days <= 365:
        errors["window_days"] = _("Between 1 and 365 days.")
    if not 0 <= change_percent <= 1000:
        errors["change_percent"] = _("Between 0 and 1000 %.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        rule = AlertRule.objects.select_for_update().get(pk=rule.pk)
        before = {
            "threshold": rule.threshold,
            "window_days": rule.window_days,
            "change_percent": rule.change_percent,
            "enabled": rule.enabled,
            "opens_incident": rule.opens_incident,
        }
        rule.threshold, rule.window_days, rule.change_percent = threshold, window_days, change_percent
        rule.enabled, rule.opens_incident = enabled, opens_incident
        rule.updated_by = actor_name(actor)
        rule.save()
        audit_record(
            actor=actor,
            action="alert_rule.update",
            target=rule,
            message=str(rule),
            changes={"before": before, "after": {k: getattr(rule, k) for k in before}},
        )
    return rule


# --- Conditions: one grouped query per rule ------------------------------------------------------


def _days(now: datetime, window_days: int) -> tuple[datetime, datetime]:
    """The last `window_days` complete local days before today: [start, end)."""
    end = day_start(now)
    return day_start(end - timedelta(days=window_days) + timedelta(hours=12)), end


def _daily(metric, start: datetime, end: datetime):
    return (
        Rollup.objects.filter(
            period=Period.DAY,
            metric=metric,
            start__gte=start,
            start__lt=end,
            resource__state__in=IN_USE,
        )
        .order_by()
        .values("resource_id")
    )


def _hits_idle(rule: AlertRule, now: datetime) -> dict[int, float]:
    start, end = _days(now, rule.window_days)
    rows = (
        _daily(Metric.CPU_PERCENT, start, end)
        .annotate(days=Count("pk"), peak=Max("max"))
        .filter(days__gte=rule.window_days, peak__lt=rule.threshold)
    )
    return {r["resource_id"]: r["peak"] for r in rows}


def _hits_overloaded(rule: AlertRule, now: datetime) -> dict[int, float]:
    start, end = _days(now, rule.window_days)
    rows = (
        _daily(Metric.CPU_PERCENT, start, end)
        .annotate(days=Count("pk"), lowest=Min("avg"), mean=Avg("avg"))
        .filter(days__gte=rule.window_days, lowest__gt=rule.threshold)
    )
    return {r["resource_id"]: r["mean"] for r in rows}


def capacity_gb(spec: dict) -> float:
    """What a resource can hold, from its specification: every size in GB but memory."""
    total = 0.0
    for key, value in (spec or {}).items():
        if key.endswith("_gb") and key != "memory_gb" and isinstance(value, int | float):
            total += float(value)
    return total


def _hits_nearly_full(rule: AlertRule, now: datetime) -> dict[int, float]:
    """The highest use in the window as a percentage of the capacity (one query for the use, one
    for the specifications of the resources that have any)."""
    start, end = _days(now, rule.window_days)
    used: dict[int, float] = {}
    rows = (
        Rollup.objects.filter(
            period=Period.DAY,
            metric__in=FULL_METRICS,
            start__gte=start,
            start__lt=now,
            resource__state__in=IN_USE,
        )
        .order_by()
        .values("resource_id")
        .annotate(peak=Max("max"))
    )
    for row in rows:
        used[row["resource_id"]] = row["peak"]
    specs = dict(Resource.objects.filter(pk__in=used).values_list("pk", "spec"))
    hits = {}
    for pk, peak in used.items():
        capacity = capacity_gb(specs.get(pk) or {})
        if capacity > 0:
            percent = 100.0 * peak / capacity
            if percent > rule.threshold:
                hits[pk] = percent
    return hits


def _hits_anomaly(rule: AlertRule, now: datetime) -> dict[int, float]:
    """Yesterday's average against the mean and standard deviation of the window before it (the
    variance as avg(x²) − avg(x)², which SQLite and PostgreSQL both compute)."""
    end = day_start(now)
    latest_start = day_start(end - timedelta(hours=12))
    base_start, _base_end = _days(latest_start, rule.window_days)
    base = {
        r["resource_id"]: r
        for r in _daily(Metric.CPU_PERCENT, base_start, latest_start)
        .annotate(
            days=Count("pk"),
            mean=Avg("avg"),
            square=Avg(Cast(F("avg") * F("avg"), FloatField())),
        )
        .filter(days__gte=max(3, rule.window_days // 2))
    }
    latest = dict(
        _daily(Metric.CPU_PERCENT, latest_start, end)
        .filter(resource_id__in=list(base))
        .values_list("resource_id", "avg")
    )
    hits = {}
    for pk, value in latest.items():
        row = base[pk]
        mean = row["mean"]
        deviation = max(row["square"] - mean * mean, 0.0) ** 0.5
        change = abs(value - mean)
        if change > rule.threshold * deviation and change > rule.change_percent / 100.0 * max(mean, 1.0):
            hits[pk] = value
    return hits


CONDITIONS = {
    AlertKind.IDLE: _hits_idle,
    AlertKind.OVERLOADED: _hits_overloaded,
    AlertKind.NEARLY_FULL: _hits_nearly_full,
    AlertKind.ANOMALY: _hits_anomaly,
}


# --- Evaluation ------------------------------------------------------------------------------------


@dataclass
class Evaluation:
    opened: list[int] = field(default_factory=list)
    updated: int = 0
    closed: list[int] = field(default_factory=list)


def _describe(alert: Alert) -> str:
    rule = alert.rule
    value = f"{alert.value:.1f}"
    if alert.kind == AlertKind.IDLE:
        return _("CPU daily peak %(value)s %% stayed below %(threshold)s %% for %(days)s days.") % {
            "value": value,
            "threshold": rule.threshold,
            "days": rule.window_days,
        }
    if alert.kind == AlertKind.OVERLOADED:
        return _("CPU daily average %(value)s %% stayed above %(threshold)s %% for %(days)s days.") % {
            "value": value,
            "threshold": rule.threshold,
            "days": rule.window_days,
        }
    if alert.kind == AlertKind.NEARLY_FULL:
        return _("%(value)s %% of the disk or storage is used (threshold %(threshold)s %%).") % {
            "value": value,
            "threshold": rule.threshold,
        }
    return _("Yesterday's CPU average %(value)s %% departs from its %(days)s-day baseline.") % {
        "value": value,
        "days": rule.window_days,
    }


def _tell(alert: Alert, title: str, body: str, severity) -> None:
    link = reverse("monitoring:alert_detail", args=[alert.pk])
    notify_roles(
        roles=DEPARTMENT_ROLES,
        organization=alert.resource.organization,
        kind=ALERT_KIND,
        title=title,
        body=body,
        link=link,
        severity=severity,
    )
    notify_roles(roles={Role.PROVIDER_OPERATOR}, kind=ALERT_KIND, title=title, body=body, link=link, severity=severity)


def _open(actor: Actor, rule: AlertRule, resource: Resource, value: float, planned: bool, now: datetime) -> Alert:
    alert = Alert.objects.create(
        rule=rule,
        kind=rule.kind,
        resource=resource,
        metric=KIND_METRIC[rule.kind],
        value=value,
        threshold=rule.threshold,
        planned=planned,
        opened_at=now,
        last_seen_at=now,
    )
    body = _describe(alert)
    title = _("%(kind)s alert: %(resource)s") % {"kind": alert.get_kind_display(), "resource": resource.name}
    audit_record(
        actor=actor,
        action="alert.open",
        target=alert,
        message=f"{title} — {body}",
        subject_organization_path=resource.organization.path,
    )
    _tell(alert, title, body, Severity.INFO if planned or rule.kind == AlertKind.IDLE else Severity.WARNING)
    if rule.opens_incident and not planned:
        for _receiver, incident in alert_opened.send(
            sender=Alert,
            source_key=alert.source_key,
            title=title,
            symptom=body,
            resource=resource,
            occurred_at=now,
        ):
            if incident is not None and getattr(incident, "pk", None):
                alert.incident_id = incident.pk
                alert.save(update_fields=["incident"])
    return alert


def _close(actor: Actor, alert: Alert, now: datetime, reason: str) -> None:
    alert.state = AlertState.CLOSED
    alert.closed_at = now
    alert.save(update_fields=["state", "closed_at"])
    title = _("%(kind)s alert cleared: %(resource)s") % {
        "kind": alert.get_kind_display(),
        "resource": alert.resource.name,
    }
    audit_record(
        actor=actor,
        action="alert.close",
        target=alert,
        message=f"{title} — {reason}",
        subject_organization_path=alert.resource.organization.path,
    )
    _tell(alert, title, reason, Severity.INFO)
    if alert.incident_id:
        alert_closed.send(sender=Alert, source_key=alert.source_key, body=f"{title}. {reason}")


def alerts_evaluate(*, actor: Actor = SYSTEM, now: datetime | None = None) -> Evaluation:
    """Open, update and close alerts for every rule (see the module docstring)."""
    require_role(actor, RULE_EDITORS)
    now = now or timezone.now()
    if not AlertRule.objects.exists():
        alert_rules_seed()
    result = Evaluation()
    for rule in AlertRule.objects.order_by("pk"):
        hits = CONDITIONS[rule.kind](rule, now) if rule.enabled else {}
        with transaction.atomic():
            open_alerts = {
                a.resource_id: a
                for a in Alert.objects.select_for_update(of=("self",))
                .filter(rule=rule, state=AlertState.OPEN)
                .select_related("resource__organization", "rule")
            }
            new_ids = [pk for pk in hits if pk not in open_alerts]
            resources = Resource.objects.select_related("organization").in_bulk(new_ids)
            planned = resources_in_maintenance(resource_ids=new_ids, at=now) if new_ids else set()
            for pk in new_ids:
                alert = _open(actor, rule, resources[pk], hits[pk], pk in planned, now)
                result.opened.append(alert.pk)
            still = [a for pk, a in open_alerts.items() if pk in hits]
            for alert in still:
                alert.value, alert.last_seen_at = hits[alert.resource_id], now
            Alert.objects.bulk_update(still, ["value", "last_seen_at"])
            result.updated += len(still)
            reason = _("The condition cleared.") if rule.enabled else _("The rule was disabled.")
            for pk, alert in open_alerts.items():
                if pk not in hits:
                    _close(actor, alert, now, reason)
                    result.closed.append(alert.pk)
    return result
