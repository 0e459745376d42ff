"""Writes of reconciliation: a run compares each automatic cloud driver's `list()` with the ledger
and records the differences; the center then decides on each (adopt, incident, deletion, dismiss).

A run is set-based: one query reads the ledger side, one the live discrepancies of the driver, then
dict lookups and bulk writes — the cost does not grow with per-row queries however large the cloud.
Nothing is deleted from the cloud unless the owning department's head (or, for a resource no
department owns, the center's administrator) confirms the deletion the center asked for.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govcloud.audit.models import Outcome
from govcloud.audit.services import audit_record
from govcloud.catalog.models import CatalogItem, Dimension, ResourceKind
from govcloud.core.actors import SYSTEM, Actor, is_system, platform_actor_name
from govcloud.core.errors import StateConflict
from govcloud.core.permissions import require_role
from govcloud.core.roles import CENTER_ROLES, Role
from govcloud.core.scoping import Action, get_scoped_or_404
from govcloud.delivery.drivers.base import CloudDriver, CloudInstance, DriverError
from govcloud.incidents import services as incident_services
from govcloud.ledger import services as ledger_services
from govcloud.ledger.models import Resource, ResourceState
from govcloud.notifications.models import Severity
from govcloud.notifications.services import notify, users_with_roles
from govcloud.reconciliation.drivers import cloud_driver, cloud_drivers, driver_names
from govcloud.reconciliation.models import (
    ACTIVE_STATES,
    Discrepancy,
    DiscrepancyEvent,
    DiscrepancyKind,
    DiscrepancyState,
    ReconciliationRun,
    RunStatus,
)

logger = logging.getLogger(__name__)

K = DiscrepancyKind
S = DiscrepancyState

IN_USE = (ResourceState.TESTING, ResourceState.IN_SERVICE, ResourceState.CHANGING)
# What drift compares: the ledger's denormalized columns against the cloud's report.
SPEC_FIELDS = ("vcpu", "memory_gb", "disk_gb")
# Kinds a driver reports when it does not say (libvirt only runs hosts): other kinds in the ledger
# are not that cloud's and must not show as missing from it.
DEFAULT_DRIVER_KINDS = (ResourceKind.HOST,)

RUNNERS = frozenset({Role.CENTER_ADMIN})
DECIDERS = frozenset({Role.CENTER_ADMIN})
INCIDENT_OPENERS = CENTER_ROLES | {Role.PROVIDER_OPERATOR}


class DiscrepancyAction(models.TextChoices):
    ADOPT = "adopt", gettext_lazy("Adopt into the ledger")
    OPEN_INCIDENT = "open_incident", gettext_lazy("Open an incident")
    REQUEST_DELETION = "request_deletion", gettext_lazy("Request deletion")
    CONFIRM_DELETION = "confirm_deletion", gettext_lazy("Confirm deletion")
    DISMISS = "dismiss", gettext_lazy("Dismiss")


A = DiscrepancyAction

# action → (states it starts from, kinds it applies to, state after).
TRANSITIONS: dict[str, tuple[frozenset[str], frozenset[str], str]] = {
    A.ADOPT: (frozenset({S.OPEN, S.INCIDENT_OPENED}), frozenset({K.SHADOW}), S.ADOPTED),
    A.OPEN_INCIDENT: (frozenset({S.OPEN}), frozenset(K.values), S.INCIDENT_OPENED),
    A.REQUEST_DELETION: (frozenset({S.OPEN, S.INCIDENT_OPENED}), frozenset({K.SHADOW}), S.DELETION_REQUESTED),
    A.CONFIRM_DELETION: (frozenset({S.DELETION_REQUESTED}), frozenset({K.SHADOW}), S.DELETION_CONFIRMED),
    A.DISMISS: (
        frozenset({S.OPEN, S.INCIDENT_OPENED, S.DELETION_REQUESTED}),
        frozenset(K.values),
        S.DISMISSED,
    ),
}

# What the center is offered first for each kind (the page shows them in this order).
SUGGESTED_ACTIONS: dict[str, tuple[str, ...]] = {
    K.SHADOW: (A.ADOPT, A.REQUEST_DELETION, A.OPEN_INCIDENT, A.DISMISS),
    K.MISSING: (A.OPEN_INCIDENT, A.DISMISS),
    K.DRIFT: (A.OPEN_INCIDENT, A.DISMISS),
}


# The platform's own steps (SYSTEM) have always been recorded here as "Platform" (平台), not
# core's "System": hence platform_actor_name(actor).


def _int(value: Any) -> int | None:
    try:
        return int(round(float(value)))
    except (TypeError, ValueError):
        return None


def cloud_columns(spec: Mapping[str, Any]) -> dict[str, int]:
    """The cloud's spec in the ledger's column units; a field the cloud does not report is left out
    (and so never counts as drift)."""
    columns: dict[str, int] = {}
    for key in ("vcpu", "memory_gb"):
        value = _int(spec.get(key))
        if value is not None:
            columns[key] = value
    if spec.get("disk_gb") is not None:
        disk = _int(spec.get("disk_gb"))
    elif spec.get("system_disk_gb") is not None or spec.get("data_disk_gb") is not None:
        disk = (_int(spec.get("system_disk_gb")) or 0) + (_int(spec.get("data_disk_gb")) or 0)
    else:
        disk = None
    if disk is not None:
        columns["disk_gb"] = disk
    return columns


def _observed(instance: CloudInstance) -> dict[str, Any]:
    return {
        "ref": instance.ref,
        "provider_id": instance.provider_id,
        "kind": instance.kind,
        "running": instance.running,
        "spec": dict(instance.spec),
        "addresses": list(instance.addresses),
        "columns": cloud_columns(instance.spec),
    }


def _expected(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "code": row["code"],
        "provider_ref": row["provider_ref"],
        "state": row["state"],
        "kind": row["kind"],
        "organization": row["organization__name"],
        "columns": {f: row[f] for f in SPEC_FIELDS},
    }


# --- The run ---------------------------------------------------------------------------------------


def _ledger_rows(driver_name: str, kinds: Iterable[str], ids: set[str], refs: set[str]) -> list[dict[str, Any]]:
    """The ledger side, in one query: the resources in use this cloud should have (those with a
    cloud id), plus any resource the cloud's instances name (by id or code), terminated ones
    included — a terminated resource still running is a shadow, with its old owner for context."""
    wanted = Q(state__in=IN_USE, kind__in=list(kinds)) & ~Q(provider_ref="")
    if ids:
        wanted |= Q(provider_ref__in=ids)
    if refs:
        wanted |= Q(code__in=refs)
    queryset = Resource.objects.filter(wanted)
    others = [name for name in driver_names() if name != driver_name]
    if others:
        # Another automatic driver's resources are that driver's to reconcile.
        queryset = queryset.exclude(origin_application__work_orders__driver__in=others).exclude(
            discrepancies__driver__in=others, discrepancies__state=S.ADOPTED
        )
    return list(
        queryset.values(
            "pk", "code", "provider_ref", "state", "kind", "organization_id", "organization__name", *SPEC_FIELDS
        )
    )


def _findings(
    instances: list[CloudInstance], rows: list[dict[str, Any]], kinds: Iterable[str]
) -> dict[tuple[str, str], dict[str, Any]]:
    """(kind, key) → what a discrepancy records, by dict lookups only."""
    by_id: dict[str, dict] = {}
    by_code: dict[str, dict] = {}
    # A resource in use wins over a terminated one reusing the same cloud id.
    for row in sorted(rows, key=lambda r: r["state"] != ResourceState.TERMINATED):
        if row["provider_ref"]:
            by_id.setdefault(row["provider_ref"], row)
        by_code[row["code"]] = row
    found: dict[tuple[str, str], dict[str, Any]] = {}
    matched: set[int] = set()
    for instance in instances:
        row = (by_id.get(instance.provider_id) if instance.provider_id else None) or by_code.get(instance.ref)
        key = instance.provider_id or instance.ref
        observed = _observed(instance)
        if row is None or row["state"] == ResourceState.TERMINATED:
            found[(K.SHADOW, key)] = {
                "ref": instance.ref,
                "provider_id": instance.provider_id,
                "resource_id": row["pk"] if row else None,
                "organization_id": row["organization_id"] if row else None,
                "observed": observed,
                "expected": _expected(row) if row else {},
                "fields": [],
            }
            continue
        matched.add(row["pk"])
        differing = [f for f, v in observed["columns"].items() if v != row[f]]
        if differing:
            found[(K.DRIFT, key)] = {
                "ref": instance.ref or row["code"],
                "provider_id": instance.provider_id,
                "resource_id": row["pk"],
                "organization_id": row["organization_id"],
                "observed": observed,
                "expected": _expected(row),
                "fields": differing,
            }
    kinds = set(kinds)
    for row in rows:
        if row["pk"] in matched or row["state"] not in IN_USE or not row["provider_ref"] or row["kind"] not in kinds:
            continue
        found[(K.MISSING, row["provider_ref"])] = {
            "ref": row["code"],
            "provider_id": row["provider_ref"],
            "resource_id": row["pk"],
            "organization_id": row["organization_id"],
            "observed": {},
            "expected": _expected(row),
            "fields": [],
        }
    return found


def _still_dismissed(dismissed: Discrepancy | None, finding: Mapping[str, Any]) -> bool:
    """A dismissed discrepancy stays quiet while the cloud reports the same thing; a drift that
    drifts further is new."""
    if dismissed is None:
        return False
    if dismissed.kind == K.DRIFT:
        return dismissed.observed.get("columns") == finding["observed"].get("columns")
    return True


def _reconcile(run: ReconciliationRun, driver: CloudDriver, instances: list[CloudInstance], now: datetime) -> None:
    kinds = tuple(getattr(driver, "kinds", None) or DEFAULT_DRIVER_KINDS)
    # An instance the platform did not create carries no kind (no platform metadata); it is still
    # one of this cloud's resources, so it is compared (and shows as a shadow).
    instances = [i for i in instances if i.kind in kinds or not i.kind]
    ids = {i.provider_id for i in instances if i.provider_id}
    refs = {i.ref for i in instances if i.ref}
    rows = _ledger_rows(run.driver, kinds, ids, refs)
    findings = _findings(instances, rows, kinds)

    live = {
        (d.kind, d.key): d
        for d in Discrepancy.objects.select_for_update().filter(driver=run.driver, state__in=ACTIVE_STATES)
    }
    dismissed: dict[tuple[str, str], Discrepancy] = {}
    for d in Discrepancy.objects.filter(
        driver=run.driver, state=S.DISMISSED, key__in=[key for _kind, key in findings]
    ).order_by("closed_at", "pk"):
        dismissed[(d.kind, d.key)] = d  # the latest dismissal wins

    created, updated, events = [], [], []
    for (kind, key), finding in findings.items():
        current = live.get((kind, key))
        if current is not None:
            current.last_run = run
            current.last_seen_at = now
            current.observed = finding["observed"]
            current.expected = finding["expected"]
            current.fields = finding["fields"]
            updated.append(current)
        elif not _still_dismissed(dismissed.get((kind, key)), finding):
            created.append(
                Discrepancy(
                    run=run,
                    last_run=run,
                    kind=kind,
                    key=key,
                    driver=run.driver,
                    first_seen_at=now,
                    last_seen_at=now,
                    **finding,
                )
            )
    resolved = []
    for (kind, key), d in live.items():
        # A confirmed deletion is the deletion task's to close (it marks the discrepancy deleted).
        if (kind, key) not in findings and d.state != S.DELETION_CONFIRMED:
            events.append(_event(d, S.RESOLVED, SYSTEM, _("No longer reported by reconciliation."), now))
            d.state, d.closed_at, d.last_run = S.RESOLVED, now, run
            resolved.append(d)

    Discrepancy.objects.bulk_create(created)
    for d in created:
        events.append(_event(d, S.OPEN, SYSTEM, _("Found by reconciliation."), now, before=""))
    Discrepancy.objects.bulk_update(updated, ["last_run", "last_seen_at", "observed", "expected", "fields"])
    Discrepancy.objects.bulk_update(resolved, ["state", "closed_at", "last_run"])
    DiscrepancyEvent.objects.bulk_create(events)

    active = [*created, *updated]
    run.cloud_count = len(instances)
    run.ledger_count = sum(1 for r in rows if r["state"] in IN_USE)
    run.shadow_count = sum(1 for d in active if d.kind == K.SHADOW)
    run.missing_count = sum(1 for d in active if d.kind == K.MISSING)
    run.drift_count = sum(1 for d in active if d.kind == K.DRIFT)
    run.resolved_count = len(resolved)


def _event(d: Discrepancy, after: str, actor: Actor, note: str, at: datetime, before: str | None = None):
    return DiscrepancyEvent(
        discrepancy=d,
        at=at,
        state_before=d.state if before is None else before,
        state_after=after,
        actor_name=platform_actor_name(actor),
        note=note,
    )


RUN_COUNTERS = ("cloud_count", "ledger_count", "shadow_count", "missing_count", "drift_count", "resolved_count")


def _run_one(actor: Actor, name: str, driver: CloudDriver) -> ReconciliationRun:
    run = ReconciliationRun.objects.create(
        driver=name, started_at=timezone.now(), started_by_name=platform_actor_name(actor)
    )
    try:
        # Asking the cloud happens outside any transaction: no lock is held while it answers.
        instances = list(driver.list())
        with transaction.atomic():
            _reconcile(run, driver, instances, timezone.now())
            run.status = RunStatus.SUCCEEDED
            run.finished_at = timezone.now()
            run.save()
            message = _(
                "Reconciled %(driver)s: %(cloud)s in the cloud, %(ledger)s in the ledger; %(shadow)s shadow, "
                "%(missing)s missing, %(drift)s drifted, %(resolved)s resolved."
            ) % {
                "driver": name,
                "cloud": run.cloud_count,
                "ledger": run.ledger_count,
                "shadow": run.shadow_count,
                "missing": run.missing_count,
                "drift": run.drift_count,
                "resolved": run.resolved_count,
            }
            audit_record(
                actor=actor,
                action="reconciliation.run",
                target=run,
                message=message,
                changes={f: [None, getattr(run, f)] for f in RUN_COUNTERS},
            )
    except Exception as exc:  # one failing cloud must not stop the others; the run says why
        if not isinstance(exc, DriverError):
            logger.exception("reconciliation of %s failed", name)
        run.status = RunStatus.FAILED
        run.finished_at = timezone.now()
        run.error = (
            str(exc) if isinstance(exc, DriverError) else _("Internal error (%(kind)s).") % {"kind": type(exc).__name__}
        )
        for field in RUN_COUNTERS:
            setattr(run, field, 0)
        run.save()
        audit_record(
            actor=actor,
            action="reconciliation.run",
            target=run,
            outcome=Outcome.FAILURE,
            message=_("Reconciliation of %(driver)s failed: %(error)s") % {"driver": name, "error": run.error},
        )
    return run


def reconciliation_run(*, actor: Actor, driver_name: str | None = None) -> list[ReconciliationRun]:
    """Reconcile every configured automatic driver (or the one named) with the ledger; one run row
    and one audit event per driver."""
    require_role(actor, RUNNERS)
    drivers = {driver_name: cloud_driver(driver_name)} if driver_name else cloud_drivers()
    return [_run_one(actor, name, driver) for name, driver in drivers.items()]


# --- Decisions -------------------------------------------------------------------------------------


def _locked(actor: Actor, discrepancy: Discrepancy) -> Discrepancy:
    """The discrepancy, locked, if the actor may see it (404 otherwise, like a missing one)."""
    queryset = Discrepancy.objects.select_for_update(of=("self",)).select_related("organization", "resource")
    if is_system(actor):
        return queryset.get(pk=discrepancy.pk)
    return get_scoped_or_404(queryset, actor, Action.VIEW, pk=discrepancy.pk)


def _check(d: Discrepancy, action: str) -> str:
    states, kinds, after = TRANSITIONS[action]
    if d.kind not in kinds:
        raise ValidationError(
            _("“%(action)s” is not possible for a discrepancy of kind “%(kind)s”.")
            % {"action": A(action).label, "kind": d.get_kind_display()}
        )
    if d.state not in states:
        raise StateConflict(
            _("“%(action)s” is not possible for a discrepancy that is “%(state)s”.")
            % {"action": A(action).label, "state": d.get_state_display()}
        )
    return after


def _apply(
    d: Discrepancy,
    *,
    actor: Actor,
    action: str,
    after: str,
    note: str,
    message: str,
    extra_fields: Iterable[str] = (),
) -> Discrepancy:
    now = timezone.now()
    before = d.state
    DiscrepancyEvent.objects.create(
        discrepancy=d,
        at=now,
        state_before=before,
        state_after=after,
        actor_name=platform_actor_name(actor),
        note=note,
    )
    d.state = after
    d.decided_at = now
    d.decided_by_name = platform_actor_name(actor)
    if note:
        d.note = note
    if after not in ACTIVE_STATES:
        d.closed_at = now
    d.save(update_fields=["state", "decided_at", "decided_by_name", "note", "closed_at", *extra_fields])
    audit_record(
        actor=actor,
        action=f"reconciliation.discrepancy_{action}",
        target=d,
        changes={"state": [before, after]},
        message=message,
    )
    return d


def _need_note(note: str, field: str = "note") -> str:
    note = (note or "").strip()
    if not note:
        raise ValidationError({field: _("Say why.")})
    return note


def _adopt_spec(observed_spec: Mapping[str, Any]) -> dict[str, Any]:
    """The catalog spec of an adopted resource, from what the cloud reports (its keys that are
    catalog dimensions; a single disk figure becomes the system disk)."""
    spec = {k: v for k, v in observed_spec.items() if k in Dimension.values}
    if "system_disk_gb" not in spec and observed_spec.get("disk_gb") is not None:
        spec["system_disk_gb"] = _int(observed_spec["disk_gb"])
    return spec


def discrepancy_adopt(
    *,
    actor: Actor,
    discrepancy: Discrepancy,
    organization,
    catalog_item: CatalogItem,
    system=None,
    name: str = "",
) -> Resource:
    """Record a shadow resource in the ledger for `organization` (in service from now: billed from
    now on) through the ledger's own adopt service; the discrepancy is closed as adopted."""
    with transaction.atomic():
        d = _locked(actor, discrepancy)
        require_role(actor, DECIDERS)
        after = _check(d, A.ADOPT)
        kind = d.observed.get("kind")
        if kind and catalog_item.kind != kind:
            raise ValidationError(
                {
                    "catalog_item": _("The catalog item must be of the kind the cloud reports (%(kind)s).")
                    % {"kind": kind}
                }
            )
        note = _("Adopted by reconciliation: %(ref)s found in %(driver)s.") % {
            "ref": d.ref or d.provider_id,
            "driver": d.driver,
        }
        addresses = [a for a in d.observed.get("addresses", []) if isinstance(a, Mapping)]
        resource = ledger_services.resource_adopt(
            actor=actor,
            organization=organization,
            catalog_item=catalog_item,
            spec=_adopt_spec(d.observed.get("spec", {})),
            name=name or d.ref,
            system=system,
            addresses=addresses,
            provider_ref=d.provider_id or d.ref,
            note=note,
        )
        d.resource = resource
        d.organization = organization
        _apply(
            d,
            actor=actor,
            action=A.ADOPT,
            after=after,
            note=note,
            message=_("%(ref)s adopted into the ledger as %(code)s for %(org)s.")
            % {"ref": d.ref or d.provider_id, "code": resource.code, "org": organization.name},
            extra_fields=["resource", "organization"],
        )
    return resource


