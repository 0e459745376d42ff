from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from govcloud.core.permissions import has_any_role
from govcloud.core.policy import (
    DEFINITIONS,
    Policy,
    PolicyDefinition,
    PolicyImpact,
    PolicyKind,
    PolicyValue,
    parse,
    policy_impacts,
    policy_value,
    serialize,
)
from govcloud.workdays.selectors import deadline_from


@dataclass(frozen=True)
class PolicyRow:
    definition: PolicyDefinition
    value: str
    default: str
    changed: bool
    editable: bool
    updated_by: str = ""
    updated_at: datetime | None = None
    # What a change does to the open applications (for those who may change it), or None.
    impact: PolicyImpact | None = None


def policies_for(*, user) -> list[PolicyRow]:
    """All policies with their current values, who changed each last and when, and which ones this
    user may change. Policies are platform-wide facts, readable by every signed-in user; what a
    change does to the open applications is shown to those who may change it. Two queries."""
    stored = {row.key: row for row in PolicyValue.objects.all()}
    editable = {d.key: has_any_role(user, d.editors) for d in DEFINITIONS.values()}
    impacts = policy_impacts() if any(editable.values()) else {}
    rows = []
    for d in DEFINITIONS.values():
        row = stored.get(d.key)
        rows.append(
            PolicyRow(
                definition=d,
                value=serialize(d, policy_value(d.key)),
                default=serialize(d, d.default),
                changed=row is not None,
                editable=editable[d.key],
                updated_by=row.updated_by_name if row else "",
                updated_at=row.updated_at if row else None,
                impact=impacts.get(d.key) if editable[d.key] else None,
            )
        )
    return rows


@dataclass(frozen=True)
class PolicyPreview:
    definition: PolicyDefinition
    current: str
    proposed: str
    valid: bool
    impact: PolicyImpact | None
    # For a limit in working days: when an application whose clock started now would be due.
    due_now: datetime | None = None
    due_proposed: datetime | None = None


def policy_preview(*, user, key: str, raw: str) -> PolicyPreview | None:
    """What changing `key` to `raw` would do, before it is saved (the policy page's preview).
    None for an unknown policy or one the user may not change."""
    if key not in Policy.values:
        return None
    definition = DEFINITIONS[Policy(key)]
    if not has_any_role(user, definition.editors):
        return None
    current = policy_value(definition.key)
    try:
        proposed = parse(definition, (raw or "").strip())
    except ValueError:
        proposed = None
    valid = proposed is not None and (
        definition.kind != PolicyKind.INTEGER or definition.minimum <= proposed <= definition.maximum
    )
    due_now = due_proposed = None
    # Limits in working days: show the due time of a clock started now, today and with the change.
    if valid and definition.key.value.endswith("working_days") and definition.kind == PolicyKind.INTEGER:
        now = timezone.now()
        due_now = deadline_from(now, int(current)).due
        due_proposed = deadline_from(now, int(proposed)).due
    return PolicyPreview(
        definition=definition,
        current=serialize(definition, current),
        proposed=serialize(definition, proposed) if valid else (raw or "").strip(),
        valid=valid,
        impact=policy_impacts().get(definition.key),
        due_now=due_now,
        due_proposed=due_proposed,
    )
