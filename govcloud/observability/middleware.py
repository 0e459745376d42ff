"""Counts and times every request, and logs one line per request with its request id."""

from __future__ import annotations

import logging
import time

from django.urls import Resolver404, resolve
from django.utils.functional import empty

from govcloud.observability.metrics import LATENCY, REQUESTS

logger = logging.getLogger("govcloud.requests")

# Probes that run every few seconds: logged at DEBUG so they do not drown the requests people make.
_PROBES = frozenset({"healthz", "readyz", "observability:metrics"})
UNMATCHED = "<unmatched>"


def _route(request) -> tuple[str, str]:
    """The URL pattern (not the path), so that ids do not make a time series each; and the URL name."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        # Answered by a middleware before the URL was resolved (a redirect to the login page).
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return UNMATCHED, ""
    return "/" + match.route, match.view_name


def _user_id(request):
    """The signed-in user's id, if the request already looked the user up: asking here would cost
    the probes (which never sign in) a session query each."""
    user = getattr(request, "user", None)
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None
    return user.pk if user.is_authenticated else None


class RequestMetricsMiddleware:
    """First in MIDDLEWARE, so that its time covers every other middleware as well."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed = time.perf_counter() - started
        route, view_name = _route(request)
        method = request.method if request.method in _METHODS else "other"
        REQUESTS.labels(route=route, method=method, status=str(response.status_code)).inc()
        LATENCY.labels(route=route, method=method).observe(elapsed)
        logger.log(
            logging.DEBUG if view_name in _PROBES else logging.INFO,
            "%s %s %s %.1f ms",
            request.method,
            request.path,
            response.status_code,
            elapsed * 1000,
            extra={
                # The request context is already reset here (it is set by an inner middleware).
                "request_id": getattr(request, "request_id", ""),
                "method": request.method,
                "path": request.path,
                "route": route,
                "status": response.status_code,
                "duration_ms": round(elapsed * 1000, 1),
                "user_id": _user_id(request),
            },
        )
        return response


# A client may send any method name; only the ones HTTP defines become a label value.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