def discrepancy_open_incident(*, actor: Actor, discrepancy: Discrepancy, note: str) -> Discrepancy:
    """Hand the discrepancy to the provider to investigate: a real incident on the service desk
    (channel "reconciliation", one per discrepancy). The incident calls the duty engineers (that is
    the provider's notification) and runs the response clock; the discrepancy's state and note
    record it."""
    note = _need_note(note)
    with transaction.atomic():
        d = _locked(actor, discrepancy)
        require_role(actor, INCIDENT_OPENERS)
        after = _check(d, A.OPEN_INCIDENT)
        ref = d.ref or d.provider_id
        incident = incident_services.incident_open_automatic(
            actor=actor,
            source="reconciliation",
            source_key=f"reconciliation:{d.pk}",
            title=_("Reconciliation: %(kind)s %(ref)s") % {"kind": d.get_kind_display(), "ref": ref},
            symptom=f"{note}\n{discrepancy_link(d)}",
            resource=d.resource,
            organization=d.organization,
        )
        _apply(
            d,
            actor=actor,
            action=A.OPEN_INCIDENT,
            after=after,
            note=note,
            message=_("Incident %(number)s opened for %(ref)s: %(note)s")
            % {"number": incident.number, "ref": ref, "note": note},
        )
    return d


def discrepancy_link(d: Discrepancy) -> str:
    from django.urls import reverse

    return reverse("reconciliation:discrepancy_detail", kwargs={"pk": d.pk})


