"""Walking the REST API from its OpenAPI schema: every operation, with junk and with plausible input.

The schema (drf-spectacular, /api/v1/schema/) is the list of operations, so an endpoint added
tomorrow is walked too; tests/test_api_walk.py also checks the schema lists every API route of the
URL resolver. Responses are checked against the schema by schemathesis (`check_response`).
"""

from __future__ import annotations

import io
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlencode

import requests
import schemathesis
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient
from schemathesis.core.failures import FailureGroup
from schemathesis.core.transport import Response as StResponse

from govcloud.core.roles import SEPARATED_ADMIN_ROLES, Role
from govcloud.notifications.services import notify
from govcloud.organizations.models import Organization, OrganizationKind
from tests.factories import UserFactory, api_token_for

SCHEMA_URL = "/api/v1/schema/"
METHODS = ("get", "post", "put", "patch", "delete")

# Path values no route may take: each must answer the API's JSON 404.
JUNK_IDS = ("abc", "1,2", "not-a-uuid", "-1", "1.5", "99999999999999999999", "%00", "1%2F2")
# Query values each parameter is tried with, by the kind of value its schema names.
JUNK_QUERY = {
    "integer": ("abc", "1,2", "1.5", "-1", "0", "99999999999999999999", ""),
    "number": ("abc", "1e999", "-1", ""),
    "boolean": ("abc", "2", ""),
    "date": ("2024-13-45", "abc", ""),
    "date-time": ("2024-13-45T25:00", "abc", ""),
    "enum": ("abc", "1,2", ""),
    "string": ("abc", "\x00", ""),
}


def junk_for(node: dict) -> tuple[str, ...]:
    if "enum" in node:
        return JUNK_QUERY["enum"]
    return JUNK_QUERY.get(node.get("format") or "", JUNK_QUERY.get(node.get("type") or "string", JUNK_QUERY["string"]))


# Values each property of a request body is replaced with, one at a time.
JUNK_VALUES = ("abc", 10**20, None, [])


def api_client(user) -> APIClient:
    """A client authenticated as programs are (a personal access token); a crash answers 500
    instead of raising, so a walk can list every failure."""
    raw = api_token_for(user)
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def openapi(client) -> dict:
    response = client.get(SCHEMA_URL, HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200, response.status_code
    return response.json()


@dataclass(frozen=True)
class Operation:
    path: str
    method: str
    spec: dict

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.path}"

    def parameters(self, where: str) -> list[dict]:
        return [p for p in self.spec.get("parameters", []) if p["in"] == where]

    def url(self, path_values: dict | None = None, query: dict | None = None) -> str:
        url = self.path
        for name, value in (path_values or {}).items():
            url = url.replace("{" + name + "}", str(value))
        return url + (f"?{urlencode(query)}" if query else "")

    def request_media_types(self) -> list[str]:
        return list(self.spec.get("requestBody", {}).get("content", {}))

    def request_schema(self) -> dict | None:
        content = self.spec.get("requestBody", {}).get("content", {})
        for media_type in ("application/json", "multipart/form-data"):
            if media_type in content:
                return content[media_type].get("schema")
        return None


def operations(schema: dict) -> list[Operation]:
    return [
        Operation(path, method, spec)
        for path, item in sorted(schema["paths"].items())
        for method, spec in item.items()
        if method in METHODS
    ]


def call(client, operation: Operation, url: str, body=None, media_type: str = "application/json"):
    if media_type == "multipart/form-data":
        data = {k: ("" if v is None else json.dumps(v) if isinstance(v, (dict, list)) else v) for k, v in body.items()}
        return getattr(client, operation.method)(url, data, format="multipart")
    payload = body if isinstance(body, (str, bytes)) else json.dumps(body if body is not None else {})
    return client.generic(operation.method.upper(), url, payload, "application/json")


def content_of(response) -> bytes:
    return b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content


