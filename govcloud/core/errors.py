"""Refusals that services raise, beyond Django's ValidationError and PermissionDenied."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class StateConflict(ValidationError):
    """The step was possible when the user chose it, but the record has moved on since — someone else
    acted first (two approvals at once, an order claimed a moment earlier). It is a ValidationError, so
    pages show it like any refusal; the API answers 409 Conflict rather than 400, because the request
    itself was well formed and repeating it after reading the record again may make sense."""
