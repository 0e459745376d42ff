"""Filters shared by every app's filters.py, strict about junk so that the API answers a bad query
parameter with 400 naming it (DRF's filter backend turns an invalid filter form into that 400),
never with a server error and never by silently ignoring it."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

# The largest id the database can hold (64-bit); a larger number overflows the database driver.
MAX_ID = 2**63 - 1
# The years a date given to the platform may fall in: those a working-day calendar can be announced
# for (core/api/params.py's plausible_year uses the same bounds for request bodies).
FIRST_YEAR, LAST_YEAR = 2000, 2100


class StrictNullBooleanField(forms.NullBooleanField):
    """Yes, no or not given — and anything else is an error, not "not given"."""

    default_error_messages = {"invalid": _("Give true or false.")}
    TRUE = frozenset({True, "true", "True", "1"})
    FALSE = frozenset({False, "false", "False", "0"})
    UNSET = frozenset({None, "", "unknown"})

    def to_python(self, value):
        if value in self.TRUE:
            return True
        if value in self.FALSE:
            return False
        if value in self.UNSET:
            return None
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")

    def validate(self, value):
        pass


class _RawNullBooleanSelect(forms.NullBooleanSelect):
    """Django's select maps any unknown string to "not given"; this hands it to the field to refuse.
    Not choosing is "All" (Django labels it "Unknown": a filter that seemed to default to 未知)."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", _("All")), ("true", _("Yes")), ("false", _("No"))]

    def value_from_datadict(self, data, files, name):
        return data.get(name)


class BooleanFilter(django_filters.BooleanFilter):
    field_class = StrictNullBooleanField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", _RawNullBooleanSelect)
        super().__init__(*args, **kwargs)


def _plausible_moment(value) -> None:
    if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise forms.ValidationError(
            _("Give a date between the years %(first)s and %(last)s."),
            params={"first": FIRST_YEAR, "last": LAST_YEAR},
        )


class MomentFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 moment within the platform's years: far outside them, Shanghai's local time of
    the year 137 has an offset of -18:18 or +08:05:43, which PostgreSQL refuses (a DataError, a 500,
    found by fuzzing the collector-runs filter); such a value answers 400 naming the parameter."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("validators", [_plausible_moment])
        super().__init__(*args, **kwargs)


class IntegerFilter(django_filters.NumberFilter):
    """A whole number (django-filter's NumberFilter takes any decimal, and one beyond 64 bits
    overflows the database driver: a 500)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", -MAX_ID)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class IdFilter(IntegerFilter):
    """An object's id: a whole number from 1 that the database can hold."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        super().__init__(*args, **kwargs)
