"""The Prometheus collector (issue 13 §1): asks a Prometheus server's HTTP API (`query_range`) for
the utilization of the resources it watches and stores what it gets through
`services.samples_ingest` (source PROMETHEUS, actor SYSTEM), so the same checks apply as on every
other path: a series whose ledger code is unknown, or a resource not in service at that time, is
refused per sample with its reason.

Configuration: `settings.GOVCLOUD_PROMETHEUS` (the environment's GOVCLOUD_PROMETHEUS, JSON):

- `url` — the server (without it nothing is collected and no job is scheduled);
- `queries` — {metric: PromQL}; each query returns one series per resource, carrying the ledger
  code in the label `code_label` (default "ledger_code"). Defaults: CPU and memory % from
  node_exporter's counters, by that label;
- `step` — the spacing of the samples (default 5m); `delay` — how far behind the clock the window
  ends, so the last scrapes have landed (default 1m);
- `lookback` — the first run's window (default 1h); `max_catchup` — how far back a run ever reaches
  after an outage (default 24h, and never before the raw sample window): a bounded catch-up;
- `points_per_query` — the longest range one request asks for, in steps (default 60, five hours at
  the default step: with 20,000 resources one answer holds 1.2 million points; Prometheus refuses
  more than 11,000 points per series); `timeout` — seconds per request (default 10);
- `headers` — sent with each request (e.g. an Authorization header for a proxy in front).

Windows: the sample times are aligned to the step (multiples of it since the epoch), so a run
repeated over the same times asks for the same points and stores nothing twice (idempotent on
resource, metric and time). Each run records a `CollectionRun`: the window, how far the samples are
complete (`collected_until`, per source: the next run starts one step after it, so a failed run's
gap is caught up by the next), the counts by reason, and the error if Prometheus failed — a
failed request stops the run there, and nothing after the last complete chunk counts as collected.
HTTP goes through urllib (no HTTP client package is a dependency), never inside a transaction.
"""

from __future__ import annotations

import json
import logging
import re
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from govcloud.core.actors import Actor
from govcloud.core.permissions import require_role
from govcloud.core.policy import Policy, policy_value
from govcloud.core.remote import outside_transaction
from govcloud.monitoring.models import CollectionRun, CollectionStatus, Metric, SampleSource
from govcloud.monitoring.services import KEPT_REJECTIONS, MAX_BATCH, samples_ingest

logger = logging.getLogger(__name__)