def discrepancy_request_deletion(*, actor: Actor, discrepancy: Discrepancy, note: str) -> Discrepancy:
    """Ask to delete a shadow resource from the cloud. The owning department's heads confirm it
    (for a resource no department owns, the center's administrator confirms for the platform)."""
    note = _need_note(note)
    with transaction.atomic():
        d = _locked(actor, discrepancy)
        require_role(actor, DECIDERS)
        after = _check(d, A.REQUEST_DELETION)
        d.deletion_requested_by_name = platform_actor_name(actor)
        _apply(
            d,
            actor=actor,
            action=A.REQUEST_DELETION,
            after=after,
            note=note,
            message=_("Deletion of %(ref)s requested: %(note)s") % {"ref": d.ref or d.provider_id, "note": note},
            extra_fields=["deletion_requested_by_name"],
        )
        if d.organization_id:
            recipients = users_with_roles({Role.DEPARTMENT_HEAD}).filter(organization_id=d.organization_id)
        else:
            recipients = users_with_roles({Role.CENTER_ADMIN})
        notify(
            recipients=recipients,
            kind="reconciliation.deletion_requested",
            title=_("Confirm the deletion of cloud resource %(ref)s") % {"ref": d.ref or d.provider_id},
            body=note,
            link=discrepancy_link(d),
            severity=Severity.WARNING,
        )
    return d


