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