DEFAULT_CODE_LABEL = "ledger_code"
# node_exporter's counters, averaged per resource (the label the relabelling puts on each target).
DEFAULT_QUERIES = {
    Metric.CPU_PERCENT.value: ('100 * (1 - avg by ({label}) (rate(node_cpu_seconds_total{{mode="idle"}}[5m])))'),
    Metric.MEMORY_PERCENT.value: (
        "100 * (1 - sum by ({label}) (node_memory_MemAvailable_bytes) / sum by ({label}) (node_memory_MemTotal_bytes))"
    ),
}
_DURATION = re.compile(r"^(\d+)([smhd]?)$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


class PrometheusError(Exception):
    """Prometheus could not be asked, or refused the query (the message says which and why)."""


def _seconds(raw: Any, name: str) -> int:
    """A duration setting: seconds as a number, or "30s", "5m", "1h", "2d"."""
    if isinstance(raw, int | float) and not isinstance(raw, bool) and raw > 0:
        return int(raw)
    match = _DURATION.match(str(raw).strip())
    if not match or int(match.group(1)) <= 0:
        raise PrometheusError(
            _("The Prometheus setting %(name)s is not a duration: %(value)s") % {"name": name, "value": raw}
        )
    return int(match.group(1)) * _UNITS[match.group(2)]


@dataclass(frozen=True)
class PrometheusConfig:
    url: str
    queries: dict[str, str]
    code_label: str = DEFAULT_CODE_LABEL
    step: int = 300
    delay: int = 60
    lookback: int = 3600
    max_catchup: int = 86400
    points_per_query: int = 60
    timeout: float = 10.0
    headers: dict[str, str] = field(default_factory=dict)


def prometheus_config() -> PrometheusConfig | None:
    """The collector's configuration, or None when no Prometheus is configured. A malformed setting
    raises PrometheusError (the run records it)."""
    raw = getattr(settings, "GOVCLOUD_PROMETHEUS", None) or {}
    if not isinstance(raw, dict) or not raw.get("url"):
        return None
    label = str(raw.get("code_label") or DEFAULT_CODE_LABEL)
    queries = raw.get("queries") or {m: q.format(label=label) for m, q in DEFAULT_QUERIES.items()}
    if not isinstance(queries, dict):
        raise PrometheusError(_("The Prometheus setting queries must map metrics to PromQL."))
    unknown = sorted(set(queries) - set(Metric.values))
    if unknown:
        raise PrometheusError(
            _("Unknown metrics in the Prometheus queries: %(names)s; use: %(metrics)s.")
            % {"names": ", ".join(map(str, unknown)), "metrics": ", ".join(Metric.values)}
        )
    points = raw.get("points_per_query", 60)
    if not isinstance(points, int) or not 1 <= points <= 11000:
        raise PrometheusError(_("The Prometheus setting points_per_query must be between 1 and 11000."))
    return PrometheusConfig(
        url=str(raw["url"]).rstrip("/"),
        queries={str(m): str(q) for m, q in queries.items()},
        code_label=label,
        step=_seconds(raw.get("step", 300), "step"),
        delay=_seconds(raw.get("delay", 60), "delay") if raw.get("delay", 60) else 0,
        lookback=_seconds(raw.get("lookback", 3600), "lookback"),
        max_catchup=_seconds(raw.get("max_catchup", 86400), "max_catchup"),
        points_per_query=points,
        timeout=float(raw.get("timeout", 10)),
        headers={str(k): str(v) for k, v in (raw.get("headers") or {}).items()},
    )


class PrometheusClient:
    """The HTTP API's range query (POST form, so long PromQL fits)."""

    def __init__(self, config: PrometheusConfig):
        self.config = config

    def query_range(self, query: str, start: datetime, end: datetime, step: int) -> list[dict]:
        """The result's series ([{"metric": {labels}, "values": [[unix time, "value"], …]}])."""
        body = urllib.parse.urlencode(
            {
                "query": query,
                "start": f"{start.timestamp():.3f}",
                "end": f"{end.timestamp():.3f}",
                "step": str(step),
                "timeout": f"{self.config.timeout:g}s",
            }
        ).encode()
        request = urllib.request.Request(
            f"{self.config.url}/api/v1/query_range",
            data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded", **self.config.headers},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.config.timeout) as response:
                payload = json.load(response)
        except urllib.error.HTTPError as exc:
            # Prometheus explains a refused query in the body ({"status": "error", "error": …}).
            try:
                detail = json.load(exc).get("error") or exc.reason
            except (ValueError, AttributeError, OSError):
                detail = exc.reason
            raise PrometheusError(f"HTTP {exc.code}: {detail}") from exc
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            raise PrometheusError(str(getattr(exc, "reason", exc) or exc.__class__.__name__)) from exc
        except ValueError as exc:
            raise PrometheusError(_("Prometheus answered something that is not JSON.")) from exc
        if not isinstance(payload, dict) or payload.get("status") != "success":
            raise PrometheusError(str(payload.get("error") if isinstance(payload, dict) else payload))
        data = payload.get("data") or {}
        if data.get("resultType") != "matrix":
            raise PrometheusError(
                _("The query gives %(type)s, not a range of series.") % {"type": data.get("resultType")}
            )
        return data.get("result") or []


def _align(moment: datetime, step: int) -> datetime:
    seconds = int(moment.timestamp()) // step * step
    return datetime.fromtimestamp(seconds, UTC)


def _window(config: PrometheusConfig, now: datetime) -> tuple[datetime, datetime]:
    """The sample times this run asks for, both ends included, aligned to the step."""
    step = timedelta(seconds=config.step)
    end = _align(now - timedelta(seconds=config.delay), config.step)
    cursor = (
        CollectionRun.objects.filter(source=SampleSource.PROMETHEUS, collected_until__isnull=False)
        .order_by(F("collected_until").desc())
        .values_list("collected_until", flat=True)
        .first()
    )
    start = cursor + step if cursor else end - timedelta(seconds=config.lookback) + step
    # Bounded catch-up: never further back than max_catchup, nor before the raw window (ingest
    # would refuse those samples as too old).
    retention = timedelta(days=int(policy_value(Policy.MONITORING_RAW_RETENTION_DAYS)))
    floor = max(now - timedelta(seconds=config.max_catchup), now - retention)
    if start < floor:
        start = _align(floor, config.step) + step
    return _align(start, config.step), end


def _samples(series: list[dict], metric: str, label: str) -> tuple[list[dict], int]:
    samples = []
    for one in series:
        code = (one.get("metric") or {}).get(label, "")
        for point in one.get("values") or ():
            try:
                at = datetime.fromtimestamp(float(point[0]), UTC)
                value = point[1]
            except (TypeError, ValueError, IndexError, OverflowError):
                at, value = None, None
            samples.append({"resource": code, "metric": metric, "time": at, "value": value})
    return samples, len(series)


def prometheus_collect(*, actor: Actor, now: datetime | None = None) -> CollectionRun | None:
    """One collection run (see the module docstring). None when no Prometheus is configured."""
    require_role(actor, frozenset())  # the platform's job (SYSTEM)
    now = now or timezone.now()
    run = CollectionRun(source=SampleSource.PROMETHEUS, started_at=now)
    try:
        config = prometheus_config()
    except PrometheusError as exc:
        run.status, run.error, run.finished_at = CollectionStatus.FAILED, str(exc), timezone.now()
        run.save()
        return run
    if config is None:
        return None
    start, end = _window(config, now)
    run.window_start, run.window_end = start, end
    run.save()
    client = outside_transaction(PrometheusClient(config), "Prometheus")
    step = timedelta(seconds=config.step)
    reasons: Counter[str] = Counter()
    rejections: list[dict] = []
    chunk_start = start
    try:
        while chunk_start <= end:
            chunk_end = min(chunk_start + step * (config.points_per_query - 1), end)
            # One metric's answer at a time is held in memory and stored; should a later metric
            # fail, the chunk is asked again by the next run (what was stored stays, once).
            for metric, query in config.queries.items():
                try:
                    series = client.query_range(query, chunk_start, chunk_end, config.step)
                except PrometheusError as exc:
                    raise PrometheusError(f"{metric}: {exc}") from exc
                samples, count = _samples(series, metric, config.code_label)
                del series
                run.series += count
                for offset in range(0, len(samples), MAX_BATCH):
                    result = samples_ingest(
                        actor=actor,
                        source=SampleSource.PROMETHEUS,
                        samples=samples[offset : offset + MAX_BATCH],
                        now=now,
                    )
                    run.received += result.received
                    run.accepted += result.accepted
                    run.rejected += len(result.rejections)
                    for rejection in result.rejections:
                        reasons[rejection.reason.value] += 1
                        if len(rejections) < KEPT_REJECTIONS:
                            rejections.append({**rejection.as_dict(), "index": offset + rejection.index})
            # Every metric up to the chunk's end is stored: a later failure does not lose it.
            run.collected_until = chunk_end
            chunk_start = chunk_end + step
        run.status = CollectionStatus.SUCCEEDED
    except PrometheusError as exc:
        logger.warning("monitoring: Prometheus collection failed: %s", exc)
        run.status, run.error = CollectionStatus.FAILED, str(exc)[:2000]
    if run.collected_until is None and start > end:
        # Nothing new to ask for yet (a re-run within the step): complete where the last run was.
        run.collected_until = start - step
    run.reasons, run.rejections, run.finished_at = dict(reasons), rejections, timezone.now()
    run.save()
    return run
