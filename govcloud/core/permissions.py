"""Role checks for services. A role check failing raises PermissionDenied (403) — used where the
object is in the user's scope but the action belongs to another role."""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from govcloud.core.actors import actor_roles, is_system
from govcloud.core.roles import Role


def has_any_role(actor, roles: Iterable[Role]) -> bool:
    return is_system(actor) or bool(actor_roles(actor) & set(roles))


def require_role(actor, roles: Iterable[Role]) -> None:
    """Raise PermissionDenied unless `actor` holds one of `roles` (SYSTEM always may)."""
    roles = frozenset(roles)
    if not has_any_role(actor, roles):
        labels = " / ".join(sorted(str(Role(r).label) for r in roles))
        raise PermissionDenied(_("This action requires one of these roles: %(roles)s.") % {"roles": labels})