def may_confirm_deletion(actor: Actor, d: Discrepancy) -> bool:
    from govcloud.core.permissions import has_any_role

    return has_any_role(actor, {Role.DEPARTMENT_HEAD} if d.organization_id else {Role.CENTER_ADMIN})


def discrepancy_confirm_deletion(*, actor: Actor, discrepancy: Discrepancy) -> Discrepancy:
    """The owner confirms: the deletion is scheduled (a task calls the driver once this commits)."""
    with transaction.atomic():
        d = _locked(actor, discrepancy)
        # The owning department's head (the scope already limits a head to its own subtree); the
        # center's administrator only for what no department owns.
        require_role(actor, {Role.DEPARTMENT_HEAD} if d.organization_id else {Role.CENTER_ADMIN})
        after = _check(d, A.CONFIRM_DELETION)
        d.deletion_confirmed_by_name = platform_actor_name(actor)
        _apply(
            d,
            actor=actor,
            action=A.CONFIRM_DELETION,
            after=after,
            note=_("Deletion confirmed."),
            message=_("Deletion of %(ref)s confirmed.") % {"ref": d.ref or d.provider_id},
            extra_fields=["deletion_confirmed_by_name"],
        )
        from govcloud.reconciliation.tasks import discrepancy_delete_task

        pk = d.pk
        transaction.on_commit(lambda: discrepancy_delete_task.enqueue(pk))
    return d


