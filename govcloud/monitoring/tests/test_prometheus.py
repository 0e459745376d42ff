"""The Prometheus collector against a real Prometheus (Debian's `prometheus` package, installed by
scripts/install-system-packages.sh): started on a free loopback port over a temporary storage
directory into which `promtool tsdb create-blocks-from openmetrics` has backfilled three hours of
samples before NOW, labelled with ledger codes — two resources of the ledger and one code it does
not know."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.request
from datetime import UTC, timedelta

import pytest

from govcloud.core.actors import SYSTEM
from govcloud.monitoring.models import CollectionRun, CollectionStatus, Sample, SampleSource
from govcloud.monitoring.prometheus import prometheus_collect
from govcloud.monitoring.tests.conftest import NOW
from govcloud.organizations.models import User

pytestmark = pytest.mark.django_db

CODES = {"a_host": "PROM-A-0001", "b_host": "PROM-B-0002"}
UNKNOWN = "NOT-IN-LEDGER-9"
STEP = 60
END = int(NOW.timestamp()) + 600  # the backfill runs to 10 minutes after NOW
BEGIN = int(NOW.timestamp()) - 3 * 3600


def cpu(code: str, ts: int) -> float:
    return float((ts // 60) % 90) + (5.0 if code == CODES["b_host"] else 0.0)


def memory(code: str, ts: int) -> float:
    return 40.0 + (ts // 60) % 50 + (1.0 if code == CODES["b_host"] else 0.0)


def openmetrics() -> str:
    lines = []
    for family, values, codes in (
        ("govcloud_test_cpu", cpu, [*CODES.values(), UNKNOWN]),
        ("govcloud_test_memory", memory, list(CODES.values())),
    ):
        lines.append(f"# TYPE {family} gauge")
        for code in codes:
            lines += [f'{family}{{ledger_code="{code}"}} {values(code, ts)} {ts}' for ts in range(BEGIN, END, STEP)]
    return "\n".join([*lines, "# EOF", ""])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def prometheus_url(tmp_path_factory):
    binary, promtool = shutil.which("prometheus"), shutil.which("promtool")
    if not binary or not promtool:
        pytest.skip("Debian's prometheus package is not installed (scripts/install-system-packages.sh installs it)")
    root = tmp_path_factory.mktemp("prometheus")
    data, storage = root / "samples.om", root / "data"
    data.write_text(openmetrics())
    storage.mkdir()
    subprocess.run(
        [promtool, "tsdb", "create-blocks-from", "openmetrics", str(data), str(storage)],
        check=True,
        capture_output=True,
    )
    config = root / "prometheus.yml"
    config.write_text("scrape_configs: []\n")
    port = free_port()
    log = (root / "prometheus.log").open("wb")
    process = subprocess.Popen(
        [
            binary,
            f"--config.file={config}",
            f"--storage.tsdb.path={storage}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--storage.tsdb.retention.time=10y",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                query = f"{url}/api/v1/query?query=count(govcloud_test_cpu)&time={NOW.timestamp()}"
                with urllib.request.urlopen(query, timeout=2) as response:
                    if json.load(response)["data"]["result"]:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Prometheus did not start: {(root / 'prometheus.log').read_text()[-2000:]}")
            time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


@pytest.fixture
def prom(mon, prometheus_url, settings):
    """The two hosts of `mon` renamed to the backfill's codes; the collector pointed at Prometheus."""
    for attr, code in CODES.items():
        resource = getattr(mon, attr)
        type(resource).objects.filter(pk=resource.pk).update(code=code)
        resource.refresh_from_db()
    settings.GOVCLOUD_PROMETHEUS = {
        "url": prometheus_url,
        "queries": {"cpu_percent": "govcloud_test_cpu", "memory_percent": "govcloud_test_memory"},
        "step": "1m",
        "delay": "1m",
        "lookback": "1h",
        "points_per_query": 25,  # several requests per run
        "timeout": 10,
    }
    return mon


def stored() -> dict[tuple[str, str, int], float]:
    return {
        (code, metric, int(at.timestamp())): value
        for code, metric, at, value in Sample.objects.values_list("resource__code", "metric", "at", "value")
    }


def expected(start: int, end: int) -> dict[tuple[str, str, int], float]:
    rows = {}
    for code in CODES.values():
        for ts in range(start, end + 1, STEP):
            rows[(code, "cpu_percent", ts)] = cpu(code, ts)
            rows[(code, "memory_percent", ts)] = memory(code, ts)
    return rows


def test_values_arrive_with_their_metric_and_unknown_codes_are_refused_per_sample(prom):
    run = prometheus_collect(actor=SYSTEM)
    end = int(NOW.timestamp()) - 60  # the delay, aligned to the step
    start = end - 3600 + 60
    assert run.status == CollectionStatus.SUCCEEDED, run.error
    assert (run.window_start, run.window_end) == (
        NOW - timedelta(hours=1),
        NOW - timedelta(minutes=1),
    )
    assert run.collected_until == run.window_end
    assert stored() == expected(start, end)
    assert set(Sample.objects.values_list("source", flat=True)) == {SampleSource.PROMETHEUS}
    points = (end - start) // STEP + 1
    assert (run.series, run.accepted, run.rejected) == (5 * 3, 4 * points, points)  # 3 chunks of ≤ 25 steps
    assert run.reasons == {"unknown_resource": points}
    assert {(r["resource"], r["reason"]) for r in run.rejections} == {(UNKNOWN, "unknown_resource")}


