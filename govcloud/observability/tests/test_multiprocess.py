"""Under gunicorn each worker is a process of its own: with PROMETHEUS_MULTIPROC_DIR set, a scrape
answered by any one of them counts the requests of all."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parents[3]

COUNT = """
import django
django.setup()
from govcloud.observability.metrics import LATENCY, REQUESTS
for _ in range({n}):
    REQUESTS.labels(route="/healthz", method="GET", status="200").inc()
    LATENCY.labels(route="/healthz", method="GET").observe(0.02)
"""

SCRAPE = """
import django, sys
django.setup()
from govcloud.observability.metrics import process_metrics
sys.stdout.write(process_metrics().decode())
"""


def _python(code: str, env: dict) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_workers_counts_add_up_in_any_workers_scrape(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "govcloud.settings_test",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
    }
    _python(COUNT.format(n=2), env)
    _python(COUNT.format(n=3), env)
    text = _python(SCRAPE, env)
    values = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    labels = (("method", "GET"), ("route", "/healthz"), ("status", "200"))
    assert values[("govcloud_http_requests_total", labels)] == 5
    bucket = (("le", "0.025"), ("method", "GET"), ("route", "/healthz"))
    assert values[("govcloud_http_request_duration_seconds_bucket", bucket)] == 5
