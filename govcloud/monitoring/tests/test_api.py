"""The monitoring API: the provider pushes batches with a provider token and gets per-sample
reasons; departments may not push; rollups are read within the caller's scope."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from govcloud.catalog.tests.helpers import api_for
from govcloud.core.actors import SYSTEM
from govcloud.monitoring import services
from govcloud.monitoring.models import Period, Sample
from govcloud.monitoring.tests.conftest import NOW
from tests.test_query_counts import LIMIT, count

pytestmark = pytest.mark.django_db

PUSH = "/api/v1/metrics/samples/"
ROLLUPS = "/api/v1/metrics/rollups/"


def sample(resource, minutes=5, metric="cpu_percent", value=30.0):
    code = getattr(resource, "code", resource)
    return {"resource": code, "metric": metric, "time": (NOW - timedelta(minutes=minutes)).isoformat(), "value": value}


def test_the_routes_are_named():
    assert reverse("metric-sample-list") == PUSH and reverse("metric-rollup-list") == ROLLUPS


def test_provider_pushes_a_batch_and_reads_the_reasons(mon):
    client = api_for(mon.provider)
    batch = {
        "samples": [
            sample(mon.a_host),
            sample(mon.b_host, metric="memory_percent", value=55),
            sample(mon.a_host, minutes=6, value=140),
            sample("TZ-VM-404404"),
            sample(mon.a_host, minutes=-60),
            "junk",
        ]
    }
    response = client.post(PUSH, batch, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["received"] == 6 and body["accepted"] == 2
    assert [(r["index"], r["reason"]) for r in body["rejected"]] == [
        (2, "out_of_range"),
        (3, "unknown_resource"),
        (4, "in_future"),
        (5, "invalid"),
    ]
    assert body["rejected"][1]["resource"] == "TZ-VM-404404" and body["rejected"][0]["message"]
    # Re-sending changes nothing.
    again = client.post(PUSH, batch, format="json").json()
    assert again["accepted"] == 2 and Sample.objects.count() == 2


def test_a_department_token_may_not_push_even_for_its_own_resources(mon):
    for user in (mon.a_user, mon.center, mon.finance):
        response = api_for(user).post(PUSH, {"samples": [sample(mon.a_host)]}, format="json")
        assert response.status_code == 403
    assert not Sample.objects.exists()


def test_the_envelope_is_checked(mon):
    client = api_for(mon.provider)
    assert client.post(PUSH, {"samples": []}, format="json").status_code == 400
    assert client.post(PUSH, {"samples": "x"}, format="json").status_code == 400
    assert client.post(PUSH, {}, format="json").status_code == 400
    too_many = {"samples": [sample(mon.a_host)] * (services.MAX_BATCH + 1)}
    assert client.post(PUSH, too_many, format="json").status_code == 400


def test_rollups_are_read_within_the_scope(mon):
    services.samples_ingest(actor=SYSTEM, source="push", samples=[sample(mon.a_host, minutes=140, value=40)])
    services.samples_ingest(actor=SYSTEM, source="push", samples=[sample(mon.b_host, minutes=140, value=70)])
    services.rollups_run(actor=SYSTEM, period=Period.HOUR)
    center = api_for(mon.center).get(ROLLUPS).json()
    assert {r["resource_code"] for r in center["results"]} == {mon.a_host.code, mon.b_host.code}
    own = api_for(mon.a_user).get(ROLLUPS).json()
    assert [r["resource_code"] for r in own["results"]] == [mon.a_host.code]
    row = own["results"][0]
    assert (row["metric"], row["period"], row["avg"], row["max"], row["p95"], row["count"]) == (
        "cpu_percent",
        "hour",
        40.0,
        40.0,
        40.0,
        1,
    )
    # Another department's resource by filter: nothing, as for a missing one.
    assert api_for(mon.a_user).get(ROLLUPS, {"resource": mon.b_host.pk}).json()["results"] == []
    assert api_for(mon.b_user).get(ROLLUPS, {"resource_code": mon.a_host.code}).json()["results"] == []
    filtered = api_for(mon.center).get(ROLLUPS, {"resource": mon.b_host.pk, "period": "hour"}).json()
    assert [r["avg"] for r in filtered["results"]] == [70.0]
    assert api_for(mon.center).get(ROLLUPS, {"period": "week"}).status_code == 400
    assert api_for(mon.center).get(ROLLUPS, {"since": "soon"}).status_code == 400


def test_rollup_list_queries_do_not_grow_with_rows(mon):
    client = api_for(mon.center)

    def fill(hours):
        samples = [sample(r, minutes=60 * h + 120) for r in (mon.a_host, mon.b_host) for h in range(hours)]
        services.samples_ingest(actor=SYSTEM, source="push", samples=samples)
        services.rollups_run(actor=SYSTEM, period=Period.HOUR)

    fill(2)
    count(client, ROLLUPS)  # warm: the token's first use is recorded once
    small = count(client, ROLLUPS)
    fill(40)
    count(client, ROLLUPS)
    large = count(client, ROLLUPS)
    paged = count(client, f"{ROLLUPS}?page_size=200")
    assert small == large == paged <= LIMIT, (small, large, paged)


RUNS = "/api/v1/monitoring/collection-runs/"


def collection_run(status, minutes_ago, error=""):
    from govcloud.monitoring.models import CollectionRun, SampleSource

    started = NOW - timedelta(minutes=minutes_ago)
    return CollectionRun.objects.create(
        source=SampleSource.PROMETHEUS,
        status=status,
        started_at=started,
        finished_at=started + timedelta(seconds=3),
        window_start=started - timedelta(hours=1),
        window_end=started,
        collected_until=started if status == "succeeded" else None,
        series=4,
        received=48,
        accepted=46 if status == "succeeded" else 0,
        rejected=2 if status == "succeeded" else 0,
        reasons={"unknown_resource": 2} if status == "succeeded" else {},
        error=error,
    )


def test_collection_runs_are_read_by_the_provider_and_the_center_only(mon):
    assert reverse("monitoring-collection-run-list") == RUNS
    older = collection_run("succeeded", 120)
    newer = collection_run("failed", 60, error="Prometheus: connection refused")
    listed = api_for(mon.provider).get(RUNS).json()
    assert [r["id"] for r in listed["results"]] == [newer.pk, older.pk]
    first = api_for(mon.center).get(f"{RUNS}{older.pk}/").json()
    assert (first["received"], first["accepted"], first["rejected"], first["reasons"]) == (
        48,
        46,
        2,
        {"unknown_resource": 2},
    )
    failed = api_for(mon.center).get(RUNS, {"status": "failed"}).json()["results"]
    assert [(r["id"], r["error"]) for r in failed] == [(newer.pk, "Prometheus: connection refused")]
    # Junk filters are refused by name; a department sees no run, and one answers as a missing one.
    assert api_for(mon.center).get(RUNS, {"status": "broken"}).status_code == 400
    assert api_for(mon.center).get(RUNS, {"since": "soon"}).status_code == 400
    # A moment far outside the platform's years (the fuzzer's; PostgreSQL refused its offset: 500).
    for far in ("0137-05-19T04:19:27.9Z", "0039-06-23T02:40:24Z", "9999-12-31T23:59:59Z"):
        for name in ("since", "until"):
            answer = api_for(mon.center).get(RUNS, {name: far})
            assert answer.status_code == 400 and name in answer.json(), (far, name)
            assert api_for(mon.center).get(ROLLUPS, {name: far}).status_code == 400
    assert api_for(mon.center).get(RUNS, {"since": "2026-12-01T00:00:00+08:00"}).status_code == 200
    assert api_for(mon.a_user).get(RUNS).json()["results"] == []
    assert api_for(mon.a_user).get(f"{RUNS}{older.pk}/").status_code == 404
    assert api_for(mon.a_user).get(f"{RUNS}999999/").status_code == 404
    # Read-only: nobody writes a run through the API.
    assert api_for(mon.center).post(RUNS, {}, format="json").status_code == 405


def test_collection_run_list_queries_do_not_grow_with_rows(mon):
    client = api_for(mon.center)
    collection_run("succeeded", 10)
    count(client, RUNS)
    small = count(client, RUNS)
    for n in range(30):
        collection_run("succeeded", 20 + n)
    large = count(client, f"{RUNS}?page_size=100")
    assert small == large <= LIMIT, (small, large)
