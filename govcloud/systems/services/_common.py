"""Helpers shared by the systems services: who may write a system's records, audit and
notification plumbing."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from govcloud.audit.services import audit_record
from govcloud.core.actors import Actor, is_system
from govcloud.core.permissions import require_role
from govcloud.core.roles import Role
from govcloud.core.scoping import Action, OutOfScope
from govcloud.notifications.services import notify, users_with_roles
from govcloud.systems.models import REGISTRY_WRITERS, SYSTEM_EDITORS, InformationSystem

PHONE = re.compile(r"^\+?[0-9][0-9\- ()]{5,19}$")


def check_scope(actor: Actor, model: type[models.Model], pk: Any, action: str = Action.CHANGE) -> None:
    """404 (like a missing object) unless `actor` may act on the row: services check the scope
    themselves too, so every caller (page, API, task) gets the same rule."""
    if is_system(actor):
        return
    if not model.objects.restrict(actor, action).filter(pk=pk).exists():
        raise OutOfScope(model, {"pk": pk}, model._default_manager.filter(pk=pk).exists())


def check_system_writable(actor: Actor, system: InformationSystem) -> None:
    """The department's people for their own systems (and their units'), the center admin for any."""
    require_role(actor, REGISTRY_WRITERS)
    check_scope(actor, InformationSystem, system.pk)


def lock_system(system: InformationSystem) -> InformationSystem:
    return InformationSystem.objects.select_for_update(of=("self",)).select_related("organization").get(pk=system.pk)


def refuse_if_classified(system: InformationSystem) -> None:
    if system.classified:
        raise ValidationError(
            _(
                "This is a classified (涉密) system: it is recorded by name only, and nothing else may be recorded "
                "for it here (Art. 3)."
            )
        )


def audit(
    *,
    actor: Actor,
    action: str,
    target: models.Model,
    system: InformationSystem,
    changes: dict | None = None,
    message: str = "",
):
    """An audit event about one of a system's records, filed under the owning organization so that
    the department's security officer sees it too."""
    return audit_record(
        actor=actor,
        action=action,
        target=target,
        changes=changes,
        message=message,
        subject_organization_path=system.organization.path,
    )


def department_people(system: InformationSystem):
    """The department users responsible for a system: editors of its organization and of the
    organizations above it (a department sees its units' systems)."""
    ids = [int(x) for x in system.organization.path.strip("/").split("/") if x]
    return users_with_roles(SYSTEM_EDITORS).filter(organization_id__in=ids, organization__depth__gt=0)


def center_admins():
    return users_with_roles({Role.CENTER_ADMIN})


def notify_people(*, recipients, **kwargs) -> int:
    return notify(recipients=list(recipients), **kwargs)
