"""Query parameters a view reads itself (not through a filterset) are declared as a serializer:
the same class documents them in the schema (`extend_schema(parameters=[TheSerializer])`) and
validates them, so junk answers 400 naming the parameter instead of a crash or a silent default."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from govcloud.core.filters import MAX_ID


def query_params(request, serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class IdField(serializers.IntegerField):
    """An object's id in a query string: a whole number the database can hold."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)
