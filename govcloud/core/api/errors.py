"""How the API answers errors: always JSON, in DRF's `{"detail": ...}` shape, localized.

DRF's exception handler answers what a view raises; the handlers here answer what never reaches a
view (an unknown URL under /api/, an exception in a middleware, a crash DRF re-raises), which
Django would otherwise answer with the HTML error page meant for people.
"""

from __future__ import annotations

import sys

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.exceptions import ValidationError

from govcloud.core.errors import StateConflict

API_PREFIX = "/api/"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The record has changed since it was read.")
    default_code = "conflict"


class DatabaseUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = _("The service is briefly unavailable. Try again in a few seconds.")
    default_code = "unavailable"


# While the database is away (PostgreSQL restarting or failing over takes seconds), clients and load
# balancers are told to retry after this many seconds, instead of being shown a crash.
RETRY_AFTER_SECONDS = 5


def as_drf_error(exc: DjangoValidationError) -> exceptions.APIException:
    """A service's ValidationError as DRF's: 400 with the same localized messages, per field; a
    StateConflict (someone else acted first) 409 with the same body."""
    if isinstance(exc, StateConflict):
        return Conflict({"non_field_errors": exc.messages})
    if hasattr(exc, "error_dict"):
        return ValidationError({k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()})
    return ValidationError({"non_field_errors": exc.messages})


def is_api_request(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def _json(request: HttpRequest, exc: exceptions.APIException) -> JsonResponse:
    body = {"detail": str(exc.detail)}
    request_id = getattr(request, "request_id", None)
    if request_id:
        # What support asks for: the log line of this request carries the same id.
        body["request_id"] = request_id
    return JsonResponse(body, status=exc.status_code)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_request(request):
        return _json(request, exceptions.ParseError())
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_request(request):
        return _json(request, exceptions.PermissionDenied())
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_request(request):
        return _json(request, exceptions.NotFound())
    return defaults.page_not_found(request, exception)


def _database_unavailable() -> bool:
    # Django calls handler500 while it handles the uncaught exception: it is the current one.
    return isinstance(sys.exc_info()[1], OperationalError | InterfaceError)


def server_error(request: HttpRequest) -> HttpResponse:
    if _database_unavailable():
        # 503, not 500: nothing is wrong with the request or the code, and a retry will succeed
        # (scripts/faults.py restarts PostgreSQL under load). The page needs no database.
        if is_api_request(request):
            response = _json(request, DatabaseUnavailable())
        else:
            response = defaults.server_error(request, template_name="503.html")
            response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if is_api_request(request):
        return _json(request, exceptions.APIException())
    return defaults.server_error(request)
