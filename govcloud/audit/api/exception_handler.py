from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from rest_framework import exceptions
from rest_framework.views import exception_handler

from govcloud.audit.denials import record_denial
from govcloud.core.scoping import OutOfScope


def audited_exception_handler(exc, context):
    """DRF's handler, plus an audit event for denials (DRF answers them before any middleware)."""
    request = context.get("request")
    if request is not None:
        if isinstance(exc, (OutOfScope, DjangoPermissionDenied)):
            record_denial(request, exc)
        elif isinstance(exc, exceptions.PermissionDenied) and request.user and request.user.is_authenticated:
            record_denial(request, DjangoPermissionDenied(str(exc.detail)))
    return exception_handler(exc, context)
