"""Writing an application (业务申请表, Art. 8-9): the department's draft, its items checked against
the catalog (validate_spec, naming the allowed values), the monthly cost estimate from the price list
in force, the quota check, and the documents attached to it (the stamped form's scan)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govcloud.applications.models import (
    EDITABLE_STATES,
    FINAL_STATES,
    Application,
    ApplicationAction,
    ApplicationAttachment,
    ApplicationItem,
    ApplicationKind,
    ApplicationState,
    AttachmentKind,
    Environment,
    TerminationMode,
)
from govcloud.applications.services.common import DRAFTERS, audit, check_scope, event
from govcloud.audit.services import diff, snapshot
from govcloud.catalog.models import CatalogItem
from govcloud.catalog.selectors import monthly_estimate, price_list_on, prices_of
from govcloud.catalog.specs import add_units, money, quota_units, validate_spec
from govcloud.core.actors import Actor, is_system, platform_actor_name
from govcloud.core.permissions import require_role
from govcloud.core.scoping import Action
from govcloud.core.uploads import check_upload, private_path, remove_private, store_private
from govcloud.ledger.models import Resource, ResourceState
from govcloud.ledger.selectors import quota_excess
from govcloud.systems.models import InformationSystem

PHONE = re.compile(r"^\+?[0-9][0-9\- ()]{5,19}$")
MAX_QUANTITY = 100
MAX_ITEMS = 50
FIELDS = (
    "system",
    "purpose",
    "environment",
    "requested_date",
    "contact_name",
    "contact_phone",
    "quota_justification",
    "requested_ports",
    "termination_mode",
    "termination_date",
)
AUDITED = (
    "system",
    "purpose",
    "environment",
    "requested_date",
    "contact_name",
    "quota_justification",
    "requested_ports",
)
# "443/tcp, 8443": ports to open, each with an optional protocol.
PORT = re.compile(r"^(\d{1,5})(?:/(tcp|udp))?$", re.IGNORECASE)


def clean_ports(raw: str) -> str:
    """The requested ports, written one way ("443/TCP, 8080/TCP"); a ValueError names a bad one."""
    ports = []
    for part in re.split(r"[,，、;；\s]+", (raw or "").strip()):
        if not part:
            continue
        match = PORT.match(part)
        if not match or not 1 <= int(match.group(1)) <= 65535:
            raise ValueError(part)
        text = f"{int(match.group(1))}/{(match.group(2) or 'tcp').upper()}"
        if text not in ports:
            ports.append(text)
    return ", ".join(ports)


@dataclass
class ItemInput:
    """One row of the form: a catalog item with its quantity and spec (new resources), or an
    existing resource and its new spec (a change) or nothing more (a termination)."""

    catalog_item: CatalogItem | None = None
    quantity: int = 1
    spec: Mapping[str, Any] = field(default_factory=dict)
    target_resource: Resource | None = None
    needed_until: date | None = None


# --- One item ---------------------------------------------------------------------------------------


def change_spec(item: CatalogItem, spec: Mapping[str, Any], current: Mapping[str, Any]) -> dict[str, Any]:
    """A change may keep values the catalog has since retired (an old OS image), but may not choose
    a retired value anew."""
    try:
        return validate_spec(item, spec)
    except ValidationError as exc:
        remaining = {
            key: messages
            for key, messages in exc.message_dict.items()
            if not (key == "item" or (key in spec and str(spec[key]).strip() == str(current.get(key, ""))))
        }
        if remaining:
            raise ValidationError(remaining) from exc
    return validate_spec(item, spec, allow_retired=True)


def _same_department(a, b) -> bool:
    """A department and its own units are one department here (Art. 4): a unit's resource may serve
    the department's system and the other way round; another department's may not."""
    if a.pk == b.pk:
        return True
    return bool(a.path and b.path and (a.path.startswith(b.path) or b.path.startswith(a.path)))


def _open_claims(resource_ids: Iterable[int], exclude_application_id: int | None) -> set[int]:
    """Resources already named by another application still in progress."""
    qs = ApplicationItem.objects.filter(target_resource_id__in=list(resource_ids)).exclude(
        application__state__in=FINAL_STATES
    )
    if exclude_application_id:
        qs = qs.exclude(application_id=exclude_application_id)
    return set(qs.values_list("target_resource_id", flat=True))


def clean_item(
    *,
    kind: str,
    system: InformationSystem | None,
    row: ItemInput,
    today: date | None = None,
    exclude_application_id: int | None = None,
) -> dict[str, Any]:
    """The ApplicationItem fields for one row, or a ValidationError keyed by field (a spec's errors
    by dimension, naming the allowed values). The form calls it per row; the services for all."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    if row.needed_until is not None and row.needed_until < today:
        errors["needed_until"] = [_("The date is in the past.")]
    if kind == ApplicationKind.NEW:
        if row.catalog_item is None:
            raise ValidationError({"catalog_item": _("Choose an item of the catalog.")})
        if row.target_resource is not None:
            errors["target_resource"] = [_("New resources do not name an existing one.")]
        quantity = row.quantity or 0
        if not 1 <= quantity <= MAX_QUANTITY:
            errors["quantity"] = [_("The quantity must be between 1 and %(max)d.") % {"max": MAX_QUANTITY}]
        try:
            spec = validate_spec(row.catalog_item, row.spec or {})
        except ValidationError as exc:
            errors.update(exc.message_dict)
            spec = {}
        if errors:
            raise ValidationError(errors)
        return {
            "catalog_item": row.catalog_item,
            "quantity": quantity,
            "spec": spec,
            "target_resource": None,
            "current_spec": None,
            "needed_until": row.needed_until,
        }

    resource = row.target_resource
    if resource is None:
        raise ValidationError({"target_resource": _("Choose the resource.")})
    if resource.state != ResourceState.IN_SERVICE:
        raise ValidationError({"target_resource": _("%(code)s is not in service.") % {"code": resource.code}})
    if system is not None:
        if not _same_department(resource.organization, system.organization):
            raise ValidationError(
                {"target_resource": _("%(code)s belongs to another organization.") % {"code": resource.code}}
            )
        if resource.system_id and resource.system_id != system.pk:
            raise ValidationError(
                {"target_resource": _("%(code)s serves another information system.") % {"code": resource.code}}
            )
    if _open_claims([resource.pk], exclude_application_id):
        raise ValidationError(
            {"target_resource": _("%(code)s is already in another application in progress.") % {"code": resource.code}}
        )
    item = resource.catalog_item
    if row.catalog_item is not None and row.catalog_item.pk != item.pk:
        errors["catalog_item"] = [_("The item is the resource's own.")]
    if (row.quantity or 1) != 1:
        errors["quantity"] = [_("A change or termination concerns one resource.")]
    current = dict(resource.spec or {})
    if kind == ApplicationKind.TERMINATION:
        if errors:
            raise ValidationError(errors)
        return {
            "catalog_item": item,
            "quantity": 1,
            "spec": current,
            "target_resource": resource,
            "current_spec": current,
            "needed_until": None,
        }
    try:
        spec = change_spec(item, {**current, **dict(row.spec or {})}, current)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        spec = current
    if not errors and spec == current and row.needed_until is None:
        errors["spec"] = [_("Nothing changes: change the specification or extend the term.")]
    if errors:
        raise ValidationError(errors)
    return {
        "catalog_item": item,
        "quantity": 1,
        "spec": spec,
        "target_resource": resource,
        "current_spec": current,
        "needed_until": row.needed_until,
    }


