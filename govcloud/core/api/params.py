"""Query parameters a view reads itself (not through a filterset) are declared as a serializer:
the same class documents them in the schema (`extend_schema(parameters=[TheSerializer])`) and
validates them, so junk answers 400 naming the parameter instead of a crash or a silent default."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from govcloud.core.filters import FIRST_YEAR, LAST_YEAR, MAX_ID


def query_params(request, serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def plausible_year(value) -> None:
    """A field validator for dates and moments: far outside the platform's years, arithmetic on
    them runs past 0001-01-01 or 9999-12-31 (a crash), and a moment's local time has no whole-minute
    offset (Shanghai in 1072 is +08:05:43, which no ISO 8601 reader takes back). Found by fuzzing."""
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise serializers.ValidationError(
            _("Give a date between the years %(first)s and %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR}
        )


class IdField(serializers.IntegerField):
    """An object's id in a query string: a whole number the database can hold."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)
