"""The metrics endpoint, for the center's Prometheus: closed to everyone else.

A scrape must come from an allowed address (settings.METRICS_ALLOWED_NETWORKS) and, when a token is
configured (settings.METRICS_TOKEN, or "token" in the section "metrics" of GOVCLOUD_SECRETS_FILE),
present it as `Authorization: Bearer <token>`. With neither configured the endpoint is closed. A
refused scrape answers 404, as if there were no endpoint: the public learns nothing.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import tomllib
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache

from govcloud.core.context import client_ip
from govcloud.core.crypto import constant_time_equal
from govcloud.observability.metrics import exposition

logger = logging.getLogger(__name__)


def metrics_token() -> str:
    """The token from the settings, else from the secrets file (read per scrape, so a rotated token
    takes effect without a restart)."""
    token = getattr(settings, "METRICS_TOKEN", "")
    path = getattr(settings, "GOVCLOUD_SECRETS_FILE", "")
    if token or not path:
        return token
    file = Path(path)
    try:
        raw = file.read_bytes()
        data = tomllib.loads(raw.decode()) if file.suffix == ".toml" else json.loads(raw)
    except (OSError, ValueError):
        logger.warning("metrics: the secrets file cannot be read; the endpoint stays closed")
        return ""
    section = data.get("metrics", {}) if isinstance(data, dict) else {}
    token = section.get("token", "") if isinstance(section, dict) else ""
    return token if isinstance(token, str) else ""


def _address_allowed(request) -> bool:
    networks = getattr(settings, "METRICS_ALLOWED_NETWORKS", [])
    if not networks:
        return True
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(network, strict=False) for network in networks)


def _token_given(request) -> str:
    scheme, _space, given = request.headers.get("Authorization", "").partition(" ")
    return given.strip() if scheme.lower() == "bearer" else ""


def scrape_allowed(request) -> bool:
    token = metrics_token()
    if not token and not getattr(settings, "METRICS_ALLOWED_NETWORKS", []):
        return False  # nothing configured: closed
    if not _address_allowed(request):
        return False
    return not token or constant_time_equal(_token_given(request), token)


@never_cache
def metrics(request):
    if not scrape_allowed(request):
        raise Http404
    body, content_type = exposition()
    return HttpResponse(body, content_type=content_type)