def _clean_items(kind: str, system, rows: list[ItemInput], exclude_application_id=None) -> list[dict[str, Any]]:
    if not rows:
        raise ValidationError({"items": [_("Add at least one item.")]})
    if len(rows) > MAX_ITEMS:
        raise ValidationError({"items": [_("At most %(n)d items in one application.") % {"n": MAX_ITEMS}]})
    cleaned, messages, seen = [], [], set()
    for number, row in enumerate(rows, start=1):
        try:
            values = clean_item(kind=kind, system=system, row=row, exclude_application_id=exclude_application_id)
        except ValidationError as exc:
            for errors in exc.message_dict.values():
                messages += [_("Item %(n)d: %(message)s") % {"n": number, "message": e} for e in errors]
            continue
        resource = values["target_resource"]
        if resource is not None:
            if resource.pk in seen:
                messages.append(_("Item %(n)d: %(code)s is listed twice.") % {"n": number, "code": resource.code})
            seen.add(resource.pk)
        cleaned.append(values)
    if messages:
        raise ValidationError({"items": messages})
    return cleaned


# --- Money and quota ---------------------------------------------------------------------------------


def estimate(kind: str, items: list[dict[str, Any]], *, on: date | None = None) -> tuple[list[Decimal], Decimal]:
    """Each item's monthly cost at the prices in force (one query for the prices), and the total. A
    change costs its new spec; a termination costs nothing more."""
    prices = prices_of(price_list_on(on))
    amounts = []
    for values in items:
        if kind == ApplicationKind.TERMINATION:
            amounts.append(Decimal("0.00"))
            continue
        amounts.append(
            monthly_estimate(values["catalog_item"], values["spec"], values["quantity"], on=on, prices=prices)
        )
    return amounts, money(sum(amounts, Decimal(0)))


