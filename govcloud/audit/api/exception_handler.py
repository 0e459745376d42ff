from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.views import exception_handler

from govcloud.audit.denials import record_denial
from govcloud.core.api.errors import as_drf_error
from govcloud.core.scoping import OutOfScope


def audited_exception_handler(exc, context):
    """DRF's handler, plus an audit event for denials (DRF answers them before any middleware).

    A service's ValidationError that a view did not translate still answers 400 with its messages
    (bad input is never a server error), and a 404 says the localized "not found" rather than the
    English text of the Http404 raised deep inside."""
    request = context.get("request")
    if request is not None:
        if isinstance(exc, (OutOfScope, DjangoPermissionDenied)):
            record_denial(request, exc)
        elif isinstance(exc, exceptions.PermissionDenied) and request.user and request.user.is_authenticated:
            record_denial(request, DjangoPermissionDenied(str(exc.detail)))
    if isinstance(exc, DjangoValidationError):
        exc = as_drf_error(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    return exception_handler(exc, context)
