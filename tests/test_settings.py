"""Settings come from the environment with safe defaults; production passes check --deploy."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings

PRODUCTION_ENV = {
    "GOVCLOUD_DEBUG": "false",
    "SECRET_KEY": "kD8#v2!qP9zL@x4Rm7$wN1^cT6&yB3*hF5(jG0)sA8%uE2-iO7+pQ9=rZ4~lK1",
    "FIELD_ENCRYPTION_KEY": "a1b2c3d4e5f60718293a4b5c6d7e8f90",
    "AUDIT_SIGNING_KEY": "production-audit-signing-key-from-the-vault",
    "ALLOWED_HOSTS": "govcloud.example.gov.cn",
    "DJANGO_SETTINGS_MODULE": "govcloud.settings",
}


def _run(env_overrides: dict, *args: str) -> subprocess.CompletedProcess:
    # Start from a clean environment: the test settings put their own keys into os.environ.
    ours = {
        *PRODUCTION_ENV,
        "SECURE_SSL_REDIRECT",
        "TASKS_BACKEND",
        "DATABASE_URL",
        "REDIS_URL",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    }
    env = {k: v for k, v in os.environ.items() if k not in ours and not k.startswith("GOVCLOUD_")}
    env.update(env_overrides)
    env["GOVCLOUD_DATA_DIR"] = settings.DATA_DIR.as_posix()
    return subprocess.run(
        [sys.executable, "manage.py", *args], capture_output=True, text=True, cwd=settings.BASE_DIR, env=env
    )


def test_production_settings_pass_check_deploy_without_warnings():
    result = _run(PRODUCTION_ENV, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_secret_key_is_required_when_debug_is_off():
    env = dict(PRODUCTION_ENV)
    del env["SECRET_KEY"]
    result = _run(env, "check")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_database_url_defaults_to_sqlite_in_the_data_folder():
    result = _run(
        PRODUCTION_ENV,
        "shell",
        "-c",
        "from django.conf import settings; d = settings.DATABASES['default']; print(d['ENGINE'], d['NAME'])",
    )
    assert "sqlite3" in result.stdout and "govcloud.sqlite3" in result.stdout, result.stderr


def test_postgres_url_works_unchanged():
    result = _run(
        {**PRODUCTION_ENV, "DATABASE_URL": "postgres://gc:secret@db.internal:5432/govcloud"},
        "shell",
        "-c",
        "from django.conf import settings; d = settings.DATABASES['default']; print(d['ENGINE'], d['HOST'], d['NAME'])",
    )
    assert "postgresql db.internal govcloud" in result.stdout, result.stderr
