"""Registering and editing information systems (Art. 3, 6, 16).

A classified (涉密) system is recorded by name and flag only: these services refuse every other
detail for it, and the database's check constraint backs them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from govcloud.audit.services import SENSITIVE_MASK, created, diff, snapshot
from govcloud.core.actors import Actor, is_system
from govcloud.core.permissions import has_any_role, require_role
from govcloud.core.roles import Role
from govcloud.organizations.models import Organization, OrganizationKind
from govcloud.systems.models import (
    REGISTRY_WRITERS,
    HostingStatus,
    InformationSystem,
    ResponsibleDuty,
    ResponsiblePerson,
)
from govcloud.systems.services._common import PHONE, audit, check_system_writable, lock_system

# Everything but the name and the flag: what a classified system never has.
DETAIL_FIELDS = (
    "purpose",
    "hosting_status",
    "planned_migration_date",
    "users_served",
    "internet_facing",
    "holds_personal_information",
    "holds_important_data",
    "protection_level",
)
EMPTY_DETAILS: dict[str, Any] = {
    "purpose": "",
    "hosting_status": "",
    "planned_migration_date": None,
    "users_served": "",
    "internet_facing": False,
    "holds_personal_information": False,
    "holds_important_data": False,
    "protection_level": None,
}
AUDITED_FIELDS = ("organization", "name", "classified", *DETAIL_FIELDS, "is_active")

# {duty: {"name": ..., "phone": ...}} for the three people of Art. 16.
People = Mapping[str, Mapping[str, str]]


def _is_empty(name: str, value: Any) -> bool:
    return value in (None, "", False) or value == EMPTY_DETAILS.get(name)


def _check_organization(actor: Actor, organization: Organization) -> None:
    """A system belongs to a department or one of its units; department users register systems
    of their own organization and its units only."""
    if organization.kind != OrganizationKind.DEPARTMENT or organization.depth == 0:
        raise ValidationError({"organization": _("A system belongs to a department or one of its units.")})
    if is_system(actor) or has_any_role(actor, {Role.CENTER_ADMIN}):
        return
    own = actor.organization
    if own is None or not organization.path.startswith(own.path):
        raise ValidationError({"organization": _("Choose your own organization or one of its units.")})


def _refuse_details_for_classified(details: Mapping[str, Any], people: People | None) -> None:
    offered = sorted(name for name, value in details.items() if not _is_empty(name, value))
    if people and any((p.get("name") or p.get("phone")) for p in people.values()):
        offered.append("responsible_people")
    if offered:
        raise ValidationError(
            {
                name: _(
                    "A classified (涉密) system is recorded by its name only (Art. 3); leave this empty and keep the "
                    "details in the department's classified records."
                )
                for name in offered
            }
        )


def _check_details(values: Mapping[str, Any], *, was_exempted: bool) -> None:
    errors: dict[str, str] = {}
    status = values.get("hosting_status") or ""
    if status not in HostingStatus.values:
        errors["hosting_status"] = _("Choose where the system runs.")
    elif status == HostingStatus.EXEMPTED and not was_exempted:
        errors["hosting_status"] = _(
            "A system is exempted from migration only by an approved exemption request (Art. 3); request one."
        )
    if status == HostingStatus.MIGRATING and not values.get("planned_migration_date"):
        errors["planned_migration_date"] = _("Give the planned migration date of a system being migrated.")
    level = values.get("protection_level")
    if level is not None and not (isinstance(level, int) and 1 <= level <= 5):
        errors["protection_level"] = _("The protection level is 1 to 5.")
    if len(values.get("users_served") or "") > 200:
        errors["users_served"] = _("At most 200 characters.")
    if errors:
        raise ValidationError(errors)


def _clean_people(people: People | None, *, required: bool) -> dict[str, dict[str, str]]:
    """The three responsible people (Art. 16), each with a name and a phone number."""
    people = people or {}
    unknown = set(people) - set(ResponsibleDuty.values)
    if unknown:
        raise ValidationError({"responsible_people": _("Unknown duty: %(duty)s.") % {"duty": sorted(unknown)[0]}})
    cleaned: dict[str, dict[str, str]] = {}
    errors: dict[str, str] = {}
    for duty in ResponsibleDuty:
        entry = people.get(duty.value)
        if entry is None:
            if required:
                errors[f"{duty.value}_name"] = _("Name the %(duty)s (Art. 16).") % {"duty": duty.label.lower()}
            continue
        name = (entry.get("name") or "").strip()
        phone = (entry.get("phone") or "").strip()
        if not name:
            errors[f"{duty.value}_name"] = _("Name the %(duty)s (Art. 16).") % {"duty": duty.label.lower()}
        elif len(name) > 60:
            errors[f"{duty.value}_name"] = _("At most 60 characters.")
        if not PHONE.match(phone):
            errors[f"{duty.value}_phone"] = _("Enter a phone number (digits, with an optional area code).")
        cleaned[duty.value] = {"name": name, "phone": phone}
    manager = cleaned.get(ResponsibleDuty.SYSTEM_MANAGER.value)
    auditor = cleaned.get(ResponsibleDuty.SECURITY_AUDITOR.value)
    if manager and auditor and manager == auditor:
        # The auditor checks what the manager does (Art. 16, separation of duties).
        errors[f"{ResponsibleDuty.SECURITY_AUDITOR.value}_name"] = _(
            "The security auditor must be someone other than the system manager."
        )
    if errors:
        raise ValidationError(errors)
    return cleaned


def _people_changes(before: Mapping[str, tuple[str, str]], after: Mapping[str, tuple[str, str]]) -> dict:
    """Audit changes for the responsible people: names in clear, phone numbers masked."""
    changes: dict[str, list] = {}
    for duty in sorted(set(before) | set(after)):
        old_name, old_phone = before.get(duty, ("", ""))
        new_name, new_phone = after.get(duty, ("", ""))
        if old_name != new_name:
            changes[f"{duty}.name"] = [old_name, new_name]
        if old_phone != new_phone:
            changes[f"{duty}.phone"] = [SENSITIVE_MASK if old_phone else "", SENSITIVE_MASK if new_phone else ""]
    return changes


def _save_people(system: InformationSystem, people: Mapping[str, Mapping[str, str]]) -> dict:
    existing = {p.duty: p for p in ResponsiblePerson.objects.filter(system=system)}
    before = {duty: (p.name, p.phone) for duty, p in existing.items()}
    for duty, entry in people.items():
        person = existing.get(duty) or ResponsiblePerson(system=system, duty=duty)
        if person.pk is None or (person.name, person.phone) != (entry["name"], entry["phone"]):
            person.name, person.phone = entry["name"], entry["phone"]
            person.save()
    after = {**before, **{duty: (e["name"], e["phone"]) for duty, e in people.items()}}
    return _people_changes(before, after)


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the system's name.")})
    if len(name) > 200:
        raise ValidationError({"name": _("At most 200 characters.")})
    return name


def _save_unique(system: InformationSystem) -> None:
    if (
        InformationSystem.objects.filter(organization=system.organization, name=system.name)
        .exclude(pk=system.pk)
        .exists()
    ):
        raise ValidationError({"name": _("This organization already has a system with this name.")})
    try:
        with transaction.atomic():
            system.save()
    except IntegrityError as exc:
        # A concurrent registration of the same name; any other integrity error is a bug.
        if InformationSystem.objects.filter(organization=system.organization, name=system.name).exists():
            raise ValidationError({"name": _("This organization already has a system with this name.")}) from exc
        raise


def system_create(
    *,
    actor: Actor,
    organization: Organization,
    name: str,
    classified: bool = False,
    responsible_people: People | None = None,
    **details: Any,
) -> InformationSystem:
    """Register a system. A classified one takes its name only; any other one needs where it runs
    and its three responsible people (Art. 16)."""
    require_role(actor, REGISTRY_WRITERS)
    unknown = set(details) - set(DETAIL_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    _check_organization(actor, organization)
    name = _check_name(name)
    if classified:
        _refuse_details_for_classified(details, responsible_people)
        values = dict(EMPTY_DETAILS)
        people: dict = {}
    else:
        values = {**EMPTY_DETAILS, **details}
        values["purpose"] = (values["purpose"] or "").strip()
        values["users_served"] = (values["users_served"] or "").strip()
        _check_details(values, was_exempted=False)
        people = _clean_people(responsible_people, required=True)
    with transaction.atomic():
        system = InformationSystem(organization=organization, name=name, classified=bool(classified), **values)
        _save_unique(system)
        person_changes = _save_people(system, people) if people else {}
        audit(
            actor=actor,
            action="system.create",
            target=system,
            system=system,
            changes={**created(system, AUDITED_FIELDS), **person_changes},
        )
    return system


def system_update(
    *, actor: Actor, system: InformationSystem, responsible_people: People | None = None, **fields: Any
) -> InformationSystem:
    """Change a system's registration. The classification is fixed at registration; a classified
    system's name (and owning unit) is all that can change."""
    check_system_writable(actor, system)
    allowed = {"name", "organization", "classified", *DETAIL_FIELDS}
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    with transaction.atomic():
        system = lock_system(system)
        if "classified" in fields and bool(fields.pop("classified")) != system.classified:
            raise ValidationError(
                {
                    "classified": _(
                        "The classification is fixed at registration. Retire this record and register the system "
                        "again if it changed."
                    )
                }
            )
        before = snapshot(system, AUDITED_FIELDS)
        if "organization" in fields and fields["organization"] != system.organization:
            _check_organization(actor, fields["organization"])
            system.organization = fields.pop("organization")
        else:
            fields.pop("organization", None)
        if "name" in fields:
            system.name = _check_name(fields.pop("name"))
        details = {k: v for k, v in fields.items() if k in DETAIL_FIELDS}
        person_changes: dict = {}
        if system.classified:
            _refuse_details_for_classified(details, responsible_people)
        else:
            was_exempted = system.hosting_status == HostingStatus.EXEMPTED
            values = {name: getattr(system, name) for name in DETAIL_FIELDS}
            values.update(details)
            for text in ("purpose", "users_served"):
                values[text] = (values[text] or "").strip()
            _check_details(values, was_exempted=was_exempted and values["hosting_status"] == HostingStatus.EXEMPTED)
            for key, value in values.items():
                setattr(system, key, value)
            if responsible_people is not None:
                person_changes = _save_people(system, _clean_people(responsible_people, required=True))
        _save_unique(system)
        changes = {**diff(before, snapshot(system, AUDITED_FIELDS)), **person_changes}
        if changes:
            audit(actor=actor, action="system.update", target=system, system=system, changes=changes)
    return system


def system_set_active(*, actor: Actor, system: InformationSystem, active: bool) -> InformationSystem:
    """Retire a system that no longer runs (or bring it back); its records stay."""
    check_system_writable(actor, system)
    with transaction.atomic():
        system = lock_system(system)
        if system.is_active == active:
            return system
        system.is_active = active
        system.save(update_fields=["is_active", "updated_at"])
        audit(
            actor=actor,
            action="system.reactivate" if active else "system.retire",
            target=system,
            system=system,
            changes={"is_active": [not active, active]},
        )
    return system
