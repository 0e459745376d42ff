"""Who performs an action. Services always take an actor explicitly, so that audit is never
skipped: a person (a `User`) or `SYSTEM` for tasks, commands and the scheduler."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Union

from govcloud.core.roles import Role

if TYPE_CHECKING:
    from govcloud.organizations.models import User


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

Actor = Union["User", SystemActor]


def is_system(actor: object) -> bool:
    return isinstance(actor, SystemActor)


def actor_roles(actor: object) -> frozenset[Role]:
    """The roles of a person, or none for SYSTEM and anonymous users."""
    if actor is None or is_system(actor) or not getattr(actor, "is_authenticated", False):
        return frozenset()
    return actor.roles
