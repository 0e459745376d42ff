"""The one permission mechanism for department-owned data.

Every model holding data that belongs to an organization declares a `ScopePolicy` and uses
`ScopedManager`; every read goes through `Model.objects.restrict(user, action)` and every single
object through `get_scoped_or_404`. An object outside the user's scope answers 404 exactly like
one that does not exist (Zulip's `access_*_by_id`), and the attempt is recorded as a denial.

The rules, in one place:
- roles in `see_all[action]` see every row (the center, or finance for bills);
- department roles see rows of their own organization and its units (Art. 4 tree), found by the
  organization's materialized path;
- `extra` adds model-specific rows (a provider operator's work orders, an expert's reviews,
  a user's own tokens and jobs);
- everyone else sees nothing. Anonymous users see nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Q
from django.http import Http404

from govcloud.core.actors import Person, actor_roles, is_system
from govcloud.core.roles import DEPARTMENT_ROLES, Role


class Action(models.TextChoices):
    VIEW = "view", "view"
    CHANGE = "change", "change"


_NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class ScopePolicy:
    # Lookup from the model to the owning organization's `path` (e.g. "organization__path",
    # "path" for Organization itself, or a denormalized text field). None: no organization owner.
    org_path: str | None = "organization__path"
    # Roles that see every row, per action.
    see_all: Mapping[str, frozenset[Role]] = field(default_factory=dict)
    # Roles limited to their own organization's subtree, per action (default: department roles
    # may view and change their own organization's data).
    own_org: Mapping[str, frozenset[Role]] = field(
        default_factory=lambda: {Action.VIEW: DEPARTMENT_ROLES, Action.CHANGE: DEPARTMENT_ROLES}
    )
    # Model-specific grants: a function of (user, action) returning a Q, or None for nothing more.
    extra: Callable[[Any, str], Q | None] | None = None

    def q_for(self, user: Person, action: str) -> Q | None:
        """The filter for `user`, or None when the user sees every row."""
        roles = actor_roles(user)
        if roles & self.see_all.get(action, frozenset()):
            return None
        q = _NOTHING
        if self.org_path and roles & self.own_org.get(action, frozenset()):
            org = getattr(user, "organization", None)
            if org is not None and org.path:
                q = q | Q(**{f"{self.org_path}__startswith": org.path})
        if self.extra is not None:
            more = self.extra(user, action)
            if more is not None:
                q = q | more
        return q


class ScopedQuerySet(models.QuerySet):
    def restrict(self, user: Person | None, action: str = Action.VIEW) -> ScopedQuerySet:
        """Only the rows `user` may see (or change) — see the module docstring."""
        if user is None:
            return self.none()
        if is_system(user):
            return self
        if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
            return self.none()
        policy: ScopePolicy = self.model.scope_policy
        q = policy.q_for(user, action)
        if q is None:
            return self
        if q == _NOTHING:
            return self.none()
        return self.filter(q)


class ScopedManager(models.Manager.from_queryset(ScopedQuerySet)):
    pass


class OutOfScope(Http404):
    """A 404 that remembers what was asked for, so the denial can be audited."""

    def __init__(self, model: type[models.Model], lookup: Mapping[str, Any], exists: bool):
        super().__init__(f"No {model._meta.verbose_name} matches the given query.")
        self.model = model
        self.lookup = dict(lookup)
        self.exists = exists


def get_scoped_or_404(
    queryset: models.QuerySet | type[models.Model],
    user: Person | None,
    action: str = Action.VIEW,
    **lookup: Any,
):
    """The object, if it exists and is in the user's scope for `action`; otherwise 404.

    Whether the object exists outside the scope is checked (one query, only on failure) so the
    denial can be recorded — but the answer to the user is the same 404 either way.
    """
    if isinstance(queryset, type):
        queryset = queryset.objects.all()
    try:
        return queryset.restrict(user, action).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        try:
            exists = queryset.model._default_manager.filter(**lookup).exists()
        except (ValueError, TypeError):
            exists = False
        raise OutOfScope(queryset.model, lookup, exists) from exc
