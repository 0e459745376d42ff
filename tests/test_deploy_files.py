"""The deployment files (deploy/, docs/deployment.md) stay consistent with what the project runs: the
systemd units start the Procfile's commands, every file is in the guide, every variable the units'
environment file names is one the settings read."""

from __future__ import annotations

import configparser
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read_string((DEPLOY / "systemd" / name).read_text().replace("\\\n", " "))
    return parser


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if ": " in line)


def test_the_web_unit_runs_the_procfile_s_gunicorn_with_the_same_options():
    start = unit("govcloud-web@.service")["Service"]["ExecStart"]
    web = procfile()["web"]
    for option in re.findall(r"--[a-z-]+(?: [^-$][^ ]*)?", web):
        if not option.startswith("--bind"):
            assert option in start, option
    assert "--bind 127.0.0.1:%i" in start


def test_the_worker_and_scheduler_units_run_the_readme_s_commands():
    worker = unit("govcloud-worker@.service")["Service"]["ExecStart"]
    assert "manage.py rqworker --job-class django_tasks_rq.Job default" in worker
    assert "manage.py scheduler" in unit("govcloud-scheduler.service")["Service"]["ExecStart"]


def test_every_unit_restarts_and_belongs_to_the_target():
    # Several Wants= lines (configparser keeps only the last one of a key).
    wanted = " ".join(re.findall(r"^Wants=(.*)$", (DEPLOY / "systemd" / "govcloud.target").read_text(), re.M))
    for path in (DEPLOY / "systemd").glob("*.service"):
        parsed = unit(path.name)
        assert parsed["Service"]["Restart"] == "always", path.name
        assert parsed["Service"]["EnvironmentFile"] == "/etc/govcloud/govcloud.env", path.name
        assert parsed["Unit"]["PartOf"] == "govcloud.target", path.name
        assert path.name.replace("@.service", "@") in wanted or path.name in wanted, path.name


def test_the_guide_names_every_deployment_file():
    guide = (ROOT / "docs" / "deployment.md").read_text()
    for path in DEPLOY.rglob("*"):
        if path.is_file():
            assert path.name in guide, path.name


def test_the_environment_file_sets_only_variables_the_settings_read():
    settings = (ROOT / "govcloud" / "settings.py").read_text()
    names = re.findall(r"^([A-Z_]+)=", (DEPLOY / "govcloud.env.example").read_text(), re.MULTILINE)
    assert "DATABASE_URL" in names and "TASKS_BACKEND" in names
    for name in names:
        assert f'"{name}"' in settings, name