def current_costs(items: list[dict[str, Any]], *, on: date | None = None) -> list[Decimal]:
    """What each changed or terminated resource costs a month now (its current spec at the prices
    in force): the "before" of a change's cost, the saving of a termination."""
    prices = prices_of(price_list_on(on))
    return [
        monthly_estimate(values["catalog_item"], values["current_spec"], 1, on=on, prices=prices)
        if values.get("current_spec") is not None
        else Decimal("0.00")
        for values in items
    ]


def additional_units(kind: str, items: list[dict[str, Any]]) -> dict[str, Decimal]:
    """What the application adds to the department's use, in quota units (vcpu, memory_gb, ...;
    `catalog.specs.quota_units`): a change counts only what grows, a termination nothing."""
    if kind == ApplicationKind.TERMINATION:
        return {}
    parts = []
    for values in items:
        after = quota_units(values["catalog_item"], values["spec"], values["quantity"])
        if values["current_spec"]:
            before = quota_units(values["catalog_item"], values["current_spec"], 1)
            after = {key: max(amount - before.get(key, Decimal(0)), Decimal(0)) for key, amount in after.items()}
        parts.append(after)
    return {key: amount for key, amount in add_units(*parts).items() if amount > 0}


def quota_messages(organization, units: dict[str, Decimal]) -> list[str]:
    """The quota limits the application would exceed (highlighted for the center; a justification
    is then required)."""
    if not units:
        return []
    return [str(m) for m in quota_excess(organization=organization, additional_units=units)]


# --- The application ----------------------------------------------------------------------------------


def _clean_fields(kind: str, values: dict[str, Any], actor: Actor) -> dict[str, Any]:
    errors: dict[str, str] = {}
    today = timezone.localdate()
    system = values.get("system")
    if system is None:
        errors["system"] = _("Choose the information system the resources serve.")
    else:
        if (
            not is_system(actor)
            and not InformationSystem.objects.restrict(actor, Action.CHANGE).filter(pk=system.pk).exists()
        ):
            errors["system"] = _("Choose one of your own department's information systems.")
        elif system.classified:
            errors["system"] = _("A classified (涉密) system is not deployed on the platform (Art. 3).")
        elif not system.is_active:
            errors["system"] = _("The system is retired.")
    purpose = (values.get("purpose") or "").strip()
    if len(purpose) < 2:
        errors["purpose"] = _("Say what the resources are for.")
    values["purpose"] = purpose[:4000]
    if values.get("environment") not in Environment.values:
        errors["environment"] = _("Choose production or test.")
    values["contact_name"] = (values.get("contact_name") or "").strip()
    if not values["contact_name"]:
        errors["contact_name"] = _("Name the contact person.")
    elif len(values["contact_name"]) > 60:
        errors["contact_name"] = _("At most 60 characters.")
    values["contact_phone"] = (values.get("contact_phone") or "").strip()
    if not PHONE.match(values["contact_phone"]):
        errors["contact_phone"] = _("Enter a phone number (digits, spaces, - and parentheses).")
    requested = values.get("requested_date")
    if requested is not None and requested < today:
        errors["requested_date"] = _("The date is in the past.")
    values["quota_justification"] = (values.get("quota_justification") or "").strip()
    try:
        values["requested_ports"] = clean_ports(values.get("requested_ports") or "")
    except ValueError as exc:
        errors["requested_ports"] = _("“%(port)s” is not a port: write e.g. 443/TCP, 8080/TCP.") % {"port": exc.args[0]}
    else:
        if len(values["requested_ports"]) > 200:
            errors["requested_ports"] = _("At most 200 characters.")
    if kind == ApplicationKind.TERMINATION:
        if values.get("termination_mode") not in TerminationMode.values:
            errors["termination_mode"] = _("Say whether the data is handed back or destroyed (certified).")
        day = values.get("termination_date")
        if day is None:
            errors["termination_date"] = _("Give the termination date.")
        elif day < today:
            errors["termination_date"] = _("The date is in the past.")
    else:
        values["termination_mode"] = ""
        values["termination_date"] = None
    if kind == ApplicationKind.TERMINATION:
        values["requested_ports"] = ""
    if errors:
        raise ValidationError(errors)
    return values


