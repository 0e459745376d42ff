"""Form helpers shared by every app's views."""

from django.core.exceptions import ValidationError


def form_errors_from(exc: ValidationError, form) -> None:
    """Put a service's ValidationError onto the form, field by field where it names fields, so
    bad input gets the service's clear, localized message and the form keeps what was typed."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
