"""The OpenID Connect relying party: authorization code flow with PKCE (RFC 7636), ID token and
back-channel logout token validation, RP-initiated logout.

Authlib's OAuth2Session builds the authorization request (S256 code challenge) and exchanges the
code; joserfc (Authlib's JOSE library) checks signatures against the provider's published keys. The
claims are checked here, each refusal with its own code and message: a token signed by anyone else,
for another client, expired, or answering another request (nonce) signs nobody in.
"""

from __future__ import annotations

import secrets
import time
from urllib.parse import urlencode

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc6749.errors import OAuth2Error
from django.core.cache import cache
from django.utils.translation import gettext as _
from joserfc import jwt
from joserfc.errors import BadSignatureError, JoseError
from joserfc.jwk import KeySet

from govcloud.identity.config import OidcConfig
from govcloud.identity.errors import SignOnRefused

ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384"]
BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"
_CACHE_SECONDS = 300


def _unreachable() -> SignOnRefused:
    return SignOnRefused(
        "platform_unreachable",
        _("The unified identity platform cannot be reached. Try again later, or sign in with your GovCloud account."),
    )


def _get_json(url: str, timeout: float) -> dict:
    try:
        response = requests.get(url, timeout=timeout)
        response.raise_for_status()
        data = response.json()
    except (requests.RequestException, ValueError):
        raise _unreachable() from None
    if not isinstance(data, dict):
        raise _unreachable()
    return data


def discovery(config: OidcConfig) -> dict:
    key = f"identity:oidc:discovery:{config.discovery_url}"
    data = cache.get(key)
    if data is None:
        data = _get_json(config.discovery_url, config.timeout)
        for name in ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri"):
            if not data.get(name):
                raise _unreachable()
        cache.set(key, data, _CACHE_SECONDS)
    return data


def _keys(config: OidcConfig, *, refresh: bool = False) -> KeySet:
    meta = discovery(config)
    key = f"identity:oidc:jwks:{meta['jwks_uri']}"
    data = None if refresh else cache.get(key)
    if data is None:
        data = _get_json(meta["jwks_uri"], config.timeout)
        cache.set(key, data, _CACHE_SECONDS)
    return KeySet.import_key_set(data)


def new_flow() -> dict:
    """The per-request secrets kept in the session until the callback: state, nonce, PKCE verifier."""
    return {
        "state": secrets.token_urlsafe(24),
        "nonce": secrets.token_urlsafe(24),
        "verifier": secrets.token_urlsafe(64),
    }


def _session(config: OidcConfig, redirect_uri: str) -> OAuth2Session:
    return OAuth2Session(
        client_id=config.client_id,
        client_secret=config.client_secret or None,
        scope=config.scope,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic" if config.client_secret else "none",
    )


def authorization_url(config: OidcConfig, *, redirect_uri: str, flow: dict) -> str:
    meta = discovery(config)
    url, _state = _session(config, redirect_uri).create_authorization_url(
        meta["authorization_endpoint"], state=flow["state"], nonce=flow["nonce"], code_verifier=flow["verifier"]
    )
    return url


def exchange_code(config: OidcConfig, *, code: str, redirect_uri: str, flow: dict) -> dict:
    meta = discovery(config)
    client = _session(config, redirect_uri)
    try:
        token = client.fetch_token(
            meta["token_endpoint"], code=code, code_verifier=flow["verifier"], timeout=config.timeout
        )
    except OAuth2Error:
        raise SignOnRefused(
            "code_refused",
            _("The identity platform did not accept this sign-in (the code was used or has expired). Sign in again."),
        ) from None
    except requests.RequestException:
        raise _unreachable() from None
    if not token.get("id_token"):
        raise SignOnRefused("no_id_token", _("The identity platform sent no ID token. Sign in again."))
    return dict(token)


