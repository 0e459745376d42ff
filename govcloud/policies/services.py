from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from govcloud.audit.services import audit_record
from govcloud.core.actors import Actor
from govcloud.core.permissions import has_any_role
from govcloud.core.policy import (
    DEFINITIONS,
    Policy,
    PolicyKind,
    PolicyValue,
    clear_cache,
    parse,
    serialize,
)


def policy_set(*, actor: Actor, key: Policy, raw: str) -> PolicyValue:
    """Change a policy. Center numbers belong to the center admin, security numbers to the security
    admin. Out-of-range values are refused with the allowed range and change nothing."""
    definition = DEFINITIONS[Policy(key)]
    if not has_any_role(actor, definition.editors):
        raise PermissionDenied(_("You may not change this policy."))
    try:
        value = parse(definition, str(raw).strip())
    except ValueError as exc:
        message = _("Enter a time as HH:MM.") if definition.kind == PolicyKind.TIME else _("Enter a whole number.")
        raise ValidationError({"value": message}) from exc
    # Every integer policy declares its range (core.policy.DEFINITIONS).
    if definition.kind == PolicyKind.INTEGER and not definition.minimum <= value <= definition.maximum:
        raise ValidationError(
            {
                "value": _("Allowed values are %(min)d to %(max)d.")
                % {"min": definition.minimum, "max": definition.maximum}
            }
        )
    with transaction.atomic():
        row, _created = PolicyValue.objects.select_for_update().get_or_create(
            key=definition.key, defaults={"value": serialize(definition, definition.default)}
        )
        # The value before, from the locked row (the cache may be seconds old).
        before = row.value
        row.value = serialize(definition, value)
        row.updated_by_name = (getattr(actor, "full_name", "") or str(actor))[:150]
        row.save()
        audit_record(
            actor=actor,
            action="policy.set",
            target=row,
            object_repr=str(definition.key.label),
            changes={definition.key.value: [before, row.value]},
        )
    clear_cache()
    return row