def describe(operation: Operation, url: str, response, note: str = "") -> str:
    where = f"{operation.method.upper()} {url}{(' ' + note) if note else ''} -> {response.status_code}"
    exc_info = getattr(response, "exc_info", None)
    if exc_info:
        return f"{where}: {exc_info[0].__name__}: {str(exc_info[1])[:200]}"
    return f"{where} ({response.get('Content-Type')}): {content_of(response)[:100].decode('utf-8', 'replace')}"


def report(failures: list[str]) -> str:
    unique = sorted(set(failures))
    return f"{len(unique)} problems:\n" + "\n".join(unique)


def is_json(response) -> bool:
    return (response.get("Content-Type") or "").split(";")[0].strip() == "application/json"


# --- the schema's view of responses ----------------------------------------------------------------


def strict(schema: dict) -> dict:
    """The schema with `additionalProperties: false` on every object that lists its properties, so
    a field the API sends but the schema does not name is a disagreement too."""

    def walk(node):
        if isinstance(node, dict):
            if "properties" in node and "additionalProperties" not in node:
                node["additionalProperties"] = False
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    copy = json.loads(json.dumps(schema))
    walk(copy)
    return copy


class Checker:
    """Response checks from the schema: documented content type, and the body valid against the
    documented schema (schemathesis validates; the schema is made strict first)."""

    def __init__(self, schema: dict):
        self.schema = schema
        self.loaded = schemathesis.openapi.from_dict(strict(schema))

    def documented_media_types(self, operation: Operation, status: int) -> list[str] | None:
        responses = operation.spec.get("responses", {})
        found = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX") or responses.get("default")
        return None if found is None else list(found.get("content", {}))

    def problems(self, operation: Operation, url: str, response) -> list[str]:
        """What is wrong with a response: a server error, an error that is not JSON, a success the
        schema does not describe."""
        status = response.status_code
        if status >= 500:
            return [describe(operation, url, response)]
        body = content_of(response)
        if status >= 400:
            return [] if is_json(response) else [describe(operation, url, response, "error is not JSON")]
        media_types = self.documented_media_types(operation, status)
        if media_types is None:
            return [describe(operation, url, response, f"status {status} is not in the schema")]
        content_type = (response.get("Content-Type") or "").split(";")[0].strip()
        if not body:
            return [] if not media_types else [describe(operation, url, response, "empty body, schema has one")]
        if content_type not in media_types:
            return [describe(operation, url, response, f"content type not in {media_types}")]
        if content_type != "application/json":
            return []
        st_response = StResponse(
            status_code=status,
            headers={"content-type": [response["Content-Type"]]},
            content=body,
            request=requests.Request(operation.method.upper(), f"http://testserver{url}").prepare(),
            elapsed=0.0,
            verify=False,
        )
        try:
            self.loaded[operation.path][operation.method].validate_response(st_response)
        except (FailureGroup, AssertionError) as failed:
            found = []
            for failure in getattr(failed, "exceptions", [failed]):
                # Row numbers dropped: one disagreement is reported once, whichever rows show it.
                place = "/".join("*" if isinstance(p, int) else str(p) for p in getattr(failure, "instance_path", []))
                message = getattr(failure, "validation_message", None) or str(failure)
                found.append(f"{operation} at /{place}: {message[:200]}")
            return found
        return []


# --- plausible input -------------------------------------------------------------------------------


def resolve(schema: dict, node: dict) -> dict:
    while True:
        if "$ref" in node:
            node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
        elif "allOf" in node and len(node["allOf"]) == 1 and "type" not in node:
            node = {**{k: v for k, v in node.items() if k != "allOf"}, **resolve(schema, node["allOf"][0])}
        elif "oneOf" in node and "type" not in node:
            node = resolve(schema, node["oneOf"][0])
        else:
            return node


