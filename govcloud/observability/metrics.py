"""The platform's own metrics, in the Prometheus exposition format.

Two kinds:

- Request counters and the latency histogram, counted by each process as requests pass through
  `middleware.RequestMetricsMiddleware`. Under gunicorn every worker process counts its own
  requests; with PROMETHEUS_MULTIPROC_DIR set (an empty folder, cleared before the server starts,
  writable by every worker) prometheus_client keeps the counts in files there and a scrape of any
  worker answers the sum over all of them. Without it a scrape answers only the worker that took it,
  which is right for one process (runserver, a single gunicorn worker) and nothing else.
- Gauges computed from the database (and Redis) at scrape time: task queue depth and oldest task's
  age, failed tasks, overdue applications. Any process answers them alike, so they need no sharing.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from govcloud.observability import selectors

logger = logging.getLogger(__name__)

REQUESTS = Counter(
    "govcloud_http_requests",
    "HTTP requests answered, by route, method and status code.",
    ["route", "method", "status"],
)
LATENCY = Histogram(
    "govcloud_http_request_duration_seconds",
    "Time to answer an HTTP request, by route and method.",
    ["route", "method"],
    # Pages answer in tens of milliseconds; documents and exports may take seconds.
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)


class PlatformCollector(Collector):
    """Gauges read at scrape time (see the module docstring)."""

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("govcloud_task_backend_up", "1 when the task backend could be read at this scrape.")
        try:
            queues = selectors.task_queues()
        except Exception:  # Redis down: say so in a gauge rather than fail the whole scrape
            logger.warning("metrics: the task backend could not be read", exc_info=True)
            queues = None
        up.add_metric([], 0 if queues is None else 1)
        yield up
        depth = GaugeMetricFamily(
            "govcloud_task_queue_depth", "Tasks waiting to run, by backend and queue.", labels=["backend", "queue"]
        )
        age = GaugeMetricFamily(
            "govcloud_task_queue_oldest_age_seconds",
            "Age of the oldest task waiting to run (0 when none waits), by backend and queue.",
            labels=["backend", "queue"],
        )
        failed = GaugeMetricFamily(
            "govcloud_tasks_failed", "Failed tasks still on record, by backend and queue.", labels=["backend", "queue"]
        )
        running = GaugeMetricFamily(
            "govcloud_tasks_running", "Tasks running now, by backend and queue.", labels=["backend", "queue"]
        )
        for queue in queues or []:
            labels = [queue.backend, queue.name]
            depth.add_metric(labels, queue.waiting)
            age.add_metric(labels, queue.oldest_age_seconds)
            failed.add_metric(labels, queue.failed)
            running.add_metric(labels, queue.running)
        yield from (depth, age, failed, running)

        overdue = GaugeMetricFamily(
            "govcloud_applications_overdue",
            "Applications whose current step is past its statutory limit, by step.",
            labels=["step"],
        )
        for step, count in selectors.overdue_applications().items():
            overdue.add_metric([step], count)
        yield overdue


def process_metrics() -> bytes:
    """The request metrics: of every process sharing PROMETHEUS_MULTIPROC_DIR, else of this one."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        processes = CollectorRegistry()
        MultiProcessCollector(processes)
        return generate_latest(processes)
    return generate_latest(REGISTRY)


def exposition() -> tuple[bytes, str]:
    """The whole scrape: the request metrics, then the gauges."""
    platform = CollectorRegistry()
    platform.register(PlatformCollector())
    # The 0.0.4 text format (names escaped to underscores, as generate_latest does by default): every
    # Prometheus 2.x reads it, including Debian's.
    return process_metrics() + generate_latest(platform), CONTENT_TYPE_PLAIN_0_0_4
