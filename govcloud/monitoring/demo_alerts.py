"""Demo alerts; called by govcloud/web/demo.py after the utilization demo.

The demo's idle host (交通违法-前置服务器, a CPU peak of a few percent for thirty days) is found idle by
the real evaluation. For an overloaded alert with its incident, the appointment platform's first
application server had a week-long surge: the demo raises the daily CPU averages of its last seven
complete days above the rule's threshold (its daily rollups only — the story the pages tell), then
evaluates the rules as the hourly job does. Idempotent: an evaluation finds the alerts already open.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from govcloud.core.actors import SYSTEM
from govcloud.ledger.models import Resource
from govcloud.monitoring.alerts import alert_rules_seed, alerts_evaluate
from govcloud.monitoring.models import AlertKind, AlertRule, Metric, Period, Rollup
from govcloud.monitoring.services import day_start

SURGE_SERVER = "预约挂号-应用服务器01"


def load_demo(*, orgs: dict | None = None, users: dict | None = None) -> int:
    """Open the demo alerts; the number opened by this run."""
    alert_rules_seed()
    now = timezone.now()
    server = Resource.objects.filter(name=SURGE_SERVER).first()
    rule = AlertRule.objects.get(kind=AlertKind.OVERLOADED)
    if server is not None:
        end = day_start(now)
        start = day_start(end - timedelta(days=rule.window_days) + timedelta(hours=12))
        days = Rollup.objects.filter(
            resource=server, metric=Metric.CPU_PERCENT, period=Period.DAY, start__gte=start, start__lt=end
        )
        hot = rule.threshold + 6.0
        days.update(avg=Greatest(F("avg"), hot), p95=Greatest(F("p95"), hot + 5), max=Greatest(F("max"), hot + 9))
    return len(alerts_evaluate(actor=SYSTEM, now=now).opened)