def example(schema: dict, node: dict, name: str = "", known: dict | None = None):
    """A value the schema accepts, preferring `known[name]` (a real object's value)."""
    if known and name in known and known[name] is not None:
        return known[name]
    node = resolve(schema, node)
    if "enum" in node:
        values = [v for v in node["enum"] if v not in ("", None)]
        return values[0] if values else node["enum"][0]
    kind, fmt = node.get("type"), node.get("format")
    if kind == "object" or "properties" in node:
        props = node.get("properties", {})
        return {
            k: example(schema, v, k) for k, v in props.items() if not v.get("readOnly") and v.get("format") != "binary"
        }
    if kind == "array":
        return [example(schema, node.get("items", {}), name)] if node.get("items") else []
    if kind == "integer":
        return max(node.get("minimum", 1), 1)
    if kind == "number":
        return max(node.get("minimum", 1), 1)
    if kind == "boolean":
        return True
    if fmt == "date":
        return timezone.localdate().isoformat()
    if fmt == "date-time":
        return timezone.now().isoformat()
    if fmt == "decimal":
        return "1.00"
    if fmt == "email":
        return "walk@example.gov.cn"
    if fmt == "uri":
        return "https://example.gov.cn/"
    if fmt == "uuid":
        return str(uuid.uuid4())
    return "x" * max(1, min(node.get("minLength", 1), node.get("maxLength", 1)))


def body_variants(schema: dict, operation: Operation, known: dict | None) -> Iterator[tuple[str, object]]:
    """(label, body): empty, required fields only, every field, then each field junk in turn."""
    node = operation.request_schema()
    if node is None:
        yield "no body", {}
        return
    node = resolve(schema, node)
    if node.get("type") == "array":
        yield "empty list", []
        yield "one item", [example(schema, node.get("items", {}), "", known)]
        yield "junk item", ["abc"]
        return
    props = {
        k: v for k, v in node.get("properties", {}).items() if not v.get("readOnly") and v.get("format") != "binary"
    }
    required = set(node.get("required", []))
    full = {k: example(schema, v, k, known) for k, v in props.items()}
    yield "empty", {}
    yield "required only", {k: v for k, v in full.items() if k in required}
    yield "every field", full
    for key in props:
        for junk in JUNK_VALUES:
            yield f"{key}={junk!r}", {**full, key: junk}


# --- query values --------------------------------------------------------------------------------

_INTEGER = re.compile(r"-?[0-9]+")


def conforms(value: str, node: dict) -> bool:
    """Whether a query string value is one the parameter's schema allows."""
    if "enum" in node:
        return value in [str(v).lower() if isinstance(v, bool) else str(v) for v in node["enum"]]
    kind, fmt = node.get("type"), node.get("format")
    try:
        if kind == "integer":
            if not _INTEGER.fullmatch(value):
                return False
            number = int(value)
            low = node.get("minimum", -(2**63))
            high = node.get("maximum", 2**63 - 1)
            return max(low, -(2**63)) <= number <= min(high, 2**63 - 1)
        if kind == "number":
            number = float(value)
            return node.get("minimum", float("-inf")) <= number <= node.get("maximum", float("inf"))
        if kind == "boolean":
            return value in ("true", "false", "1", "0")
        if fmt == "date":
            date.fromisoformat(value)
        elif fmt == "date-time":
            datetime.fromisoformat(value)
        elif fmt == "uuid":
            uuid.UUID(value)
    except ValueError:
        return False
    return True


# --- the city walked --------------------------------------------------------------------------------


def omni_user(organization=None):
    """One account holding every role the database lets one account hold (三员分立 allows one of
    the three administrators), in the center: the services' role checks let its requests through."""
    organization = organization or Organization.objects.filter(kind=OrganizationKind.CENTER).first()
    roles = set(Role) - (SEPARATED_ADMIN_ROLES - {Role.SYSTEM_ADMIN})
    return UserFactory(organization=organization, roles=sorted(roles))


