"""Every page renders for every role without a server error, references nothing outside the site
(government extranets have no internet, so a CDN link is a broken page there) and carries the
Content-Security-Policy without inline script, with no markup that the policy would block."""

from __future__ import annotations

import json
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


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        if part.strip():
            name, *values = part.split()
            directives[name] = values
    return directives


def csp_problems(response, *, own_page: bool) -> list[str]:
    """What is wrong with a page's Content-Security-Policy: missing, or allowing inline or eval'd
    script; for the site's own pages (not DRF's) also markup that the policy would block."""
    header = response.get("Content-Security-Policy", "")
    if not header:
        return ["no Content-Security-Policy header"]
    policy = csp_directives(header)
    scripts = policy.get("script-src", policy.get("default-src", []))
    problems = [f"script-src allows {v}" for v in scripts if v in {"'unsafe-inline'", "'unsafe-eval'", "*"}]
    problems += [f"{d} is {policy.get(d)}" for d, want in REQUIRED_CSP.items() if policy.get(d) != want]
    if own_page:
        html = _body(response)
        problems += [f"inline script: {m[:60]}" for m in INLINE_SCRIPT.findall(html)]
        problems += [f"event handler attribute {m}" for m in HANDLER.findall(html)]
        problems += [f"style attribute or element: {m}" for m in INLINE_STYLE.findall(html)]
        if "script-src-attr" in policy or "'unsafe-inline'" in policy.get("style-src", []):
            problems.append(f"inline styles or handlers allowed: {header}")
    return problems


REQUIRED_CSP = {
    "script-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}
# <script> without src=, unless it is data (json_script's application/json).
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.IGNORECASE)
HANDLER = re.compile(r"<[a-z][^>]*\s(on[a-z]+)\s*=", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<[a-z][^>]*\sstyle\s*=|<style\b", re.IGNORECASE)


def test_the_csp_checks_find_what_they_must():
    from django.http import HttpResponse

    good = "; ".join(f"{d} {' '.join(v)}" for d, v in REQUIRED_CSP.items())
    page = HttpResponse('<script src="/static/a.js"></script><script id="d" type="application/json">{}</script>')
    page["Content-Security-Policy"] = good
    assert csp_problems(page, own_page=True) == []
    assert csp_problems(HttpResponse("<p>"), own_page=True) == ["no Content-Security-Policy header"]
    for bad_header in ("script-src 'self' 'unsafe-inline'", "default-src 'self' 'unsafe-eval'"):
        page["Content-Security-Policy"] = bad_header
        assert csp_problems(page, own_page=False)
    page["Content-Security-Policy"] = good
    for bad_markup in ("<script>alert(1)</script>", '<button onclick="x()">', '<div style="color: red">',
                       "<style>p {}</style>"):  # fmt: skip
        assert csp_problems(HttpResponse(bad_markup, headers=dict(page.headers)), own_page=True), bad_markup
    harmless = HttpResponse('<a data-on="1" title="style=">x</a>', headers=dict(page.headers))
    assert not csp_problems(harmless, own_page=True)


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
            problems += [f"{name}: {p}" for p in csp_problems(response, own_page=not url.startswith("/api/"))]
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


# HTMX runs with allowEval off (the htmx-config meta of web/base.html): hx-on handlers, js:/javascript:
# values and event filters (hx-trigger="click[ctrlKey]") would need eval, which the policy forbids.
NEEDS_EVAL = re.compile(r"""\bhx-on\b|hx-on[:-]|=\s*['"]\s*(?:js|javascript):|hx-trigger\s*=\s*["'][^"']*\[""")


def test_no_template_needs_eval_and_htmx_is_told_so(client):
    root = Path(settings.BASE_DIR) / "govcloud"
    offenders = [
        f"{template.relative_to(root)}: {match.group(0)}"
        for template in root.rglob("templates/**/*.html")
        for match in NEEDS_EVAL.finditer(template.read_text())
    ]
    assert not offenders, offenders
    assert NEEDS_EVAL.search('<div hx-trigger="click[ctrlKey]">') and NEEDS_EVAL.search("<b hx-on:click='x()'>")
    assert NEEDS_EVAL.search("<b hx-vals='js:{a: 1}'>") and not NEEDS_EVAL.search('<b hx-trigger="load, every 60s">')
    html = client.get(reverse("organizations:login")).content.decode()
    meta = re.search(r"""<meta name="htmx-config" content='([^']*)'>""", html)
    assert meta and json.loads(meta.group(1)) == {"allowEval": False, "includeIndicatorStyles": False}
