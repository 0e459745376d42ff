"""Small helpers shared by the security services."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext as _

from govcloud.core.actors import Actor, is_system
from govcloud.core.errors import StateConflict
from govcloud.core.permissions import require_role
from govcloud.core.scoping import Action, get_scoped_or_404


def actor_user(actor: Actor):
    """The user to store as a foreign key (None for SYSTEM)."""
    return None if is_system(actor) else actor


def locked(model: type[models.Model], actor: Actor, pk, action: str = Action.CHANGE):
    """The row, locked for the rest of the transaction, if it is in the actor's scope for
    `action` — else 404 exactly as for a missing row. Two people acting on the same record at once
    queue here, and the second sees the first one's result."""
    queryset = model.objects.select_for_update(of=("self",))
    return get_scoped_or_404(queryset, actor, action, pk=pk)


def require_transition(table: dict, state: str, action: str, actor: Actor, *, labels: tuple) -> str:
    """The state `action` leads to from `state` per the transitions `table`, after checking the
    actor's role. A move the table does not allow is a ValidationError naming the current state.
    `labels` are the TextChoices of the states and of the actions, for the message."""
    state_labels, action_labels = labels
    entry = table.get((state, action))
    if entry is None:
        raise StateConflict(
            _("You cannot %(action)s this while it is “%(state)s”.")
            % {"action": str(action_labels(action).label).lower(), "state": state_labels(state).label}
        )
    target, roles = entry
    require_role(actor, roles)
    return target