def _next_number(year: int) -> str:
    head = f"SQ-{year}-"
    last = (
        Application.objects.filter(number__startswith=head).order_by("-number").values_list("number", flat=True).first()
    )
    return f"{head}{(int(last.rsplit('-', 1)[1]) + 1) if last else 1:05d}"


def _store_items(application: Application, kind: str, items: list[dict[str, Any]]) -> None:
    amounts, total = estimate(kind, items)
    application.items.all().delete()
    ApplicationItem.objects.bulk_create(
        [
            ApplicationItem(application=application, monthly_estimate=amount, **values)
            for values, amount in zip(items, amounts, strict=True)
        ]
    )
    messages = quota_messages(application.organization, additional_units(kind, items))
    application.monthly_estimate = total
    application.quota_messages = messages
    application.exceeds_quota = bool(messages)


def _items_summary(items: list[dict[str, Any]]) -> str:
    return "; ".join(
        f"{v['catalog_item'].name} × {v['quantity']}"
        + (f" ({v['target_resource'].code})" if v["target_resource"] is not None else "")
        for v in items
    )


def application_create(
    *,
    actor: Actor,
    kind: str = ApplicationKind.NEW,
    items: list[ItemInput],
    on_behalf_of=None,
    **fields: Any,
) -> Application:
    """A draft the department fills in online (Art. 9). It goes nowhere until submitted.

    The platform (SYSTEM) drafts one for a department to confirm (a termination at the end of the
    term, waste control): `on_behalf_of` is then the department's person the draft belongs to."""
    require_role(actor, DRAFTERS)
    if is_system(actor) and on_behalf_of is None:
        raise TypeError("the platform drafts an application on behalf of a department's person")
    owner = on_behalf_of if is_system(actor) else actor
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    if kind not in ApplicationKind.values:
        raise ValidationError({"kind": _("Unknown application type.")})
    values = {name: fields.get(name) for name in FIELDS}
    errors: dict[str, Any] = {}
    try:
        values = _clean_fields(kind, values, actor)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        cleaned = _clean_items(kind, values.get("system"), list(items))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    system = values.pop("system")
    with transaction.atomic():
        year = timezone.localdate().year
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    application = Application.objects.create(
                        number=_next_number(year),
                        kind=kind,
                        organization=system.organization,
                        system=system,
                        created_by=owner,
                        **{k: v for k, v in values.items() if v is not None},
                    )
                break
            except IntegrityError:  # a concurrent draft took the number
                continue
        else:  # pragma: no cover
            raise ValidationError(_("Could not number the application; try again."))
        _store_items(application, kind, cleaned)
        application.save()
        event(application, actor, ApplicationAction.CREATE, to_state=application.state, comment=_items_summary(cleaned))
        audit(
            actor=actor,
            action="application.create",
            application=application,
            changes={
                "kind": [None, kind],
                "items": [None, _items_summary(cleaned)],
                "monthly_estimate": [None, str(application.monthly_estimate)],
            },
        )
    return application


def _lock(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("organization", "system", "created_by")
        .get(pk=application.pk)
    )


