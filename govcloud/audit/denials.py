"""Denied access is an audit event: a role check failing, or a request for an object that exists
but lies outside the user's scope (the user sees a 404 all the same)."""

from django.core.exceptions import PermissionDenied

from govcloud.audit.models import Outcome
from govcloud.audit.services import audit_record
from govcloud.core.scoping import OutOfScope


def record_denial(request, exception) -> None:
    user = getattr(request, "user", None)
    if isinstance(exception, OutOfScope):
        if not exception.exists:
            return  # a plain 404: nothing was there to protect
        audit_record(
            actor=user,
            action="access.out_of_scope",
            object_type=exception.model._meta.label_lower,
            object_id=next(iter(exception.lookup.values()), ""),
            outcome=Outcome.DENIED,
            message=f"{request.method} {request.path}",
        )
    elif isinstance(exception, PermissionDenied):
        audit_record(
            actor=user,
            action="access.denied",
            outcome=Outcome.DENIED,
            message=f"{request.method} {request.path}: {exception}",
        )
