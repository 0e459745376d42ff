from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ValidationError


def as_drf_error(exc: DjangoValidationError) -> ValidationError:
    """A service's ValidationError as DRF's: 400 with the same localized messages, per field."""
    if hasattr(exc, "error_dict"):
        return ValidationError({k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()})
    return ValidationError({"non_field_errors": exc.messages})
