"""Role checks for services. A role check failing raises PermissionDenied (403) — used where the
object is in the user's scope but the action belongs to another role."""

from collections.abc import Iterable
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from govcloud.core.actors import actor_roles, is_system
from govcloud.core.policy import Policy, policy_value
from govcloud.core.roles import Role

# A session opened through the unified identity platform (govcloud.identity) carries
# {"protocol", "issuer", "subject", "mfa"} under this key: it gave no password (so the password's age
# is not its business) and, with "mfa", the platform vouched for a second factor it checked.
SESSION_SSO = "govcloud_sso"


def sso_session(request) -> dict:
    session = getattr(request, "session", None)
    value = session.get(SESSION_SSO) if session is not None else None
    return value if isinstance(value, dict) else {}


def has_any_role(actor, roles: Iterable[Role]) -> bool:
    return is_system(actor) or bool(actor_roles(actor) & set(roles))


def require_role(actor, roles: Iterable[Role]) -> None:
    """Raise PermissionDenied unless `actor` holds one of `roles` (SYSTEM always may)."""
    roles = frozenset(roles)
    if not has_any_role(actor, roles):
        labels = " / ".join(sorted(str(Role(r).label) for r in roles))
        raise PermissionDenied(_("This action requires one of these roles: %(roles)s.") % {"roles": labels})


def password_expired(user) -> bool:
    """A temporary password, or one older than the policy allows (default 90 days), must be changed
    before anything else."""
    if user.must_change_password or user.password_changed_at is None:
        return True
    max_age = timedelta(days=int(policy_value(Policy.PASSWORD_MAX_AGE_DAYS)))
    return timezone.now() - user.password_changed_at > max_age
