from django.core.exceptions import PermissionDenied

from govcloud.audit.denials import record_denial
from govcloud.core.scoping import OutOfScope


class AccessDeniedAuditMiddleware:
    """Records permission denials of page views as audit events, then lets Django answer them
    (403, or 404 for an object outside the user's scope — indistinguishable from a missing one)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, (OutOfScope, PermissionDenied)):
            record_denial(request, exception)
        return None
