"""The README's production set-up (scripts/setup-production.sh), run on a fresh copy of the
repository (no compiled translations, no collected static files) with production settings and an
empty data folder; then pages are asked for through the real settings, as gunicorn would serve them.

Installing packages is skipped (--skip-install): the copy uses this checkout's .venv and
node_modules."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.test_settings import PRODUCTION_ENV

HOST = PRODUCTION_ENV["ALLOWED_HOSTS"]
# What the shell's environment may carry in from a developer's machine or the test settings.
_NOT_INHERITED = ("GOVCLOUD_", "SECRET_KEY", "FIELD_ENCRYPTION_KEY", "AUDIT_SIGNING_KEY", "ALLOWED_HOSTS",
                  "SECURE_", "TASKS_BACKEND", "DATABASE_URL", "REDIS_URL", "DJANGO_")  # fmt: skip

# Asks the real settings (no test settings) for pages with Django's test client, which runs the
# whole middleware stack: the login page over HTTPS, the probes over plain HTTP.
_ASK_FOR_PAGES = f"""
import json
from django.test import Client
client = Client()
login = client.get("/accounts/login/", secure=True, HTTP_HOST="{HOST}")
plain = client.get("/accounts/login/", HTTP_HOST="{HOST}")
anonymous_docs = client.get("/api/v1/docs/", secure=True, HTTP_HOST="{HOST}")
# The documentation is for signed-in users (outside DEBUG): read it as one.
from django.utils import timezone
from govcloud.organizations.models import Organization, OrganizationKind, OrganizationLevel, User
org = Organization.objects.filter(parent=None).first() or Organization.objects.create(
    name="市电子政务中心", kind=OrganizationKind.values[0], level=OrganizationLevel.values[0], contact_name="联系人")
reader, _ = User.objects.get_or_create(username="docs_reader", defaults=dict(
    full_name="文档读者", organization=org, must_change_password=False, password_changed_at=timezone.now()))
signed_in = Client()
signed_in.force_login(reader)
docs = signed_in.get("/api/v1/docs/", secure=True, HTTP_HOST="{HOST}")
browsable = client.get("/api/v1/", secure=True, HTTP_HOST="{HOST}", HTTP_ACCEPT="text/html")
ready = client.get("/readyz", HTTP_HOST="{HOST}")
health = client.get("/healthz", HTTP_HOST="{HOST}")
print(json.dumps({{
    "login": [login.status_code, login.content.decode()],
    "plain": [plain.status_code, plain.get("Location", "")],
    "docs": [docs.status_code, docs.content.decode()],
    "anonymous_docs": [anonymous_docs.status_code, anonymous_docs.get("Location", "")],
    "browsable": [browsable.status_code, browsable.content.decode()],
    "ready": [ready.status_code, ready.json()],
    "health": [health.status_code],
}}))
"""


def _fresh_copy(target: Path) -> Path:
    """The repository's files as a checkout has them (tracked and new, nothing ignored: no .mo
    files, no staticfiles/, no .env), with this checkout's installed packages linked in."""
    root = Path(settings.BASE_DIR)
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        capture_output=True, cwd=root, check=True,
    ).stdout.decode().split("\0")  # fmt: skip
    for name in filter(None, listed):
        source = root / name
        if name.split("/")[0] in {".venv", "node_modules"} or not source.is_file():
            continue
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target / name)
    for installed in (".venv", "node_modules"):
        (target / installed).symlink_to((root / installed).resolve())
    return target


def _production_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_NOT_INHERITED)}
    env.update(PRODUCTION_ENV)
    env.pop("DJANGO_SETTINGS_MODULE")  # manage.py's own default: govcloud.settings
    env["GOVCLOUD_DATA_DIR"] = str(data_dir)
    return env


