"""The API router: every id in a URL is validated by a path converter.

DRF's default lookup pattern (`[^/.]+`) lets `abc`, `1,2` or a 30-digit number reach the view, where
`Model.objects.get(pk="abc")` raises ValueError (a 500) and a number beyond 64 bits overflows the
database driver. Here each lookup has a converter that follows the lookup field's type — `id` (1 to
18 digits) or `uuid` — so junk never matches a route and answers the API's JSON 404
(core/api/errors.py), and the schema types the parameter. A viewset whose lookup type cannot be
told from its `queryset` sets `lookup_value_converter` itself, or the router refuses it at start-up.
"""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import models
from django.urls import register_converter
from rest_framework.routers import DefaultRouter

# The largest id the pattern admits: 18 digits always fit the database's 64-bit integers.
MAX_URL_ID = 10**18 - 1


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


register_converter(IdConverter, "id")
ID = "id"
UUID = "uuid"
# drf-spectacular types `id` parameters by SPECTACULAR_SETTINGS["PATH_CONVERTER_OVERRIDES"].


def converter_for_field(field: models.Field) -> str | None:
    if isinstance(field, models.ForeignKey):
        field = field.target_field
    if isinstance(field, (models.AutoField, models.BigAutoField, models.IntegerField)):
        return ID
    if isinstance(field, models.UUIDField):
        return UUID
    return None


class ValidatedLookupRouter(DefaultRouter):
    # No `organizations.json` twins of every URL: nobody uses them (`Accept` and `?format=` choose the
    # renderer), and with path converters the schema generator would list them as operations.
    include_format_suffixes = False

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("use_regex_path", False)
        super().__init__(*args, **kwargs)

    def _has_detail_routes(self, viewset) -> bool:
        return any(route.detail and self.get_method_map(viewset, route.mapping) for route in self.get_routes(viewset))

    def _converter(self, viewset) -> str | None:
        declared = getattr(viewset, "lookup_value_converter", None)
        if declared:
            return declared
        queryset = getattr(viewset, "queryset", None)
        if queryset is None:
            return None
        name = getattr(viewset, "lookup_field", "pk")
        try:
            field = queryset.model._meta.pk if name == "pk" else queryset.model._meta.get_field(name)
        except FieldDoesNotExist:
            return None
        return converter_for_field(field)

    def get_lookup_regex(self, viewset, lookup_prefix: str = "") -> str:
        converter = self._converter(viewset)
        if converter is None:
            if self._has_detail_routes(viewset):
                raise ImproperlyConfigured(
                    f"{viewset.__name__}: set `queryset` (an integer or UUID lookup field) or "
                    "`lookup_value_converter`, so that a malformed id in the URL answers 404 instead of "
                    "reaching the view."
                )
            converter = ID  # no detail routes: the pattern is never used
        lookup_field = getattr(viewset, "lookup_field", "pk")
        lookup_url_kwarg = getattr(viewset, "lookup_url_kwarg", None) or lookup_field
        return f"<{converter}:{lookup_prefix}{lookup_url_kwarg}>"
