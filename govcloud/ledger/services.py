"""Writes to the resource ledger. Called by delivery and the application workflow (and, later, by
reconciliation); every change appends a ResourceHistory entry — metering reads it — and writes one
audit event.

The states and who may move a resource between them are declared once, in TRANSITIONS; every
change goes through `_transition`, which checks the role and the scope, locks the row, keeps the
denormalized columns in step with the spec, appends the history entry and writes the audit event.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govcloud.audit.services import audit_record
from govcloud.catalog.models import CatalogItem
from govcloud.catalog.specs import resource_columns
from govcloud.core.actors import SYSTEM, Actor, actor_name, is_system
from govcloud.core.permissions import require_role
from govcloud.core.roles import CENTER_ROLES, DEPARTMENT_ROLES, Role
from govcloud.core.scoping import Action
from govcloud.ledger.models import HistoryKind, Resource, ResourceHistory, ResourceState

S = ResourceState

# Recording what exists (a delivery, an adopted resource, a corrected record) is the provider's
# and the center's; moving a resource through its life is also the owning department's (it accepts
# the test, Art. 8) — the scope limits a department to its own resources.
LEDGER_WRITERS = CENTER_ROLES | {Role.PROVIDER_OPERATOR}
LIFECYCLE_ROLES = LEDGER_WRITERS | DEPARTMENT_ROLES


class LedgerAction(models.TextChoices):
    DELIVER = "deliver", gettext_lazy("Deliver")
    ADOPT = "adopt", gettext_lazy("Adopt")
    ACTIVATE = "activate", gettext_lazy("Activate")
    CHANGE_START = "change_start", gettext_lazy("Start a change")
    CHANGE = "change", gettext_lazy("Change")
    CHANGE_CANCEL = "change_cancel", gettext_lazy("Cancel a change")
    CORRECT = "correct", gettext_lazy("Correct the record")
    TERMINATE = "terminate", gettext_lazy("Terminate")


# (state before, action) → (state after, roles allowed, history kind). "" is "not in the ledger yet".
TRANSITIONS: dict[tuple[str, str], tuple[str, frozenset[Role], str]] = {
    ("", LedgerAction.DELIVER): (S.TESTING, LEDGER_WRITERS, HistoryKind.DELIVERED),
    ("", LedgerAction.ADOPT): (S.IN_SERVICE, LEDGER_WRITERS, HistoryKind.ADOPTED),
    # Art. 8 开通: metering starts here.
    (S.TESTING, LedgerAction.ACTIVATE): (S.IN_SERVICE, LIFECYCLE_ROLES, HistoryKind.ACTIVATED),
    # A delivery fixed during the test keeps testing.
    (S.TESTING, LedgerAction.CHANGE): (S.TESTING, LIFECYCLE_ROLES, HistoryKind.CHANGED),
    (S.IN_SERVICE, LedgerAction.CHANGE_START): (S.CHANGING, LIFECYCLE_ROLES, HistoryKind.CHANGE_STARTED),
    (S.IN_SERVICE, LedgerAction.CHANGE): (S.IN_SERVICE, LIFECYCLE_ROLES, HistoryKind.CHANGED),
    (S.CHANGING, LedgerAction.CHANGE): (S.IN_SERVICE, LIFECYCLE_ROLES, HistoryKind.CHANGED),
    (S.CHANGING, LedgerAction.CHANGE_CANCEL): (S.IN_SERVICE, LIFECYCLE_ROLES, HistoryKind.CHANGED),
    (S.TESTING, LedgerAction.CORRECT): (S.TESTING, LEDGER_WRITERS, HistoryKind.CORRECTED),
    (S.IN_SERVICE, LedgerAction.CORRECT): (S.IN_SERVICE, LEDGER_WRITERS, HistoryKind.CORRECTED),
    (S.CHANGING, LedgerAction.CORRECT): (S.CHANGING, LEDGER_WRITERS, HistoryKind.CORRECTED),
    (S.TERMINATED, LedgerAction.CORRECT): (S.TERMINATED, LEDGER_WRITERS, HistoryKind.CORRECTED),
    # Art. 8 终止: metering stops; the resource stays in the ledger with its end time.
    (S.TESTING, LedgerAction.TERMINATE): (S.TERMINATED, LIFECYCLE_ROLES, HistoryKind.TERMINATED),
    (S.IN_SERVICE, LedgerAction.TERMINATE): (S.TERMINATED, LIFECYCLE_ROLES, HistoryKind.TERMINATED),
    (S.CHANGING, LedgerAction.TERMINATE): (S.TERMINATED, LIFECYCLE_ROLES, HistoryKind.TERMINATED),
}

AUDIT_ACTIONS = {
    LedgerAction.DELIVER: "resource.deliver",
    LedgerAction.ADOPT: "resource.adopt",
    LedgerAction.ACTIVATE: "resource.activate",
    LedgerAction.CHANGE_START: "resource.change_start",
    LedgerAction.CHANGE: "resource.change",
    LedgerAction.CHANGE_CANCEL: "resource.change_cancel",
    LedgerAction.CORRECT: "resource.correct",
    LedgerAction.TERMINATE: "resource.terminate",
}

CODE_PREFIXES = {
    "host": "VM",
    "database": "DB",
    "storage": "ST",
    "load_balancer": "LB",
    "network_access": "NW",
    "security": "SE",
}


def _next_code(kind: str) -> str:
    prefix = CODE_PREFIXES[kind]
    # A sequence per kind, taken from the highest code in use (the unique index answers this
    # without a scan); a concurrent delivery taking the same number is retried by _create.
    last = Resource.objects.filter(code__startswith=f"TZ-{prefix}-").order_by("-code").values_list("code", flat=True)
    number = int(last[0].rsplit("-", 1)[1]) + 1 if last else 1
    return f"TZ-{prefix}-{number:06d}"


def _addresses_text(addresses: Iterable[Mapping]) -> str:
    parts = [str(v) for a in addresses if isinstance(a, Mapping) for k, v in a.items() if v and k != "network"]
    return " ".join(parts)[:1000]


def _apply_spec(resource: Resource, item: CatalogItem) -> None:
    """Keep the numeric columns in step with the spec and the addresses (one mapping for all)."""
    for key, value in resource_columns(item, resource.spec, resource.addresses).items():
        setattr(resource, key, value)
    resource.addresses_text = _addresses_text(resource.addresses)


def _check(actor: Actor, state_before: str, action: str) -> tuple[str, str]:
    rule = TRANSITIONS.get((state_before, action))
    if rule is None:
        raise ValidationError(
            _("“%(action)s” is not possible for a resource that is “%(state)s”.")
            % {
                "action": LedgerAction(action).label,
                "state": ResourceState(state_before).label if state_before else _("not in the ledger"),
            }
        )
    state_after, roles, kind = rule
    require_role(actor, roles)
    return state_after, kind


def _locked(actor: Actor, resource: Resource) -> Resource:
    """The resource, locked, if the actor may change it: another department's resource is refused
    like a missing one would be."""
    queryset = Resource.objects.select_for_update(of=("self",)).select_related("catalog_item", "organization")
    if not is_system(actor):
        queryset = queryset.restrict(actor, Action.CHANGE)
    try:
        return queryset.get(pk=resource.pk)
    except Resource.DoesNotExist:
        raise PermissionDenied(_("This resource is not yours to change."))


def _record(
    resource: Resource,
    *,
    actor: Actor,
    action: str,
    kind: str,
    state_before: str,
    spec_before: dict,
    application=None,
    at: datetime,
    note: str = "",
    changes: dict | None = None,
) -> None:
    ResourceHistory.objects.create(
        resource=resource,
        at=at,
        kind=kind,
        state_before=state_before,
        state_after=resource.state,
        spec_before=spec_before,
        spec_after=resource.spec,
        application=application,
        # SYSTEM's username, as the history has always stored it (the `actor` filter shows it as 系统).
        actor_name=actor_name(actor, system_name=SYSTEM.username),
        note=note,
    )
    if changes is None:
        changes = {}
        if state_before != resource.state:
            changes["state"] = [state_before or None, resource.state]
        if spec_before != resource.spec:
            changes["spec"] = [spec_before or None, resource.spec]
    audit_record(
        actor=actor,
        action=AUDIT_ACTIONS[action],
        target=resource,
        changes=changes,
        message=note,
    )


def _create(
    *, actor: Actor, action: str, fields: dict[str, Any], application, at: datetime, note: str, code: str = ""
) -> Resource:
    state_after, kind = _check(actor, "", action)
    item: CatalogItem = fields["catalog_item"]
    resource = Resource(kind=item.kind, state=state_after, **fields)
    _apply_spec(resource, item)
    for attempt in range(5):
        # A code reserved by automatic delivery (it names the resource in the cloud) when still free.
        resource.code = code if code and attempt == 0 else _next_code(item.kind)
        try:
            with transaction.atomic():
                resource.save()
            break
        except IntegrityError:
            if attempt == 4:
                raise
    _record(
        resource,
        actor=actor,
        action=action,
        kind=kind,
        state_before="",
        spec_before={},
        application=application,
        at=at,
        note=note,
    )
    return resource


def resource_deliver(
    *,
    actor: Actor,
    application,
    catalog_item,
    spec: dict[str, Any],
    name: str = "",
    addresses: list | None = None,
    provider_ref: str = "",
    at: datetime | None = None,
    code: str = "",
) -> Resource:
    """A resource the provider delivered for the department's acceptance test (not billed yet).
    `code`: the resource number reserved by automatic delivery, if still free."""
    at = at or timezone.now()
    with transaction.atomic():
        return _create(
            actor=actor,
            action=LedgerAction.DELIVER,
            fields={
                "name": name,
                "organization": application.organization,
                "system": application.system,
                "catalog_item": catalog_item,
                "spec": spec,
                "addresses": addresses or [],
                "provider_ref": provider_ref,
                "origin_application": application,
                "delivered_at": at,
            },
            application=application,
            at=at,
            note="",
            code=code,
        )


def resource_adopt(
    *,
    actor: Actor,
    organization,
    catalog_item,
    spec: dict[str, Any],
    name: str = "",
    system=None,
    addresses: list | None = None,
    provider_ref: str = "",
    in_service_at: datetime | None = None,
    note: str = "",
) -> Resource:
    """Record a resource that is in service already without an application in GovCloud (one that
    predates the system, or found by reconciliation). Metering starts at `in_service_at`."""
    at = in_service_at or timezone.now()
    if system is not None and not system.organization.path.startswith(organization.path):
        raise ValidationError({"system": _("The information system belongs to another department.")})
    with transaction.atomic():
        return _create(
            actor=actor,
            action=LedgerAction.ADOPT,
            fields={
                "name": name,
                "organization": organization,
                "system": system,
                "catalog_item": catalog_item,
                "spec": spec,
                "addresses": addresses or [],
                "provider_ref": provider_ref,
                "delivered_at": at,
                "in_service_at": at,
            },
            application=None,
            at=at,
            note=note,
        )


def _transition(
    *,
    actor: Actor,
    resource: Resource,
    action: str,
    application=None,
    at: datetime | None = None,
    note: str = "",
    spec: dict[str, Any] | None = None,
) -> Resource:
    at = at or timezone.now()
    with transaction.atomic():
        resource = _locked(actor, resource)
        if action == LedgerAction.TERMINATE and resource.state == ResourceState.TERMINATED:
            # Terminating twice (a retried work order) changes nothing.
            return resource
        state_before, spec_before = resource.state, dict(resource.spec)
        state_after, kind = _check(actor, state_before, action)
        resource.state = state_after
        if spec is not None:
            resource.spec = spec
            _apply_spec(resource, resource.catalog_item)
        if action == LedgerAction.ACTIVATE:
            resource.in_service_at = at
        elif action == LedgerAction.TERMINATE:
            resource.terminated_at = at
        resource.save()
        _record(
            resource,
            actor=actor,
            action=action,
            kind=kind,
            state_before=state_before,
            spec_before=spec_before,
            application=application,
            at=at,
            note=note,
        )
    return resource


def resource_activate(*, actor: Actor, resource: Resource, application=None, at: datetime | None = None) -> Resource:
    """Into service (开通): metering starts at this moment."""
    return _transition(actor=actor, resource=resource, action=LedgerAction.ACTIVATE, application=application, at=at)


def resource_change_start(
    *, actor: Actor, resource: Resource, application=None, at: datetime | None = None, note: str = ""
) -> Resource:
    """A change was approved and the provider is working on it: the resource shows as changing
    (its spec, and what is metered, stay until `resource_change` applies the new one)."""
    return _transition(
        actor=actor, resource=resource, action=LedgerAction.CHANGE_START, application=application, at=at, note=note
    )


def resource_change_cancel(
    *, actor: Actor, resource: Resource, application=None, at: datetime | None = None, note: str = ""
) -> Resource:
    """A change that was started and will not happen: back in service as it was."""
    return _transition(
        actor=actor, resource=resource, action=LedgerAction.CHANGE_CANCEL, application=application, at=at, note=note
    )


def resource_change(
    *,
    actor: Actor,
    resource: Resource,
    spec: dict[str, Any],
    application=None,
    at: datetime | None = None,
    note: str = "",
) -> Resource:
    """Apply a new spec (a resize, a larger disk, more bandwidth) from `at`; a resource that was
    changing is back in service."""
    return _transition(
        actor=actor,
        resource=resource,
        action=LedgerAction.CHANGE,
        application=application,
        at=at,
        note=note,
        spec=dict(spec),
    )


def resource_terminate(
    *, actor: Actor, resource: Resource, application=None, at: datetime | None = None, note: str = ""
) -> Resource:
    """End of service (终止): metering stops; the resource stays in the ledger with its end time.
    Terminating a terminated resource changes nothing."""
    return _transition(
        actor=actor, resource=resource, action=LedgerAction.TERMINATE, application=application, at=at, note=note
    )


CORRECTABLE = ("name", "addresses", "provider_ref", "system")


def resource_correct(*, actor: Actor, resource: Resource, note: str, **fields: Any) -> Resource:
    """Correct the record's details (name, addresses, provider reference, information system) —
    the provider's reconciliation or a typo. The spec changes only through `resource_change`."""
    unknown = set(fields) - set(CORRECTABLE)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    if not note.strip():
        raise ValidationError({"note": _("Say what was corrected and why.")})
    with transaction.atomic():
        resource = _locked(actor, resource)
        _state, kind = _check(actor, resource.state, LedgerAction.CORRECT)
        system = fields.get("system")
        if system is not None and not system.organization.path.startswith(resource.organization.path):
            raise ValidationError({"system": _("The information system belongs to another department.")})
        changes = {}
        for key, value in fields.items():
            old = getattr(resource, key)
            if old != value:
                changes[key] = [
                    str(old) if isinstance(old, models.Model) else old,
                    str(value) if isinstance(value, models.Model) else value,
                ]
                setattr(resource, key, value)
        if not changes:
            return resource
        _apply_spec(resource, resource.catalog_item)
        resource.save()
        _record(
            resource,
            actor=actor,
            action=LedgerAction.CORRECT,
            kind=kind,
            state_before=resource.state,
            spec_before=dict(resource.spec),
            at=timezone.now(),
            note=note,
            changes=changes,
        )
    return resource
