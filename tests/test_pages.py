"""Every page renders for every role without a server error and references nothing outside the
site: government extranets have no internet, so a CDN link is a broken page there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from conftest import login
from govcloud.core.roles import Role
from tests.isolation import ENDPOINTS
from tests.test_isolation import World, _body

pytestmark = pytest.mark.django_db

ROLES = [
    Role.CENTER_ADMIN,
    Role.CENTER_REVIEWER,
    Role.DEPARTMENT_APPLICANT,
    Role.DEPARTMENT_HEAD,
    Role.DEPARTMENT_SECURITY_OFFICER,
    Role.PROVIDER_OPERATOR,
    Role.FINANCE_VIEWER,
    Role.EXPERT,
    Role.LEADING_GROUP,
    Role.SYSTEM_ADMIN,
    Role.SECURITY_ADMIN,
    Role.AUDIT_ADMIN,
]

# src=, href=, action=, poster=, srcset=, url(...) and @import pointing at another host.
EXTERNAL = re.compile(
    r"""(?:(?:src|href|action|poster|srcset|data)\s*=\s*["']?\s*|url\(\s*["']?|@import\s+["'])"""
    r"""((?:https?:)?//(?!localhost[:/]|127\.0\.0\.1[:/]|testserver[:/])[^"')\s>]+)""",
    re.IGNORECASE,
)


def external_references(html: str) -> list[str]:
    return EXTERNAL.findall(html)


def test_the_detector_finds_what_it_must():
    assert external_references('<script src="https://cdn.jsdelivr.net/x.js"></script>')
    assert external_references("<link href='//fonts.googleapis.com/css'>")
    assert external_references('<div style="background: url(http://evil.example/a.png)">')
    assert not external_references('<script src="/static/vendor/htmx/htmx.min.js"></script>')
    assert not external_references('<a href="http://localhost:8000/">')


def _get_pages(world):
    for name, probe in sorted(ENDPOINTS.items()):
        if "get" not in probe.methods:
            continue
        url = reverse(name, kwargs=probe.kwargs(world)) + (f"?{probe.query}" if probe.query else "")
        yield name, url


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value)
def test_every_page_renders_and_stays_on_the_site(client, city, role):
    world = World(city)
    user = city.user(role)
    problems = []
    for name, url in _get_pages(world):
        login(client, user)
        response = client.get(url)
        if response.status_code >= 500:
            problems.append(f"{name}: {response.status_code}")
            continue
        if "html" in response.get("Content-Type", ""):
            for ref in external_references(_body(response)):
                problems.append(f"{name} references {ref}")
    assert not problems, "\n".join(problems)


def test_login_page_in_chinese_by_default_and_english_when_switched(client):
    page = client.get(reverse("organizations:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    html = page.content.decode()
    assert 'lang="zh-hans"' in html
    assert "登录" in html
    client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"})
    html = client.get(reverse("organizations:login")).content.decode()
    assert 'lang="en"' in html and "Log in" in html


def test_own_static_files_reference_nothing_outside():
    root = Path(settings.BASE_DIR) / "govcloud"
    own = [p for p in root.rglob("static/**/*") if p.suffix in {".css", ".js", ".svg", ".html"}]
    assert own
    for path in own:
        assert not external_references(path.read_text()), path


def test_front_end_packages_are_served_by_the_site():
    for path in (
        "vendor/bootstrap/css/bootstrap.min.css",
        "vendor/bootstrap/js/bootstrap.bundle.min.js",
        "vendor/htmx/htmx.min.js",
        "vendor/echarts/echarts.min.js",
        "vendor/bootstrap-icons/bootstrap-icons.min.css",
    ):
        assert finders.find(path), f"{path} missing: run `make` to install the pinned npm packages"


def test_no_third_party_code_is_committed():
    """Front-end packages come from npm at install time; the repository holds only a lock file."""
    import subprocess

    tracked = subprocess.run(
        ["git", "ls-files"], capture_output=True, text=True, cwd=settings.BASE_DIR, check=True
    ).stdout.split()
    assert not [f for f in tracked if f.startswith(("node_modules/", "staticfiles/"))]
    assert not [f for f in tracked if re.search(r"(bootstrap|htmx|echarts)[.-].*\.(js|css)$", f)]