def _decode(config: OidcConfig, raw: str) -> dict:
    """The verified claims of a signed JWT from this provider (keys refetched once for a new key id)."""
    for refresh in (False, True):
        try:
            return dict(jwt.decode(raw, _keys(config, refresh=refresh), algorithms=ALGORITHMS).claims)
        except BadSignatureError:
            break
        except JoseError:
            if refresh:
                break
        except ValueError:
            break
    raise SignOnRefused(
        "bad_signature",
        _("The sign-in token is not signed by the configured identity platform. Nothing was done; sign in again."),
    )


def _check_common(config: OidcConfig, claims: dict, *, now: int) -> None:
    meta = discovery(config)
    issuer, subject = str(claims.get("iss", "")), str(claims.get("sub", ""))
    if issuer != meta["issuer"]:
        raise SignOnRefused(
            "wrong_issuer", _("The sign-in token comes from another issuer."), issuer=issuer, subject=subject
        )
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if config.client_id not in audiences:
        raise SignOnRefused(
            "wrong_audience",
            _("The sign-in token was issued for another application, not GovCloud."),
            issuer=issuer,
            subject=subject,
        )
    iat = claims.get("iat")
    if not isinstance(iat, int | float) or iat > now + config.leeway:
        raise SignOnRefused("bad_iat", _("The sign-in token has no valid issue time."), issuer=issuer, subject=subject)


def validate_id_token(config: OidcConfig, raw: str, *, nonce: str) -> dict:
    claims = _decode(config, raw)
    now = int(time.time())
    _check_common(config, claims, now=now)
    issuer, subject = claims["iss"], str(claims.get("sub", ""))
    if not subject:
        raise SignOnRefused("no_subject", _("The sign-in token names nobody."), issuer=issuer)
    audience = claims.get("aud")
    if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != config.client_id:
        raise SignOnRefused(
            "wrong_audience",
            _("The sign-in token was issued for another application, not GovCloud."),
            issuer=issuer,
            subject=subject,
        )
    exp = claims.get("exp")
    if not isinstance(exp, int | float) or exp + config.leeway < now:
        raise SignOnRefused(
            "expired", _("The sign-in token has expired. Sign in again."), issuer=issuer, subject=subject
        )
    if not nonce or not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
        raise SignOnRefused(
            "nonce_mismatch",
            _("The sign-in token answers another sign-in request (replayed). Sign in again."),
            issuer=issuer,
            subject=subject,
        )
    return claims


def userinfo(config: OidcConfig, access_token: str) -> dict:
    endpoint = discovery(config).get("userinfo_endpoint")
    if not endpoint or not access_token:
        return {}
    try:
        response = requests.get(endpoint, headers={"Authorization": f"Bearer {access_token}"}, timeout=config.timeout)
        response.raise_for_status()
        data = response.json()
    except (requests.RequestException, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def validate_logout_token(config: OidcConfig, raw: str) -> dict:
    """OpenID Connect Back-Channel Logout 1.0 §2.6: signed by the provider, for this client, with
    the logout event, a `sub` or `sid`, and no nonce."""
    claims = _decode(config, raw)
    now = int(time.time())
    _check_common(config, claims, now=now)
    exp = claims.get("exp")
    if isinstance(exp, int | float) and exp + config.leeway < now:
        raise SignOnRefused("expired", _("The logout token has expired."))
    events = claims.get("events")
    if not isinstance(events, dict) or BACKCHANNEL_LOGOUT_EVENT not in events:
        raise SignOnRefused("not_logout", _("The token is not a logout token."))
    if "nonce" in claims:
        raise SignOnRefused("not_logout", _("The token is not a logout token."))
    if not claims.get("sub") and not claims.get("sid"):
        raise SignOnRefused("not_logout", _("The logout token names no session."))
    return claims


def end_session_url(config: OidcConfig, *, id_token: str, post_logout_redirect_uri: str) -> str:
    """RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0), or "" if the provider has none."""
    try:
        endpoint = discovery(config).get("end_session_endpoint")
    except SignOnRefused:
        return ""
    if not endpoint:
        return ""
    query = {"client_id": config.client_id, "post_logout_redirect_uri": post_logout_redirect_uri}
    if id_token:
        query["id_token_hint"] = id_token
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(query)}"
