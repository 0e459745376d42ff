"""`make run`'s demo: DEBUG on, so it must not listen on every interface by default (issue 16 §4)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_demo_web_server_binds_to_this_machine_by_default():
    web = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:"))
    assert "--bind ${BIND:-127.0.0.1}:${PORT}" in web
    script = (ROOT / "scripts" / "run.sh").read_text()
    assert 'export BIND="${BIND:-127.0.0.1}"' in script
    assert "BIND ?= 127.0.0.1" in (ROOT / "Makefile").read_text()


def test_the_address_is_printed_only_once_the_server_answers():
    script = (ROOT / "scripts" / "run.sh").read_text()
    wait = script.index("/healthz")
    assert script.index("demo_logins") > wait


def test_two_web_servers_on_one_host_do_not_share_a_control_socket(tmp_path):
    """gunicorn 26+ opens a control socket at ~/.gunicorn/gunicorn.ctl by default: a second instance on
    the same host (two demos, a blue/green deployment) took it over from the first (issue 19). The
    Procfile's web server runs without one."""
    import os
    import shlex
    import socket
    import subprocess
    import time

    web = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = (
        web.removeprefix("web:")
        .replace("${BIND:-127.0.0.1}", "127.0.0.1")
        .replace("${PORT}", str(port))
        .replace("${WEB_CONCURRENCY:-2}", "2")
    )
    argv = shlex.split(command)
    argv[0] = str(ROOT / ".venv" / "bin" / argv[0])
    env = {**os.environ, "HOME": str(tmp_path), "DJANGO_SETTINGS_MODULE": "govcloud.settings_test"}
    server = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None, "the web server exited"
                time.sleep(0.2)
        time.sleep(1)  # the control socket, when there is one, is opened beside the workers
        assert not (tmp_path / ".gunicorn" / "gunicorn.ctl").exists()
    finally:
        server.terminate()
        server.wait(10)


def test_the_web_server_runs_sync_workers_one_per_core():
    """Measured (issue 19, README "Web worker model"): threads raised the list pages' p95 at 10 clients;
    sync workers, as many as cores (WEB_CONCURRENCY), are the production setting."""
    web = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:"))
    assert "--workers ${WEB_CONCURRENCY:-2}" in web
    assert "--threads" not in web and "--worker-class" not in web and " -k " not in web
