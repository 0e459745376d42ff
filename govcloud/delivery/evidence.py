"""Evidence of a terminated resource's data handling (Art. 18) and the department's confirmation.

A termination work order (the application's termination mode says how the data ends) completes only
once
1. the provider's operator holding the order has submitted the evidence — for certified destruction
   the destruction certificate (a PDF or image, uploaded through core.uploads), for a handover the
   handover record (a statement, optionally with the signed record) — not before the termination
   date the department asked for, and
2. the department (its applicant, head or security officer) has confirmed the certificate, or the
   receipt of its data.
The confirmation completes the order at once, as the platform (the department is not the provider
and takes no provider step): the ledger ends the resource's service with the evidence in its
history, and the application moves on. A department that does not accept the evidence says why; the
provider submits again.

Each step: role + scope check, the order's row lock, one audit event, the order's log entry (which
is also the application's timeline entry), a notification to the side that acts next.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from govcloud.core.actors import SYSTEM, Actor, platform_actor_name
from govcloud.core.errors import StateConflict
from govcloud.core.permissions import require_role
from govcloud.core.roles import DEPARTMENT_ROLES
from govcloud.core.scoping import Action
from govcloud.core.uploads import check_upload, private_path, remove_private, store_private
from govcloud.delivery.models import (
    EvidenceKind,
    EvidenceState,
    NoteKind,
    TerminationEvidence,
    WorkOrder,
    WorkOrderKind,
    WorkOrderState,
)
from govcloud.delivery.records import (
    OPERATORS,
    work_order_audit,
    work_order_check_scope,
    work_order_link,
    work_order_lock,
    work_order_log,
)
from govcloud.delivery.services import work_order_complete
from govcloud.notifications.models import Severity
from govcloud.notifications.services import notify, notify_roles

FOLDER = "termination"
MAX_TEXT = 4000
# applications.TerminationMode values (delivery does not import the layer above it).
DESTRUCTION = "destruction"
# Who confirms for the department: the people who applied for the termination and sign for it.
CONFIRMERS = DEPARTMENT_ROLES


def is_destruction(order: WorkOrder) -> bool:
    return order.application.termination_mode == DESTRUCTION


def evidence_kind_for(order: WorkOrder) -> EvidenceKind:
    if is_destruction(order):
        return EvidenceKind.DESTRUCTION_CERTIFICATE
    return EvidenceKind.HANDOVER_RECORD


def _evidence_of(order: WorkOrder) -> TerminationEvidence | None:
    return TerminationEvidence.objects.select_for_update().filter(work_order=order).first()


def _user(actor: Actor):
    return None if getattr(actor, "pk", None) is None else actor


def termination_evidence_submit(
    *, actor: Actor, work_order: WorkOrder, statement: str, upload=None
) -> TerminationEvidence:
    """The operator holding a termination order records how the data was handled: the destruction
    certificate (a file is required) or the handover record (a file is optional)."""
    work_order_check_scope(actor, work_order)
    require_role(actor, OPERATORS)
    statement = (statement or "").strip()
    if not statement:
        raise ValidationError({"statement": _("Say how the data was destroyed or handed back, when and by whom.")})
    if len(statement) > MAX_TEXT:
        raise ValidationError({"statement": _("Keep the text under %(n)d characters.") % {"n": MAX_TEXT}})
    file_type = check_upload(upload, field="document") if upload is not None else None
    with transaction.atomic():
        order = work_order_lock(work_order)
        if order.kind != WorkOrderKind.TERMINATE:
            raise ValidationError(_("Only a termination work order takes evidence of the data's handling."))
        if order.state != WorkOrderState.CLAIMED or order.claimed_by_id != getattr(actor, "pk", None):
            raise StateConflict(_("Claim the work order before submitting its evidence."))
        day = order.application.termination_date
        if day and timezone.localdate() < day:
            raise ValidationError(
                _("The department asked for termination on %(day)s: not before.") % {"day": day.isoformat()}
            )
        kind = evidence_kind_for(order)
        if kind == EvidenceKind.DESTRUCTION_CERTIFICATE and file_type is None:
            raise ValidationError({"document": _("Upload the destruction certificate (PDF, PNG or JPEG).")})
        evidence = _evidence_of(order)
        if evidence is not None and evidence.state != EvidenceState.REJECTED:
            raise StateConflict(_("The evidence is already with the department."))
        stored = None
        if file_type is not None:
            stored = store_private(
                upload, folder=f"{FOLDER}/{timezone.localdate():%Y}", file_type=file_type, field="document"
            )
        try:
            evidence = evidence or TerminationEvidence(work_order=order)
            before = evidence.state if evidence.pk else None
            evidence.kind = kind
            evidence.state = EvidenceState.SUBMITTED
            evidence.statement = statement
            evidence.original_name = stored.original_name if stored else ""
            evidence.content_type = stored.file_type.content_type if stored else ""
            evidence.size = stored.size if stored else 0
            evidence.sm3 = stored.sm3 if stored else ""
            evidence.stored_path = stored.relative_path if stored else ""
            evidence.submitted_by = _user(actor)
            evidence.submitted_by_name = platform_actor_name(actor)
            evidence.submitted_at = timezone.now()
            evidence.decided_by, evidence.decided_by_name, evidence.decided_at = None, "", None
            evidence.decision_comment = ""
            evidence.save()
            text = evidence_summary(evidence)
            work_order_log(order, actor, NoteKind.EVIDENCE_SUBMITTED, text)
            work_order_audit(
                actor=actor,
                action="work_order.evidence_submit",
                order=order,
                changes={"evidence": [before, evidence.state], "kind": [None, evidence.kind]},
                message=text[:200],
            )
            notify_roles(
                roles=CONFIRMERS,
                organization=order.application.organization,
                kind="delivery.evidence_submitted",
                title=_("Work order %(number)s: confirm the %(kind)s")
                % {
                    "number": order.number,
                    "kind": evidence.get_kind_display(),
                },
                body=statement[:300],
                link=work_order_link(order),
                severity=Severity.WARNING,
            )
        except BaseException:
            if stored is not None:
                remove_private(stored.relative_path)
            raise
    return evidence


def evidence_summary(evidence: TerminationEvidence) -> str:
    """One readable line: what, which file, by whom — for the log, the ledger history and the form."""
    parts = [_("%(kind)s: %(statement)s") % {"kind": evidence.get_kind_display(), "statement": evidence.statement}]
    if evidence.has_file:
        parts.append(_("file %(name)s (SM3 %(sm3)s…)") % {"name": evidence.original_name, "sm3": evidence.sm3[:16]})
    return " · ".join(parts)


def _decidable(actor: Actor, work_order: WorkOrder) -> tuple[WorkOrder, TerminationEvidence]:
    work_order_check_scope(actor, work_order)
    require_role(actor, CONFIRMERS)
    order = work_order_lock(work_order)
    evidence = _evidence_of(order)
    if evidence is None or evidence.state != EvidenceState.SUBMITTED:
        raise StateConflict(_("There is no evidence waiting for the department's confirmation."))
    return order, evidence


def termination_evidence_confirm(*, actor: Actor, work_order: WorkOrder, comment: str = "") -> WorkOrder:
    """The department confirms the destruction certificate (or the receipt of its data); the order
    completes at once and the resource's service ends."""
    comment = (comment or "").strip()[:MAX_TEXT]
    with transaction.atomic():
        order, evidence = _decidable(actor, work_order)
        evidence.state = EvidenceState.CONFIRMED
        evidence.decided_by, evidence.decided_by_name = _user(actor), platform_actor_name(actor)
        evidence.decided_at = timezone.now()
        evidence.decision_comment = comment
        evidence.save()
        who = platform_actor_name(actor)
        org = order.application.organization.name
        text = _("%(org)s, %(name)s: confirmed.") % {"org": org, "name": who}
        if comment:
            text = f"{text} {comment}"
        work_order_log(order, actor, NoteKind.EVIDENCE_CONFIRMED, text)
        work_order_audit(
            actor=actor,
            action="work_order.evidence_confirm",
            order=order,
            changes={"evidence": [EvidenceState.SUBMITTED, EvidenceState.CONFIRMED]},
            message=comment[:200],
        )
        # The platform completes the order: the department's confirmation was the last condition.
        note = "{} {}".format(
            evidence_summary(evidence),
            _("Confirmed by %(org)s (%(name)s) on %(at)s.")
            % {"org": org, "name": who, "at": timezone.localtime(evidence.decided_at).strftime("%Y-%m-%d %H:%M")},
        )
        order = work_order_complete(actor=SYSTEM, work_order=order, note=note)
        if order.claimed_by_id:
            notify(
                recipients=[order.claimed_by],
                kind="delivery.evidence_confirmed",
                title=_("Work order %(number)s: the department confirmed; the order is completed")
                % {"number": order.number},
                link=work_order_link(order),
            )
    return order


