"""Every write about information systems, their MLPS record and migration exemptions.

Keyword-only, typed, one transaction each, one audit event each; each checks the actor's role and
scope itself. Split by subject: registry, mlps, attachments, exemptions, exports, sweeps.
"""

from govcloud.systems.gate import Clearance, system_go_live_clearance
from govcloud.systems.services.attachments import attachment_add, attachment_open
from govcloud.systems.services.exemptions import (
    TRANSITIONS,
    allowed_actions,
    exemption_assign_experts,
    exemption_create,
    exemption_decide,
    exemption_expire,
    exemption_forward,
    exemption_return,
    exemption_submit,
    exemption_update,
    exemption_vote,
    exemption_withdraw,
)
from govcloud.systems.services.exports import systems_export_start
from govcloud.systems.services.mlps import (
    assessment_record,
    filing_record,
    rectification_close,
    rectification_create,
    rectification_update,
)
from govcloud.systems.services.registry import system_create, system_set_active, system_update

__all__ = [
    "TRANSITIONS",
    "Clearance",
    "allowed_actions",
    "assessment_record",
    "attachment_add",
    "attachment_open",
    "exemption_assign_experts",
    "exemption_create",
    "exemption_decide",
    "exemption_expire",
    "exemption_forward",
    "exemption_return",
    "exemption_submit",
    "exemption_update",
    "exemption_vote",
    "exemption_withdraw",
    "filing_record",
    "rectification_close",
    "rectification_create",
    "rectification_update",
    "system_create",
    "system_go_live_clearance",
    "system_set_active",
    "system_update",
    "systems_export_start",
]
