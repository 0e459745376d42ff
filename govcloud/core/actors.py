"""Who performs an action. Services always take an actor explicitly, so that audit is never
skipped: a person (a user) or `SYSTEM` for tasks, commands and the scheduler.

Core is the floor every app stands on and imports none of them: it knows the user model only as
settings.AUTH_USER_MODEL (models) and as the `Person` protocol below (type hints)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from django.utils.translation import gettext as _

from govcloud.core.roles import Role


class Person(Protocol):
    """A signed-in person (settings.AUTH_USER_MODEL, organizations.User), as core uses one."""

    pk: Any
    is_authenticated: bool
    is_active: bool
    organization: Any  # organizations.Organization, or None

    @property
    def roles(self) -> frozenset[Role]: ...

    def get_username(self) -> str: ...


@dataclass(frozen=True)
class SystemActor:
    """The platform itself. It passes role checks: a scheduled job acts on the rules' behalf."""

    username: str = "system"
    pk: None = None
    is_system: bool = True
    is_authenticated: bool = True

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset()

    def __str__(self) -> str:
        return self.username


SYSTEM = SystemActor()

Actor = Person | SystemActor


def is_system(actor: object) -> bool:
    return isinstance(actor, SystemActor)


def actor_name(actor: Actor, *, system_name: str | None = None) -> str:
    """The name kept with a record (timeline entries, "by" columns) so that it reads the same after the
    account is renamed or removed: the person's full name or username (cut to the 150 characters of
    the "by" columns), or for SYSTEM `system_name`, "System" if not given. The apps pass what they
    have always stored for it, so that old and new rows agree: some timelines name it "Platform"
    (平台), catalog and ledger SYSTEM's username "system"."""
    if is_system(actor):
        return _("System") if system_name is None else system_name
    return (getattr(actor, "full_name", "") or actor.get_username())[:150]


def platform_actor_name(actor: Actor) -> str:
    """`actor_name` for the records that have always named SYSTEM "Platform" (平台) rather than
    "System": the application, work-order, waste, exemption and reconciliation timelines, so that
    their old and new rows agree."""
    return actor_name(actor, system_name=_("Platform"))


def actor_roles(actor: object) -> frozenset[Role]:
    """The roles of a person, or none for SYSTEM and anonymous users."""
    if actor is None or is_system(actor) or not getattr(actor, "is_authenticated", False):
        return frozenset()
    return actor.roles