def termination_evidence_reject(*, actor: Actor, work_order: WorkOrder, comment: str) -> TerminationEvidence:
    """The department does not accept the evidence (a wrong certificate, data not received) and says
    why; the provider submits again."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Say what is wrong with the evidence.")})
    with transaction.atomic():
        order, evidence = _decidable(actor, work_order)
        evidence.state = EvidenceState.REJECTED
        evidence.decided_by, evidence.decided_by_name = _user(actor), platform_actor_name(actor)
        evidence.decided_at = timezone.now()
        evidence.decision_comment = comment[:MAX_TEXT]
        evidence.save()
        work_order_log(order, actor, NoteKind.EVIDENCE_REJECTED, comment)
        work_order_audit(
            actor=actor,
            action="work_order.evidence_reject",
            order=order,
            changes={"evidence": [EvidenceState.SUBMITTED, EvidenceState.REJECTED]},
            message=comment[:200],
        )
        if order.claimed_by_id:
            notify(
                recipients=[order.claimed_by],
                kind="delivery.evidence_rejected",
                title=_("Work order %(number)s: the department did not accept the evidence") % {"number": order.number},
                body=comment[:300],
                link=work_order_link(order),
                severity=Severity.DANGER,
            )
    return evidence


def termination_evidence_open(*, actor: Actor, work_order: WorkOrder) -> tuple[TerminationEvidence, Path]:
    """The evidence's file to send (scope checked); every download is an audit event on the order."""
    work_order_check_scope(actor, work_order, Action.VIEW)
    evidence = TerminationEvidence.objects.filter(work_order=work_order).first()
    if evidence is None or not evidence.has_file:
        raise Http404(_("There is no attachment."))
    path = private_path(evidence.stored_path)
    order = WorkOrder.objects.select_related("application__organization").get(pk=work_order.pk)
    work_order_audit(
        actor=actor,
        action="work_order.evidence_download",
        order=order,
        message=f"{evidence.original_name} ({evidence.size} bytes, SM3 {evidence.sm3[:16]}…)",
    )
    return evidence, path
