"""Per-request context (request id, source address, user agent) for audit events.

A context variable rather than a thread-local: it follows the request through sync and async code
and is empty in tasks and commands, where audit events carry the actor `system` instead.
"""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    source_ip: str = ""
    user_agent: str = ""


_EMPTY = RequestContext()
_current: ContextVar[RequestContext | None] = ContextVar("govcloud_request_context", default=None)

_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def current() -> RequestContext:
    return _current.get() or _EMPTY


def set_current(context: RequestContext):
    return _current.set(context)


def reset(token) -> None:
    _current.reset(token)


def client_ip(request: HttpRequest) -> str:
    """The source address: REMOTE_ADDR, or the address our trusted proxies saw.

    X-Forwarded-For is only believed for as many hops as settings.TRUSTED_PROXY_COUNT says,
    counted from the right, so a client cannot forge its address to dodge the lockout.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    hops = settings.TRUSTED_PROXY_COUNT
    if hops <= 0:
        return remote
    forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
    if len(forwarded) >= hops:
        return forwarded[-hops]
    return remote


def request_id_for(request: HttpRequest) -> str:
    """Reuse the load balancer's X-Request-ID when it is well-formed, so logs line up."""
    given = request.META.get("HTTP_X_REQUEST_ID", "")
    if _REQUEST_ID_RE.match(given):
        return given
    return uuid.uuid4().hex


def context_for(request: HttpRequest) -> RequestContext:
    return RequestContext(
        request_id=request_id_for(request),
        source_ip=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
    )
