from __future__ import annotations

from dataclasses import dataclass

from govcloud.core.permissions import has_any_role
from govcloud.core.policy import DEFINITIONS, PolicyDefinition, PolicyValue, policy_value, serialize


@dataclass(frozen=True)
class PolicyRow:
    definition: PolicyDefinition
    value: str
    default: str
    changed: bool
    editable: bool


def policies_for(*, user) -> list[PolicyRow]:
    """All policies with their current values; which ones this user may change. Policies are
    platform-wide facts, readable by every signed-in user."""
    changed = set(PolicyValue.objects.values_list("key", flat=True))
    return [
        PolicyRow(
            definition=d,
            value=serialize(d, policy_value(d.key)),
            default=serialize(d, d.default),
            changed=d.key in changed,
            editable=has_any_role(user, d.editors),
        )
        for d in DEFINITIONS.values()
    ]