def _nested_rows(node, stem: str) -> list[dict]:
    """The first non-empty list of objects named `<stem>s` or `<stem>` anywhere in an API answer
    (an application's `attachments`, a rectification's `reports[].evidence`)."""
    if isinstance(node, dict):
        for key in (f"{stem}s", stem):
            found = node.get(key)
            if isinstance(found, list) and found and isinstance(found[0], dict) and "id" in found[0]:
                return found
        children = node.values()
    elif isinstance(node, list):
        children = node
    else:
        return []
    for child in children:
        found = _nested_rows(child, stem)
        if found:
            return found
    return []


class DemoCity:
    """The cities the API is walked on: the isolation harness's world (tests/test_isolation.py: an
    object behind every endpoint, attachments and jobs included) and the demo city (every state of
    the workflows), plus a user holding every role. Per client, the rows of every list it may read
    name the objects its detail operations are called with."""

    def __init__(self, city):
        from tests.test_isolation import World

        self.world = World(city)  # before the demo: both would publish a price list today otherwise
        call_command("load_demo", "--force", stdout=io.StringIO())
        self.user = omni_user(city.center)
        notify(recipients=[self.user], kind="walk.test", title="walk")
        self.client = api_client(self.user)
        self.schema = openapi(self.client)
        self.checker = Checker(self.schema)
        self._rows: dict[int, dict[str, list[dict]]] = {}
        # The list responses rows() fetched, per client: {path: (url, response)}.
        self.lists: dict[int, dict[str, tuple]] = {}

    def rows(self, client) -> dict[str, list[dict]]:
        """{list path: its first page} as `client` sees it (computed once per client)."""
        if id(client) not in self._rows:
            found = self._rows[id(client)] = {}
            fetched = self.lists[id(client)] = {}
            # Lists without required parameters first, so that a required `system` finds a real one.
            for operation in sorted(operations(self.schema), key=lambda o: bool(self.required_query(o, {}))):
                if operation.method == "get" and not operation.parameters("path"):
                    url = operation.url(query=self.required_query(operation, found))
                    response = client.get(url)
                    fetched[operation.path] = (url, response)
                    data = response.json() if response.status_code == 200 and is_json(response) else None
                    rows = data.get("results") if isinstance(data, dict) and "results" in data else data
                    if isinstance(rows, list) and rows and isinstance(rows[0], dict):
                        found[operation.path] = rows
        return self._rows[id(client)]

    def required_query(self, operation: Operation, rows: dict[str, list[dict]]) -> dict:
        """Plausible values for the operation's required query parameters (a real object's id for
        an integer named like a list: `system` → /information-systems/)."""
        values = {}
        for parameter in operation.parameters("query"):
            if not parameter.get("required"):
                continue
            node, name = parameter.get("schema", {}), parameter["name"]
            values[name] = example(self.schema, node)
            if node.get("type") == "integer":
                for base, found in rows.items():
                    last = base.rstrip("/").rsplit("/", 1)[-1]
                    if last in (f"{name}s", f"information-{name}s") and "id" in found[0]:
                        values[name] = found[0]["id"]
        return values

    def path_values(self, operation: Operation, client=None, row: int = 0) -> tuple[dict, dict | None] | None:
        """Values for the path's parameters naming a real object (the `row`th of its list as
        `client` sees it), and that object as the API shows it; None when there is no such object."""
        client = client or self.client
        names = [p["name"] for p in operation.parameters("path")]
        if not names:
            return {}, None
        base, first = re.match(r"(.*?/)\{(\w+)\}/", operation.path).groups()
        rows = self.rows(client).get(base) or []
        if len(rows) <= row:
            return None
        values = {first: rows[row][first if first in rows[row] else "id"]}
        if operation.method == "get" and len(names) == 1:
            return values, rows[row]
        detail = client.get(f"{base}{values[first]}/")
        known = detail.json() if detail.status_code == 200 and is_json(detail) else rows[row]
        # the schema does not keep the path's order of parameters
        for name in (n for n in names if n != first):
            nested = _nested_rows(known, name.removesuffix("_id"))
            if not nested:
                return None
            values[name] = nested[0]["id"]
        return values, known