def application_update(
    *, actor: Actor, application: Application, items: list[ItemInput] | None = None, **fields
) -> Application:
    """Edit a draft, or correct a returned application (退回补正). `items`, when given, replace the
    application's items."""
    check_scope(actor, Application, application.pk, Action.VIEW)
    require_role(actor, DRAFTERS)
    check_scope(actor, Application, application.pk, Action.CHANGE)
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    with transaction.atomic():
        row = _lock(application)
        if row.state not in EDITABLE_STATES:
            raise ValidationError(
                _("The application is “%(state)s”: it can no longer be edited.")
                % {"state": ApplicationState(row.state).label}
            )
        before = snapshot(row, AUDITED + ("monthly_estimate",))
        values = {name: fields.get(name, getattr(row, name)) for name in FIELDS}
        errors: dict[str, Any] = {}
        try:
            values = _clean_fields(row.kind, values, actor)
        except ValidationError as exc:
            errors.update(exc.message_dict)
        cleaned = None
        if items is not None:
            try:
                cleaned = _clean_items(row.kind, values.get("system"), list(items), exclude_application_id=row.pk)
            except ValidationError as exc:
                errors.update(exc.message_dict)
        if errors:
            raise ValidationError(errors)
        system = values.pop("system")
        if system.organization_id != row.organization_id:
            row.organization = system.organization
        row.system = system
        for name, value in values.items():
            setattr(row, name, value if value is not None or name.endswith("date") else "")
        if cleaned is not None:
            _store_items(row, row.kind, cleaned)
        row.save()
        changes = diff(before, snapshot(row, AUDITED + ("monthly_estimate",))) or {}
        if cleaned is not None:
            changes["items"] = [None, _items_summary(cleaned)]
        event(row, actor, ApplicationAction.UPDATE, comment=_items_summary(cleaned) if cleaned is not None else "")
        audit(actor=actor, action="application.update", application=row, changes=changes or None)
    return row


# --- Documents ---------------------------------------------------------------------------------------

ATTACHABLE_STATES = frozenset({ApplicationState.DRAFT, ApplicationState.AWAITING_SIGNOFF, ApplicationState.RETURNED})


def attachment_add(
    *, actor: Actor, application: Application, upload, kind: str = AttachmentKind.STAMPED_FORM
) -> ApplicationAttachment:
    """Attach the stamped form's scan (or another document): PDF, PNG or JPEG by content, no larger
    than the policy allows, stored outside the web root. A refused file changes nothing."""
    check_scope(actor, Application, application.pk, Action.VIEW)
    require_role(actor, DRAFTERS)
    check_scope(actor, Application, application.pk, Action.CHANGE)
    if kind not in AttachmentKind.values:
        raise ValidationError({"kind": _("Unknown kind of document.")})
    file_type = check_upload(upload, field="file")
    with transaction.atomic():
        row = _lock(application)
        if row.state not in ATTACHABLE_STATES:
            raise ValidationError(_("Documents are attached before the application goes to the center."))
        stored = store_private(upload, folder=f"applications/{timezone.localdate():%Y}", file_type=file_type)
        try:
            attachment = ApplicationAttachment.objects.create(
                application=row,
                kind=kind,
                original_name=stored.original_name,
                stored_path=stored.relative_path,
                content_type=file_type.content_type,
                size=stored.size,
                sm3=stored.sm3,
                uploaded_by_name=platform_actor_name(actor),
            )
            event(row, actor, ApplicationAction.ATTACH, comment=f"{AttachmentKind(kind).label}: {stored.original_name}")
            audit(
                actor=actor,
                action="application.attach",
                application=row,
                message=f"{stored.original_name} ({stored.size} bytes, SM3 {stored.sm3[:16]}…)",
            )
        except BaseException:
            remove_private(stored.relative_path)
            raise
    return attachment


def attachment_open(*, actor: Actor, attachment: ApplicationAttachment) -> Path:
    """The file to send; every download is an audit event on the application."""
    application = attachment.application
    check_scope(actor, Application, application.pk, Action.VIEW)
    path = private_path(attachment.stored_path)
    audit(
        actor=actor,
        action="application.attachment_download",
        application=application,
        message=f"{attachment.original_name} ({attachment.size} bytes)",
    )
    return path
