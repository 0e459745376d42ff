"""Idempotent creating requests: a retried POST gets the first answer instead of a second record.

A client that loses the connection after the server committed cannot tell whether its request
happened; retrying it used to create the record twice (two draft applications from one form). Now a
creating request may carry a key — the `Idempotency-Key` header (API clients), or the
`idempotency_key` field that web/static/web/forms.js adds to every POST form of the pages, one per
page load. The first request with a key does its work and stores the answer in the same
transaction (core.models.IdempotencyKey); a repeat with the same key and the same request gets that
answer again (header `Idempotent-Replayed: true`) and does nothing. The same key with another request
is refused (422); a repeat arriving while the first is still running waits for it, and gets 409 if
that takes too long. Keys are per user and kept for Policy.IDEMPOTENCY_KEY_HOURS.

Only creating calls take part, because the whole call then runs in one transaction: every API
viewset's `create`, and the routes in CREATING_ROUTES. Other POSTs (state transitions, which the
state machines already refuse to repeat; the provider's claim of a work order, which commits in
stages and calls cloud drivers) ignore the key and keep their own transactions.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, ResolverMatch, resolve
from django.utils.translation import gettext as _

HEADER = "Idempotency-Key"
FORM_FIELD = "idempotency_key"
REPLAYED_HEADER = "Idempotent-Replayed"
# Form fields that differ between two submissions of the same form without changing the request.
_NOT_FINGERPRINTED = frozenset({FORM_FIELD, "csrfmiddlewaretoken"})
_KEY_RE = re.compile(r"^[\x21-\x7e]{1,255}$")
_FORM_TYPES = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})

# Creating calls besides the API viewsets' `create` (which always take part), by route name: each
# POST here creates a record (or starts a job) and runs in one transaction. Kept in one place, like
# the periodic jobs in govcloud/schedule.py; a test checks that every name exists and that every API
# operation answering 201 or 202 takes part.
CREATING_ROUTES = frozenset(
    {
        # REST API actions (router name: basename-url_name)
        "analysis-report-generate",
        "application-attachments",
        "audit-event-export",
        "catalog-item-option-add",
        "emergency-plan-versions",
        "incident-calls",
        "provider-report-attachments",
        "information-system-export",
        "resource-export",
        "expiry-extend",
        "rightsizing-advice-accept",
        "statement-adjust",
        "survey-round-answer",
        "utilization-report-generate",
        "work-order-note",
        # Pages
        "applications:application_create",
        "assessment:assessment_list",
        "assessment:delivery_rating",
        "assessment:scheme_edit",
        "applications:attachment_upload",
        "audit:export",
        "audit:verify",
        "billing:line_adjust",
        "catalog:item_create",
        "catalog:option_add",
        "catalog:price_list_create",
        "delivery:work_order_note",
        "guide:announcement_create",
        "incidents:call_create",
        "incidents:incident_create",
        "ledger:export",
        "maintenance:window_create",
        "organizations:organization_create",
        "organizations:token_list",
        "organizations:user_create",
        "notice-rectification-report",
        "reconciliation:run_now",
        "security:bulletin_create",
        "security:drill_create",
        "security:filing_create",
        "security:follow_up_add",
        "security:grant_create",
        "security:notice_create",
        "security:plan_create",
        "security:plan_version_create",
        "security:port_request_create",
        "security:protection_file",
        "security:rectification_report",
        "security:security_event_create",
        "security:session_create",
        "systems:assessment_create",
        "systems:attachment_upload",
        "systems:exemption_create",
        "systems:exemption_evidence",
        "systems:export",
        "systems:filing_create",
        "systems:rectification_create",
        "systems:system_create",
        "workdays:import",
    }
)


def is_api_view(func) -> bool:
    from rest_framework.views import APIView

    cls = getattr(func, "cls", None)
    return isinstance(cls, type) and issubclass(cls, APIView)


def creating_route(request: HttpRequest) -> ResolverMatch | None:
    """The route of a POST that takes part, or None."""
    if request.method != "POST":
        return None
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    actions = getattr(match.func, "actions", None) or {}
    if actions.get("post") == "create" or match.view_name in CREATING_ROUTES:
        return match
    return None


def schema_operation_takes_part(view, method: str) -> bool:
    """The same rule for an operation of the OpenAPI schema (the view as drf-spectacular sees it)."""
    if method.upper() != "POST":
        return False
    action = getattr(view, "action", None)
    if action == "create":
        return True
    handler = getattr(view, action, None) if action else None
    url_name = getattr(handler, "url_name", None)
    basename = getattr(view, "basename", None)
    return bool(url_name and basename) and f"{basename}-{url_name}" in CREATING_ROUTES


def key_of(request: HttpRequest, *, api: bool) -> str | None:
    """The header, or on the pages the form field forms.js adds."""
    key = request.headers.get(HEADER)
    if key is None and not api and request.content_type in _FORM_TYPES:
        key = request.POST.get(FORM_FIELD)
    return key or None


def key_is_valid(key: str) -> bool:
    return bool(_KEY_RE.match(key))


def api_user(request: HttpRequest, func):
    """Who makes an API request, authenticated as the view will (token or session with CSRF);
    None if the credentials are refused — the view then answers that itself."""
    from rest_framework.exceptions import APIException
    from rest_framework.request import Request

    drf_request = Request(request, authenticators=func.cls().get_authenticators())
    try:
        user = drf_request.user
    except APIException:
        return None
    return user if user is not None and user.is_authenticated else None


def fingerprint(request: HttpRequest) -> str:
    """SM3 of the method, full path and body. Form bodies are taken field by field (without the
    CSRF token and the key) and uploaded files by content, so that reading them here leaves them
    for the view and a large upload is not loaded into memory twice."""
    digest = hashes.Hash(hashes.SM3())

    def add(*parts: object) -> None:
        for part in parts:
            digest.update(part if isinstance(part, bytes) else str(part).encode("utf-8"))
            digest.update(b"\0")

    add(request.method, request.get_full_path())
    if request.content_type in _FORM_TYPES:
        for name in sorted(request.POST):
            if name not in _NOT_FINGERPRINTED:
                add(name, *request.POST.getlist(name))
        for name in sorted(request.FILES):
            for upload in request.FILES.getlist(name):
                file_digest = hashes.Hash(hashes.SM3())
                for chunk in upload.chunks():
                    file_digest.update(chunk)
                upload.seek(0)
                add(name, upload.name, upload.size, file_digest.finalize())
    else:
        add(request.content_type, request.body)
    return digest.finalize().hex()


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    content_type: str
    location: str
    body: str  # base64


def storable(response: HttpResponse) -> StoredResponse | None:
    """What is kept of a successful answer (2xx, or a redirect). An error changes nothing worth
    protecting, so it is not kept: the request may be retried with the same key."""
    if getattr(response, "streaming", False) or not 200 <= response.status_code < 400:
        return None
    return StoredResponse(
        status_code=response.status_code,
        content_type=response.get("Content-Type", ""),
        location=response.get("Location", ""),
        body=base64.b64encode(response.content).decode("ascii"),
    )


def replay(stored: StoredResponse) -> HttpResponse:
    response = HttpResponse(
        base64.b64decode(stored.body), status=stored.status_code, content_type=stored.content_type or None
    )
    if stored.location:
        response["Location"] = stored.location
    response[REPLAYED_HEADER] = "true"
    return response


class IdempotencyRefused(Exception):
    """A request with a key that cannot be answered: 400 bad key, 409 still running, 422 key reused."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def _message(status: int, *, api: bool) -> str:
    if status == 400:
        return _("The Idempotency-Key must be 1 to 255 visible ASCII characters.")
    if status == 409:
        if api:
            return _("A request with this Idempotency-Key is still being processed. Retry it in a moment.")
        return _("This form is still being submitted. Wait a moment, then check the result.")
    if api:
        return _("This Idempotency-Key was already used for a different request. Use a new key for a new request.")
    return _("This form was already submitted with different contents. Open the form again to submit new contents.")


def refusal_response(request: HttpRequest, status: int, *, api: bool) -> HttpResponse:
    message = _message(status, api=api)
    if api:
        response = JsonResponse({"detail": message}, status=status)
    else:
        response = render(request, "core/idempotency_refused.html", {"message": message}, status=status)
    if status == 409:
        response["Retry-After"] = "2"
    return response
