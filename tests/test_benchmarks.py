"""The billing benchmark on a small city: it still runs, and its floor (an independent raw SQL
aggregate of quantity × price × duration) agrees with the drafted statements' total up to the
lines' rounding. Its timings are printed, never asserted."""

import os
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings

BENCHMARK = Path(settings.BASE_DIR) / "benchmarks" / "billing.py"


def test_billing_benchmark_runs_and_its_floor_agrees_with_the_statements(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "PYTEST", "DJANGO_SETTINGS"))}
    # Its own SQLite database in a folder of its own, whichever database the suite runs on.
    env["GOVCLOUD_DATA_DIR"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, str(BENCHMARK), "200", "5"], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "they agree" in done.stdout
    assert "statements: 5," in done.stdout


INGEST = Path(settings.BASE_DIR) / "benchmarks" / "ingest.py"


def test_ingest_benchmark_runs_and_prints_both_rates(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "PYTEST", "DJANGO_SETTINGS"))}
    env["GOVCLOUD_DATA_DIR"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, str(INGEST), "4000", "100"], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "push path" in done.stdout and "floor (raw executemany" in done.stdout and "ratio push rate" in done.stdout


ASSESSMENT = Path(settings.BASE_DIR) / "benchmarks" / "assessment.py"


def test_assessment_benchmark_runs_and_prints_its_ratios(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "PYTEST", "DJANGO_SETTINGS"))}
    env["GOVCLOUD_DATA_DIR"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, str(ASSESSMENT), "300", "300", "60"], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "quarterly assessment run" in done.stdout and "ratio" in done.stdout


PAGES = Path(settings.BASE_DIR) / "benchmarks" / "pages.py"


def test_pages_benchmark_runs_through_gunicorn_and_prints_every_ratio(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "PYTEST", "DJANGO_SETTINGS"))}
    env["GOVCLOUD_DATA_DIR"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, str(PAGES), "200", "--smoke"], env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "/healthz" in done.stdout and "worker model" in done.stdout
    assert "/bench/signed-in" in done.stdout and "/bench/layout" in done.stdout
    # Four ratios (median and p95, to /healthz and to the signed-in floor) for the two floors and
    # each of the eight lists.
    assert len(re.findall(r"\d+\.\dx", done.stdout)) == 40


LOAD = Path(settings.BASE_DIR) / "benchmarks" / "load.py"


def test_load_benchmark_runs_every_role_through_gunicorn_without_errors(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "PYTEST", "DJANGO_SETTINGS"))}
    env["GOVCLOUD_DATA_DIR"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, str(LOAD), "city", "200", "--smoke"], env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "errors: 0," in done.stdout
    # Every role's pages and the bare endpoint were fetched in the same run.
    for page in (
        "/healthz",
        "department: applications",
        "department: draft saved",
        "center: inbox",
        "provider: work-order queue",
    ):
        assert page in done.stdout, done.stdout
    assert "finance: statements" in done.stdout and re.search(r"\d+\.\dx", done.stdout)