def discrepancy_dismiss(*, actor: Actor, discrepancy: Discrepancy, reason: str) -> Discrepancy:
    """Accept the difference as it is (or withdraw a deletion request); later runs stay quiet about
    it while the cloud reports the same."""
    reason = _need_note(reason, "reason")
    with transaction.atomic():
        d = _locked(actor, discrepancy)
        require_role(actor, DECIDERS)
        after = _check(d, A.DISMISS)
        return _apply(
            d,
            actor=actor,
            action=A.DISMISS,
            after=after,
            note=reason,
            message=_("Discrepancy %(ref)s dismissed: %(reason)s") % {"ref": d.ref or d.provider_id, "reason": reason},
        )


def discrepancy_delete(*, actor: Actor, discrepancy: Discrepancy) -> Discrepancy:
    """Delete the confirmed shadow resource from the cloud (idempotent: the driver's delete succeeds
    when it is gone, and a discrepancy no longer confirmed is left alone).

    The confirmation (DELETION_CONFIRMED, committed by the owner) is the recorded intent; the cloud
    is called with no transaction open and no row locked, then the outcome is recorded under the
    lock if no concurrent run has recorded it first."""
    with transaction.atomic():
        d = _locked(actor, discrepancy)
        if d.state != S.DELETION_CONFIRMED:
            return d
    ref = d.ref or d.provider_id
    error = ""
    try:
        cloud_driver(d.driver).delete(ref)
    except (DriverError, ValidationError) as exc:
        error = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    with transaction.atomic():
        d = _locked(actor, discrepancy)
        if d.state != S.DELETION_CONFIRMED:
            return d  # another run recorded the deletion meanwhile
        if error:
            DiscrepancyEvent.objects.create(
                discrepancy=d,
                at=timezone.now(),
                state_before=d.state,
                state_after=d.state,
                actor_name=platform_actor_name(actor),
                note=_("Deletion failed: %(error)s") % {"error": error},
            )
            audit_record(
                actor=actor,
                action="reconciliation.discrepancy_delete",
                target=d,
                outcome=Outcome.FAILURE,
                message=_("Deleting %(ref)s from %(driver)s failed: %(error)s")
                % {"ref": ref, "driver": d.driver, "error": error},
            )
            return d
        return _apply(
            d,
            actor=actor,
            action="delete",
            after=S.DELETED,
            note=_("Deleted from the cloud."),
            message=_("%(ref)s deleted from %(driver)s after the owner confirmed.") % {"ref": ref, "driver": d.driver},
        )


def available_actions(actor: Actor, d: Discrepancy) -> list[str]:
    """The actions the actor may take on `d` now, in the suggested order (for pages and the API)."""
    from govcloud.core.permissions import has_any_role

    roles = {
        A.ADOPT: DECIDERS,
        A.OPEN_INCIDENT: INCIDENT_OPENERS,
        A.REQUEST_DELETION: DECIDERS,
        A.DISMISS: DECIDERS,
    }
    actions = []
    for action in (*SUGGESTED_ACTIONS[d.kind], A.CONFIRM_DELETION):
        states, kinds, _after = TRANSITIONS[action]
        if d.state not in states or d.kind not in kinds:
            continue
        allowed = may_confirm_deletion(actor, d) if action == A.CONFIRM_DELETION else has_any_role(actor, roles[action])
        if allowed:
            actions.append(action)
    return actions
