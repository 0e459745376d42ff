"""The isolation harness's registry: how to probe every endpoint as a user of another department.

Every named URL of the project must appear here (test_isolation fails otherwise), so each new
capability adds its endpoints with the objects department A owns behind them. Kinds:

- PUBLIC: no department data at all (login, language switch, health check).
- SHARED: platform-wide facts any signed-in user sees (calendar, policies, API docs); still checked
  for department A's marker.
- LIST: department-owned lists/exports; B's users must not see A's marker.
- DETAIL: one of A's objects; B's users must get exactly what they get for an id that does not
  exist (404, or the same 403 when a role check comes first), and never A's marker.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

MARKER = "ISOLATIONMARKER"


class Kind(Enum):
    PUBLIC = "public"
    SHARED = "shared"
    LIST = "list"
    DETAIL = "detail"


@dataclass(frozen=True)
class Probe:
    kind: Kind
    # kwargs for reverse(): for A's object, and for an object that does not exist
    kwargs: Callable[[object], dict] = lambda w: {}
    missing: Callable[[object], dict] = lambda w: {}
    methods: tuple[str, ...] = ("get",)
    query: str = ""
    data: dict = field(default_factory=dict)
    # DETAIL probes whose A-side view must show the marker (a positive control per endpoint), and
    # which of department A's users that is
    owner_sees_marker: bool = False
    owner: str = "a_user"


def _pk(name):
    return lambda w: {"pk": getattr(w, name).pk}


MISSING_INT = {"pk": 987654321}
MISSING_UUID = {"pk": uuid.UUID(int=12345)}

ENDPOINTS: dict[str, Probe] = {
    # --- pages: accounts ---------------------------------------------------------------------------
    "organizations:login": Probe(Kind.PUBLIC),
    "organizations:logout": Probe(Kind.PUBLIC),  # GET asks for confirmation; the POST would log the prober out
    "organizations:session_keep_alive": Probe(Kind.SHARED, methods=("post",)),
    "organizations:otp_verify": Probe(Kind.SHARED),
    "organizations:otp_setup": Probe(Kind.SHARED),
    "organizations:password_change": Probe(Kind.SHARED),
    "organizations:profile": Probe(Kind.SHARED),
    "organizations:token_list": Probe(Kind.LIST),
    "organizations:token_revoke": Probe(Kind.DETAIL, _pk("a_token"), lambda w: MISSING_INT, methods=("post",)),
    # --- pages: organizations and users ------------------------------------------------------------
    "organizations:organization_list": Probe(Kind.LIST),
    "organizations:organization_create": Probe(Kind.SHARED),
    "organizations:organization_detail": Probe(
        Kind.DETAIL, _pk("a_org"), lambda w: MISSING_INT, owner_sees_marker=True
    ),
    "organizations:organization_edit": Probe(Kind.DETAIL, _pk("a_org"), lambda w: MISSING_INT, methods=("get", "post")),
    "organizations:user_list": Probe(Kind.LIST),
    "organizations:user_create": Probe(Kind.SHARED),
    "organizations:user_detail": Probe(Kind.DETAIL, _pk("a_user"), lambda w: MISSING_INT, owner_sees_marker=True),
    "organizations:user_edit": Probe(Kind.DETAIL, _pk("a_user"), lambda w: MISSING_INT, methods=("get", "post")),
    "organizations:user_roles": Probe(Kind.DETAIL, _pk("a_user"), lambda w: MISSING_INT, methods=("post",)),
    "organizations:user_set_active": Probe(Kind.DETAIL, _pk("a_user"), lambda w: MISSING_INT, methods=("post",)),
    "organizations:user_reset_password": Probe(Kind.DETAIL, _pk("a_user"), lambda w: MISSING_INT, methods=("post",)),
    "organizations:user_totp_reset": Probe(Kind.DETAIL, _pk("a_user"), lambda w: MISSING_INT, methods=("post",)),
    "organizations:lockout_list": Probe(Kind.LIST),
    # --- pages: shell, jobs -------------------------------------------------------------------------
    "web:home": Probe(Kind.LIST),
    "web:job_detail": Probe(Kind.DETAIL, _pk("a_job"), lambda w: MISSING_UUID, owner_sees_marker=True),
    "web:job_download": Probe(Kind.DETAIL, _pk("a_job"), lambda w: MISSING_UUID),
    # --- pages: audit -------------------------------------------------------------------------------
    "audit:event_list": Probe(Kind.LIST),
    "audit:event_detail": Probe(
        Kind.DETAIL, _pk("a_event"), lambda w: MISSING_INT, owner_sees_marker=True, owner="a_security"
    ),
    "audit:export": Probe(Kind.LIST, methods=("post",), data={"format": "csv"}),
    "audit:verify": Probe(Kind.SHARED),
    # --- pages: calendar, policies ------------------------------------------------------------------
    "workdays:calendar": Probe(Kind.SHARED),
    "workdays:notice_edit": Probe(Kind.SHARED, lambda w: {"year": 2027}),
    "workdays:import": Probe(Kind.SHARED),
    "workdays:import_template": Probe(Kind.SHARED),
    "workdays:deadline": Probe(Kind.SHARED, query="start=2026-11-26T10:00&working_days=2"),
    "policies:policy_list": Probe(Kind.SHARED),
    "policies:policy_preview": Probe(Kind.SHARED, query="key=lockout_minutes&value=20"),
    "policies:policy_update": Probe(Kind.SHARED, methods=("post",), data={"key": "lockout_minutes", "value": "20"}),
    "set_language": Probe(Kind.PUBLIC, methods=("post",), data={"language": "en"}),
    "javascript-catalog": Probe(Kind.PUBLIC),
    "healthz": Probe(Kind.PUBLIC),
    "readyz": Probe(Kind.PUBLIC),
    # Closed to every user (404 without the scrape token): probed like a shared page.
    "observability:metrics": Probe(Kind.SHARED),
    # --- REST API -----------------------------------------------------------------------------------
    "api-root": Probe(Kind.SHARED),
    "api-schema": Probe(Kind.SHARED),
    "api-docs": Probe(Kind.SHARED),
    "organization-list": Probe(Kind.LIST),
    "organization-detail": Probe(
        Kind.DETAIL, _pk("a_org"), lambda w: MISSING_INT, methods=("get", "patch"), owner_sees_marker=True
    ),
    "user-list": Probe(Kind.LIST),
    "user-me": Probe(Kind.SHARED),
    "user-detail": Probe(
        Kind.DETAIL, _pk("a_user"), lambda w: MISSING_INT, methods=("get", "patch"), owner_sees_marker=True
    ),
    "user-set-roles": Probe(Kind.DETAIL, _pk("a_user"), lambda w: MISSING_INT, methods=("post",), data={"roles": []}),
    "token-list": Probe(Kind.LIST),
    "token-detail": Probe(Kind.DETAIL, _pk("a_token"), lambda w: MISSING_INT, owner_sees_marker=True),
    "token-revoke": Probe(Kind.DETAIL, _pk("a_token"), lambda w: MISSING_INT, methods=("post",)),
    "audit-event-list": Probe(Kind.LIST),
    "audit-event-detail": Probe(
        Kind.DETAIL, _pk("a_event"), lambda w: MISSING_INT, owner_sees_marker=True, owner="a_security"
    ),
    "audit-event-export": Probe(Kind.LIST, methods=("post",), data={"format": "csv"}),
    "audit-verify": Probe(Kind.SHARED, methods=("post",)),
    "calendar-year-list": Probe(Kind.SHARED),
    "calendar-year-detail": Probe(Kind.SHARED, lambda w: {"year": 2026}),
    "calendar-deadline": Probe(Kind.SHARED, query="start=2026-11-26T10:00:00%2B08:00&working_days=2"),
    "policy-list": Probe(Kind.SHARED),
    "policy-detail": Probe(Kind.SHARED, lambda w: {"key": "lockout_minutes"}),
    "job-list": Probe(Kind.LIST),
    "job-detail": Probe(Kind.DETAIL, _pk("a_job"), lambda w: MISSING_UUID, owner_sees_marker=True),
}


def _load_app_registries() -> list:
    """Each app may keep its part of the harness in `<app>/tests/isolation.py`: an `ENDPOINTS` dict
    like the one above and a `populate(world)` that gives department A marked objects."""
    import importlib

    from django.apps import apps

    modules = []
    for config in apps.get_app_configs():
        if not config.name.startswith("govcloud."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.tests.isolation")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.tests.isolation":
                raise
            continue
        clash = set(module.ENDPOINTS) & set(ENDPOINTS)
        assert not clash, f"{config.name} registers endpoints twice: {clash}"
        ENDPOINTS.update(module.ENDPOINTS)
        modules.append(module)
    # The application form documents are a package inside `applications` with their own registry.
    from govcloud.applications.documents import isolation as documents_isolation

    ENDPOINTS.update(documents_isolation.ENDPOINTS)
    modules.append(documents_isolation)
    return modules


APP_REGISTRIES = _load_app_registries()
