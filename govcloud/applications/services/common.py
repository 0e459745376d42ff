"""Plumbing shared by the application services: names, links, scope, audit and who to notify."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.urls import reverse

from govcloud.applications.models import Application, ApplicationEvent
from govcloud.audit.services import audit_record
from govcloud.core.actors import Actor, is_system, platform_actor_name
from govcloud.core.roles import Role
from govcloud.core.scoping import Action, OutOfScope
from govcloud.notifications.services import notify, users_with_roles

DRAFTERS = frozenset({Role.DEPARTMENT_APPLICANT, Role.DEPARTMENT_HEAD})
CENTER = frozenset({Role.CENTER_REVIEWER, Role.CENTER_ADMIN})


# The platform's own steps (SYSTEM) have always been recorded here as "Platform" (平台), not
# core's "System": hence platform_actor_name(actor).


def link(application: Application) -> str:
    return reverse("applications:application_detail", kwargs={"pk": application.pk})


def check_scope(actor: Actor, model: type[models.Model], pk: Any, action: str = Action.VIEW) -> None:
    """404 (like a missing object) unless `actor` may see/change the row: every caller (page, API,
    task) gets the same rule."""
    if is_system(actor):
        return
    if not model.objects.restrict(actor, action).filter(pk=pk).exists():
        raise OutOfScope(model, {"pk": pk}, model._default_manager.filter(pk=pk).exists())


def audit(*, actor: Actor, action: str, application: Application, changes=None, message: str = "", target=None):
    return audit_record(
        actor=actor,
        action=action,
        target=target or application,
        changes=changes,
        message=message,
        subject_organization_path=application.organization.path,
    )


def event(
    application: Application, actor: Actor, action: str, *, from_state: str = "", to_state: str = "", comment: str = ""
) -> ApplicationEvent:
    return ApplicationEvent.objects.create(
        application=application,
        actor=None if is_system(actor) else actor,
        actor_name=platform_actor_name(actor),
        action=action,
        from_state=from_state,
        to_state=to_state,
        comment=comment,
    )


def department_people(application: Application, roles=DRAFTERS):
    """Holders of `roles` in the application's organization and the organizations above it (a
    department sees and acts for its units), never the city at the root."""
    ids = [int(x) for x in application.organization.path.strip("/").split("/") if x]
    return users_with_roles(roles).filter(organization_id__in=ids, organization__depth__gt=0)


def creator_and(application: Application, roles) -> list:
    people = list(department_people(application, roles))
    if application.created_by_id and application.created_by.is_active:
        people.append(application.created_by)
    return people


def center_people(roles=CENTER):
    return users_with_roles(roles)


def provider_operators():
    return users_with_roles({Role.PROVIDER_OPERATOR})


def tell(recipients, application: Application, kind: str, title: str, **kwargs) -> int:
    return notify(recipients=list(recipients), kind=kind, title=title, link=link(application), **kwargs)
