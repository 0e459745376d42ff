"""The OpenAPI schema (/api/v1/schema/) says what the API answers.

- Every GET operation, called by users of many roles on the demo city, answers what the schema
  describes (schemathesis validates each body; the schema is made strict first, so an undocumented
  field is a disagreement too): nullable fields marked nullable, blank choices in the enums, lists
  paginated exactly when the schema says so.
- Data-independent: every serializer field of the API that can send null or "" says so
  (`allow_null`, `allow_blank`), whatever rows a test happens to have.
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from django.db import models
from drf_spectacular.validation import validate_schema
from rest_framework import serializers
from rest_framework.fields import empty

import govcloud
from govcloud.core.roles import Role
from govcloud.organizations.models import User
from tests.apiwalk import DemoCity, api_client, openapi, operations, report

pytestmark = pytest.mark.django_db

# Demo users whose views differ from the walker's (who holds nearly every role): scope, own rows.
DEMO_READERS = ("auditadmin", "provider_ops", "gaj_applicant")
DETAILS_PER_LIST = 2


def test_the_schema_is_valid_openapi(city):
    validate_schema(openapi(api_client(city.user(Role.DEPARTMENT_APPLICANT))))


def test_every_get_answers_what_the_schema_says(city):
    demo = DemoCity(city)
    world = demo.world
    readers = [demo.user, world.a_user, world.a_security]
    readers += list(User.objects.filter(username__in=DEMO_READERS))
    failures, checked = [], set()
    for reader in readers:
        client = demo.client if reader == demo.user else api_client(reader)
        rows = demo.rows(client)
        for operation in operations(demo.schema):
            if operation.method != "get":
                continue
            query = demo.required_query(operation, rows)
            for row in range(DETAILS_PER_LIST if operation.parameters("path") else 1):
                found = demo.path_values(operation, client, row)
                if found is None:
                    continue  # this row has no nested object (a record without evidence); try the next
                url = operation.url(found[0], query)
                # rows() fetched every list already
                url, response = demo.lists[id(client)].get(operation.path) or (url, client.get(url))
                failures += demo.checker.problems(operation, url, response)
                if response.status_code == 200:
                    checked.add(str(operation))
    unchecked = sorted({str(o) for o in operations(demo.schema) if o.method == "get"} - checked)
    assert not unchecked, f"no reader got a 200 from these (add fixture data): {unchecked}"
    assert not failures, report(failures)


# --- the serializers, whatever the data ------------------------------------------------------------


def _api_serializers() -> list[type[serializers.BaseSerializer]]:
    for module in pkgutil.walk_packages(govcloud.__path__, "govcloud."):
        if module.name.endswith(".api.serializers") or module.name.endswith(".api.views"):
            importlib.import_module(module.name)
    found, todo = [], [serializers.BaseSerializer]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            todo.append(sub)
            abstract = issubclass(sub, serializers.ModelSerializer) and not hasattr(sub, "Meta")
            if (
                sub.__module__.startswith("govcloud.")
                and not issubclass(sub, serializers.ListSerializer)
                and not abstract
            ):
                found.append(sub)
    return found


def _model_path(model, source_attrs: list[str]) -> list[models.Field] | None:
    """The model fields a source goes through, or None when it leaves the model's fields."""
    path = []
    for attr in source_attrs:
        if model is None:
            return None
        try:
            field = model._meta.get_field(attr)
        except Exception:
            return None
        path.append(field)
        model = field.related_model if field.is_relation else None
    return path


def _may_be_null(field: models.Field) -> bool:
    # A reverse one-to-one may have no row behind it; DRF sends null for it.
    return bool(getattr(field, "null", False)) or (field.one_to_one and field.auto_created)


def test_serializer_fields_say_when_they_send_null_or_blank():
    problems, checked = [], 0
    for cls in _api_serializers():
        try:
            fields = cls().fields
        except Exception as exc:  # a serializer that cannot be built without a request
            problems.append(f"{cls.__module__}.{cls.__name__}: cannot be built without context ({exc!r})")
            continue
        model = getattr(getattr(cls, "Meta", None), "model", None)
        for name, field in fields.items():
            if field.write_only or isinstance(field, (serializers.SerializerMethodField, serializers.ListSerializer)):
                continue
            checked += 1
            where = f"{cls.__module__}.{cls.__name__}.{name}"
            has_default = field.default is not empty and field.default is not None
            if field.default is None and not field.allow_null:
                problems.append(f"{where}: default=None sends null; add allow_null=True")
                continue
            if model is None or field.source == "*":
                continue
            path = _model_path(model, field.source_attrs)
            if not path:
                continue
            *between, last = path
            if not field.allow_null and _may_be_null(last):
                problems.append(f"{where}: {last.model.__name__}.{last.name} may be null; add allow_null=True")
            elif not field.allow_null and not has_default and any(_may_be_null(f) for f in between):
                problems.append(f"{where}: its source goes through a nullable relation; add allow_null=True")
            if (
                isinstance(field, serializers.ChoiceField)
                and getattr(last, "choices", None)
                and last.blank
                and not field.allow_blank
            ):
                problems.append(f"{where}: {last.model.__name__}.{last.name} may be blank; the enum needs ''")
    assert checked > 300
    assert not problems, "\n".join(sorted(problems))
