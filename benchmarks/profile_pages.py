"""Where a list page's server time goes, per page of 50 rows (issue 19): the city of benchmarks/pages.py
at a reduced size in a throwaway database, each list page requested in this process through Django's
WSGI handler (no HTTP, no test-client instrumentation of templates), DEBUG off as in production.

    .venv/bin/python benchmarks/profile_pages.py [APPLICATIONS]            # median ms per page
    .venv/bin/python benchmarks/profile_pages.py 3000 --profile [PATH]     # and a pyinstrument profile

Prints the median server time of each page over a number of requests (after one warming request, as a
running worker has its caches): wall-clock and this process's CPU time (SQLite runs in the process;
on a shared machine the CPU time is the steadier figure); with --profile, pyinstrument's text
report of the named page (or of every page) over the same requests. Needs pyinstrument
(requirements-dev.txt) only for --profile.

Issue 19, `benchmarks/profile_pages.py 3000` on SQLite, CPU ms per 50-row page, before (dab235f) and
after the row work, run back to back on the shared 2-core machine (its load moves wall times; the
CPU figures of one pair are comparable, not those of different pairs):

    center applications 31.1 -> 24.5   center inbox 30.9 -> 25.1   center ledger 27.6 -> 23.9
    center statements 22.3 -> 19.5     work-order queue 33.0 -> 27.5   all work orders 32.6 -> 28.6
    department applications 32.8 -> 26.8   department ledger 30.0 -> 25.9
    department statements 30.3 -> 29.8   /healthz 4.6 -> 4.3

Then (2026-12-06) Jinja2 rows, only the shown columns, the menu rendered once per role set, the page's
keys before its rows on SQLite, the department's resources by key in metering, persistent SQLite
connections — CPU ms, same command:

    center applications 18.5   center inbox 17.6   center ledger 18.2   center statements 18.8
    work-order queue 14.3   all work orders 15.4   department applications 21.6
    department ledger 20.9   department statements 26.2   /healthz 2.2

Then (2026-12-06, later) Django's widgets through Jinja2 (govcloud/web/renderers.py), and the two
floors of benchmarks/floors.py measured beside the pages — CPU ms, same command, quiet machine:

    center applications 14.7   center inbox 15.7   center ledger 14.6   center statements 12.9
    work-order queue 11.8   all work orders 12.4   department applications 17.4
    department ledger 16.5   department statements 17.7
    floor: signed in, no work 1.3   floor: layout, empty page 2.8   /healthz 1.3 (with a session
    cookie it does not read; 0.35 without one)

Then the city's resources got the history a delivery leaves (before, the department's live
month-to-date had nothing to rate), and metering lost its model instances and Fractions: the
department statements page 33.5 ms (the other pages unchanged within the machine's noise). Its
live month-to-date rates every resource of the department on each view: O(resources), the one
page that is.
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "floors_settings")  # the test settings and the floors

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

RUNS = 40


def request(handler, path: str, cookie: str) -> int:
    path_info, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path_info,
        "QUERY_STRING": query,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "HTTP_COOKIE": f"sessionid={cookie}",
        "HTTP_ACCEPT_LANGUAGE": "zh-hans",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
    }
    status = []
    body = handler(environ, lambda s, headers, exc_info=None: status.append(s))
    b"".join(body)
    if hasattr(body, "close"):
        body.close()
    return int(status[0].split()[0])


def main(n: int, profile: str | None) -> None:
    from django.core.handlers.wsgi import WSGIHandler
    from floors import LAYOUT, SIGNED_IN
    from pages import list_pages, signed_in_city

    center, provider, dept = signed_in_city(n)
    pages = list_pages(center, provider, dept)
    pages.insert(5, ("provider: all work orders", "/work-orders/?queue=all", provider))
    pages += [
        ("floor: signed in, no work", SIGNED_IN, center),
        ("floor: layout, empty page", LAYOUT, center),
        ("bare endpoint", "/healthz", center),
    ]
    handler = WSGIHandler()
    print(f"{n} applications on {connection.vendor}; median of {RUNS} requests in-process, wall / CPU (ms)")
    for label, path, cookie in pages:
        assert request(handler, path, cookie) == 200, path
        profiler = None
        if profile is not None and (profile in ("", path)):
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005)
            profiler.start()
        samples, cpu = [], []
        for _ in range(RUNS):
            start, start_cpu = time.perf_counter(), time.process_time()
            request(handler, path, cookie)
            samples.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        wall_ms, cpu_ms = statistics.median(samples) * 1000, statistics.median(cpu) * 1000
        print(f"  {label:28} {path:24} {wall_ms:7.1f} {cpu_ms:7.1f}")
        if profiler is not None:
            profiler.stop()
            print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a.isdigit()]
    count = int(args[0]) if args else 3000
    profile = None
    if "--profile" in sys.argv:
        following = sys.argv[sys.argv.index("--profile") + 1 :]
        profile = following[0] if following and following[0].startswith("/") else ""
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        main(count, profile)
    finally:
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)
