"""Which sign-on platforms are configured, from settings and the secrets file.

Settings name the platform (GOVCLOUD_SSO_OIDC, GOVCLOUD_SSO_CAS); the OIDC client secret comes only
from the section "oidc" of GOVCLOUD_SECRETS_FILE (JSON or TOML), never from the database or the
environment listing. Callers must not log a config's `client_secret`.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Account fields a platform claim may be matched with (unique per account, or refused as ambiguous).
MATCH_FIELDS = frozenset({"email", "username", "phone"})
DEFAULT_MFA_AMR = ("mfa", "otp", "hwk", "sms", "swk")


def _secrets_section(name: str) -> dict:
    path = getattr(settings, "GOVCLOUD_SECRETS_FILE", "")
    if not path:
        return {}
    file = Path(path)
    try:
        raw = file.read_bytes()
        data = tomllib.loads(raw.decode()) if file.suffix == ".toml" else json.loads(raw)
    except (OSError, ValueError) as exc:
        raise ImproperlyConfigured(f"GOVCLOUD_SECRETS_FILE cannot be read as JSON or TOML ({exc.__class__.__name__})")
    section = data.get(name, {})
    return section if isinstance(section, dict) else {}


def _match_field(raw: dict) -> str:
    value = raw.get("match_field", "email")
    if value not in MATCH_FIELDS:
        raise ImproperlyConfigured(f"match_field must be one of {sorted(MATCH_FIELDS)}, not {value!r}")
    return value


@dataclass(frozen=True)
class OidcConfig:
    discovery_url: str
    client_id: str
    client_secret: str = field(default="", repr=False)
    label: str = ""
    scope: str = "openid profile email"
    match_claim: str = "email"
    match_field: str = "email"
    mfa_amr: tuple[str, ...] = DEFAULT_MFA_AMR
    mfa_acr: tuple[str, ...] = ()
    timeout: float = 10.0
    leeway: int = 60


@dataclass(frozen=True)
class CasConfig:
    server_url: str
    version: int = 3
    label: str = ""
    match_attribute: str = "email"
    match_field: str = "email"
    timeout: float = 10.0


def oidc_config() -> OidcConfig | None:
    raw = getattr(settings, "GOVCLOUD_SSO_OIDC", None) or {}
    if not raw.get("discovery_url") or not raw.get("client_id"):
        return None
    return OidcConfig(
        discovery_url=raw["discovery_url"],
        client_id=raw["client_id"],
        client_secret=_secrets_section("oidc").get("client_secret", ""),
        label=raw.get("label", ""),
        scope=raw.get("scope", "openid profile email"),
        match_claim=raw.get("match_claim", "email"),
        match_field=_match_field(raw),
        mfa_amr=tuple(raw.get("mfa_amr", DEFAULT_MFA_AMR)),
        mfa_acr=tuple(raw.get("mfa_acr", ())),
        timeout=float(raw.get("timeout", 10)),
        leeway=int(raw.get("leeway", 60)),
    )


def cas_config() -> CasConfig | None:
    raw = getattr(settings, "GOVCLOUD_SSO_CAS", None) or {}
    if not raw.get("server_url"):
        return None
    version = int(raw.get("version", 3))
    if version not in (2, 3):
        raise ImproperlyConfigured("GOVCLOUD_SSO_CAS version must be 2 or 3")
    server_url = raw["server_url"]
    return CasConfig(
        server_url=server_url if server_url.endswith("/") else server_url + "/",
        version=version,
        label=raw.get("label", ""),
        match_attribute=raw.get("match_attribute", "email"),
        match_field=_match_field(raw),
        timeout=float(raw.get("timeout", 10)),
    )
