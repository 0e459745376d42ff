"""Drives the test identity platform (tests/sso_servers) as a person's browser would, over HTTP,
and makes tokens signed with its key for the refusal tests."""

from __future__ import annotations

import json
import re
import time
from urllib.parse import urljoin

import requests
from joserfc import jwt
from joserfc.jwk import RSAKey

from tests.sso_servers.harness import PASSWORD


def _csrf(session: requests.Session, html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, html[:500]
    return match.group(1)


def oidc_authorize(platform, authorize_url: str, username: str, session: requests.Session | None = None) -> str:
    """Signs `username` in at the platform and follows the authorization request: returns where the
    platform sends the browser back (GovCloud's callback URL with code and state)."""
    session = session or requests.Session()
    response = session.get(authorize_url, allow_redirects=False)
    if response.status_code == 302 and "/accounts/login/" in response.headers["Location"]:
        login_url = urljoin(platform.base_url, response.headers["Location"])
        page = session.get(login_url)
        next_url = re.search(r'name="next" value="([^"]*)"', page.text).group(1).replace("&amp;", "&")
        response = session.post(
            login_url,
            data={
                "username": username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": _csrf(session, page.text),
                "next": next_url,
            },
            allow_redirects=False,
        )
        assert response.status_code == 302, response.text[:500]
        response = session.get(urljoin(platform.base_url, response.headers["Location"]), allow_redirects=False)
    assert response.status_code == 302, response.text[:500]
    return response.headers["Location"]


def cas_sign_in(platform, login_url: str, username: str, session: requests.Session | None = None) -> str:
    """Signs in at the CAS server's login page: returns the service URL with the service ticket."""
    session = session or requests.Session()
    page = session.get(login_url, allow_redirects=False)
    if page.status_code == 302:
        return page.headers["Location"]
    response = session.post(
        login_url,
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": _csrf(session, page.text)},
        allow_redirects=False,
    )
    assert response.status_code == 302, response.text[:800]
    return response.headers["Location"]


def platform_kid(platform) -> str:
    jwks = requests.get(f"{platform.base_url}/o/.well-known/jwks.json", timeout=5).json()
    return jwks["keys"][0]["kid"]


def signed_token(platform, claims: dict, *, key_pem: bytes | None = None, kid: str | None = None) -> str:
    """A JWT signed with the platform's key (or `key_pem`), as the platform would sign it."""
    key = RSAKey.import_key(key_pem or platform.key_pem)
    header = {"alg": "RS256", "kid": kid or platform_kid(platform)}
    return jwt.encode(header, claims, key)


def id_token_claims(platform, **overrides) -> dict:
    now = int(time.time())
    claims = {
        "iss": platform.issuer,
        "sub": "42",
        "aud": "govcloud",
        "iat": now,
        "exp": now + 300,
        "nonce": "n-0",
        "email": "wangwu@dept-a.example.gov.cn",
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def tamper(token: str, **changes) -> str:
    """The token with its payload changed and the original signature kept."""
    import base64

    header, payload, signature = token.split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    data.update(changes)
    new_payload = base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    return f"{header}.{new_payload}.{signature}"