def test_a_rerun_changes_nothing(prom, frozen):
    first = prometheus_collect(actor=SYSTEM)
    before = stored()
    again = prometheus_collect(actor=SYSTEM)  # same minute: nothing new to ask for
    assert again.status == CollectionStatus.SUCCEEDED
    assert (again.received, again.accepted) == (0, 0)
    assert again.collected_until == first.collected_until
    # Even with the cursor lost, asking for the same window again stores nothing twice.
    CollectionRun.objects.all().delete()
    third = prometheus_collect(actor=SYSTEM)
    assert third.received == first.received
    assert stored() == before


def test_prometheus_down_is_recorded_and_the_gap_is_caught_up(prom, frozen, settings, prometheus_url):
    frozen.move_to(NOW - timedelta(minutes=40))
    first = prometheus_collect(actor=SYSTEM)
    assert first.status == CollectionStatus.SUCCEEDED

    frozen.move_to(NOW - timedelta(minutes=20))
    settings.GOVCLOUD_PROMETHEUS = dict(settings.GOVCLOUD_PROMETHEUS, url=f"http://127.0.0.1:{free_port()}")
    down = prometheus_collect(actor=SYSTEM)
    assert down.status == CollectionStatus.FAILED
    assert "cpu_percent" in down.error and down.error.strip() != "cpu_percent:"
    assert down.collected_until is None and down.accepted == 0

    frozen.move_to(NOW)
    settings.GOVCLOUD_PROMETHEUS = dict(settings.GOVCLOUD_PROMETHEUS, url=prometheus_url)
    back = prometheus_collect(actor=SYSTEM)
    assert back.status == CollectionStatus.SUCCEEDED
    assert back.window_start == first.collected_until + timedelta(minutes=1)
    # Nothing lost: every minute from the first run's start to the last one's end, once.
    assert stored() == expected(int(first.window_start.timestamp()), int(back.window_end.timestamp()))


def test_a_refused_query_is_recorded_with_prometheus_reason(prom, settings):
    settings.GOVCLOUD_PROMETHEUS = dict(settings.GOVCLOUD_PROMETHEUS, queries={"cpu_percent": "rate(("})
    run = prometheus_collect(actor=SYSTEM)
    assert run.status == CollectionStatus.FAILED
    assert "HTTP 400" in run.error and "parse error" in run.error
    assert not Sample.objects.exists()


def test_the_catch_up_is_bounded(prom, settings):
    CollectionRun.objects.create(
        source=SampleSource.PROMETHEUS,
        status=CollectionStatus.SUCCEEDED,
        started_at=NOW - timedelta(days=3),
        collected_until=NOW - timedelta(days=3),
    )
    settings.GOVCLOUD_PROMETHEUS = dict(settings.GOVCLOUD_PROMETHEUS, max_catchup="2h")
    run = prometheus_collect(actor=SYSTEM)
    assert run.window_start == NOW - timedelta(hours=2) + timedelta(minutes=1)
    assert run.status == CollectionStatus.SUCCEEDED
    # The backfill starts 3 hours before NOW: everything from the bounded start on arrived.
    assert min(at for _c, _m, at in stored()) == int(run.window_start.astimezone(UTC).timestamp())


def test_unconfigured_or_misconfigured(mon, settings):
    settings.GOVCLOUD_PROMETHEUS = {}
    assert prometheus_collect(actor=SYSTEM) is None
    assert not CollectionRun.objects.exists()
    settings.GOVCLOUD_PROMETHEUS = {"url": "http://127.0.0.1:9", "queries": {"cpu_load": "up"}}
    run = prometheus_collect(actor=SYSTEM)
    assert run.status == CollectionStatus.FAILED and "cpu_load" in run.error


def test_people_do_not_run_the_collector(mon):
    from django.core.exceptions import PermissionDenied

    assert isinstance(mon.center, User)
    with pytest.raises(PermissionDenied):
        prometheus_collect(actor=mon.center)


def _runs(n: int, status=CollectionStatus.FAILED, error="cpu_percent: Connection refused"):
    CollectionRun.objects.bulk_create(
        CollectionRun(
            source=SampleSource.PROMETHEUS,
            status=status,
            started_at=NOW - timedelta(minutes=5 * i),
            window_start=NOW - timedelta(hours=1),
            window_end=NOW,
            accepted=10,
            rejected=2,
            reasons={"unknown_resource": 2},
            error=error,
        )
        for i in range(n)
    )


def test_the_center_and_the_provider_see_the_collection_runs_and_departments_do_not(client, mon):
    from django.urls import reverse

    from conftest import login
    from tests.test_query_counts import LIMIT, count

    url = reverse("monitoring:collection_runs")
    _runs(1)
    for user in (mon.center, mon.provider):
        login(client, user)
        assert 'data-testid="collection-runs-link"' in client.get(reverse("monitoring:utilization")).content.decode()
        html = client.get(url).content.decode()
        assert 'data-testid="collection-run" data-status="failed"' in html
        assert "Connection refused" in html
        assert 'data-status="failed"' not in client.get(url, {"status": "succeeded"}).content.decode()
    small = count(client, url)
    _runs(80)
    assert count(client, url) == small <= LIMIT, small
    login(client, mon.a_user)
    assert client.get(url).status_code == 403
    assert "collection-runs-link" not in client.get(reverse("monitoring:utilization")).content.decode()


def test_runs_past_the_raw_window_are_purged_with_the_samples(mon):
    from govcloud.monitoring import services

    _runs(1)
    CollectionRun.objects.create(source=SampleSource.PROMETHEUS, started_at=NOW - timedelta(days=36))
    services.samples_purge(actor=SYSTEM)
    assert list(CollectionRun.objects.values_list("started_at", flat=True)) == [NOW]
