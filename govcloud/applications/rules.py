"""Who may move an application, and the gates a move must pass: the permission callables and
conditions of the django-fsm transitions declared on `Application` (models.py).

A permission answers "may this person take this step on this application": the role, and for the
department's steps the scope (its own organization or one of its units, Art. 4). A condition answers
"may the application take this step now": the rules of the regulation (Art. 9-11)."""

from __future__ import annotations

from collections.abc import Callable

from govcloud.core.actors import actor_roles, is_system
from govcloud.core.policy import Policy, policy_value
from govcloud.core.roles import Role

Permission = Callable[[object, object], bool]


def _tag(check, roles: frozenset[Role], who: str, waits_for: frozenset[Role] | None = None):
    check.roles = roles
    check.who = who
    # Whom the page names as acting next while the application waits on this step (for the
    # platform's steps: the people whose work completes them).
    check.waits_for = roles if waits_for is None else waits_for
    return check


def department(*roles: Role) -> Permission:
    """Holders of `roles` in the application's organization or above it."""
    allowed = frozenset(roles)

    def check(application, user) -> bool:
        if is_system(user):
            return True
        if not actor_roles(user) & allowed:
            return False
        org = getattr(user, "organization", None)
        return bool(org is not None and org.path and application.organization.path.startswith(org.path))

    return _tag(check, allowed, "department")


def center(*roles: Role) -> Permission:
    allowed = frozenset(roles)

    def check(application, user) -> bool:
        return is_system(user) or bool(actor_roles(user) & allowed)

    return _tag(check, allowed, "center")


def platform(*, waits_for: frozenset[Role] = frozenset()) -> Permission:
    """Only the platform itself (a signal receiver or a sweep acting as SYSTEM), once the people in
    `waits_for` have done their work."""

    def check(application, user) -> bool:
        return is_system(user)

    return _tag(check, frozenset(), "platform", frozenset(waits_for))


# --- Conditions -----------------------------------------------------------------------------------


def has_items(application) -> bool:
    return application.items.exists()


def quota_justified(application) -> bool:
    """Beyond the quota, the department explains why (the center sees it highlighted)."""
    return not application.exceeds_quota or bool(application.quota_justification.strip())


def stamped_form_attached(application) -> bool:
    """Art. 9: where the city requires the stamped paper form, its scan is attached before the head
    signs off."""
    if not int(policy_value(Policy.STAMPED_FORM_REQUIRED)):
        return True
    from govcloud.applications.models import AttachmentKind

    return application.attachments.filter(kind=AttachmentKind.STAMPED_FORM).exists()


def work_done(application) -> bool:
    from govcloud.delivery.models import DONE_STATES

    orders = application.work_orders.all()
    return orders.exists() and not orders.exclude(state__in=DONE_STATES).exists()


def is_new(application) -> bool:
    from govcloud.applications.models import ApplicationKind

    return application.kind == ApplicationKind.NEW


def is_change(application) -> bool:
    from govcloud.applications.models import ApplicationKind

    return application.kind == ApplicationKind.CHANGE


def is_termination(application) -> bool:
    from govcloud.applications.models import ApplicationKind

    return application.kind == ApplicationKind.TERMINATION


def is_not_termination(application) -> bool:
    return not is_termination(application)


# Conditions on the kind of application: a step for another kind is never offered (no "确认变更" on
# an application for new resources). The other conditions are things someone can still do (attach
# the stamped form, justify the excess): the step is shown, disabled, with what is missing.
KIND_CONDITIONS = frozenset({is_new, is_change, is_termination, is_not_termination})


def go_live_cleared(application) -> bool:
    """Art. 11 and Annex 1: see gates.go_live_verdict (the service shows every reason)."""
    from govcloud.applications.gates import go_live_verdict

    return go_live_verdict(application).cleared