@pytest.fixture(scope="module")
def installation(tmp_path_factory):
    checkout = _fresh_copy(tmp_path_factory.mktemp("checkout"))
    assert not list(checkout.glob("locale/*/LC_MESSAGES/*.mo")), "the copy must start without translations"
    env = _production_env(tmp_path_factory.mktemp("data"))
    runs = [
        subprocess.run(
            ["scripts/setup-production.sh", "--skip-install"], capture_output=True, text=True, cwd=checkout, env=env
        )
        for _ in range(2)  # a second run, as after an upgrade, changes nothing and still succeeds
    ]
    answers = _ask(checkout, env) if all(run.returncode == 0 for run in runs) else None
    return checkout, runs, answers


def _ask(checkout: Path, env: dict[str, str]) -> dict:
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", _ASK_FOR_PAGES], capture_output=True, text=True,
        cwd=checkout, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_script_runs_twice_cleanly(installation):
    _checkout, runs, _answers = installation
    for run in runs:
        assert run.returncode == 0, run.stdout + run.stderr
    assert "== migrate" in runs[0].stdout and "== done" in runs[1].stdout


def test_pages_are_in_chinese_with_collected_static_files(installation):
    checkout, _runs, answers = installation
    assert answers, "the set-up script failed: see test_the_script_runs_twice_cleanly"
    status, html = answers["login"]
    assert status == 200
    assert 'lang="zh-hans"' in html
    assert "登录" in html and "Log in" not in html, "the page is in English: translations not compiled"
    assert list(checkout.glob("locale/zh_Hans/LC_MESSAGES/django.mo"))
    # WhiteNoise's manifest: the page links the hashed copies collectstatic wrote.
    assert "/static/web/govcloud." in html and "/static/web/govcloud.css" not in html
    assert any((checkout / "staticfiles" / "web").glob("govcloud.*.css"))


def test_every_static_file_a_page_links_was_collected(installation):
    """Production serves only what collectstatic gathered (govcloud.web.staticfiles leaves the
    unused builds of the front-end packages out): every {% static %} of our templates is there,
    and the API pages (drf-spectacular's and DRF's templates) render with their files."""
    checkout, _runs, answers = installation
    assert answers, "the set-up script failed: see test_the_script_runs_twice_cleanly"
    manifest = json.loads((checkout / "staticfiles" / "staticfiles.json").read_text())["paths"]
    linked = {
        match
        for template in (checkout / "govcloud").rglob("templates/**/*.html")
        for match in re.findall(r"""\{% static ['"]([^'"]+)['"] %\}""", template.read_text())
    }
    assert {"vendor/echarts/echarts.min.js", "vendor/bootstrap/js/bootstrap.bundle.min.js"} <= linked
    assert not linked - set(manifest), "linked by a template, not collected"
    status, location = answers["anonymous_docs"]
    assert status == 302 and location.startswith("/accounts/login/")
    status, html = answers["docs"]
    assert status == 200 and "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle." in html
    status, html = answers["browsable"]  # signed out: DRF's page saying so
    assert status == 401 and "/static/rest_framework/css/bootstrap.min." in html


def test_the_probes_answer_plain_http_and_the_installation_is_ready(installation):
    _checkout, _runs, answers = installation
    assert answers, "the set-up script failed: see test_the_script_runs_twice_cleanly"
    assert answers["plain"][0] == 301 and answers["plain"][1].startswith("https://")
    assert answers["health"] == [200]
    status, body = answers["ready"]
    assert status == 200, body
    assert body["checks"]["tasks"] == {"ok": True, "detail": "db"}


def test_the_script_refuses_debug_mode(tmp_path):
    root = Path(settings.BASE_DIR)
    env = {**_production_env(tmp_path), "GOVCLOUD_DEBUG": "true"}
    result = subprocess.run(
        ["scripts/setup-production.sh", "--skip-install"], capture_output=True, text=True, cwd=root, env=env
    )
    assert result.returncode == 1 and "GOVCLOUD_DEBUG is on" in result.stderr
