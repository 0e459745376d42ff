"""The MLPS record of a system (等级保护, Art. 11, 16): grading and filing, assessments,
rectification items."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govcloud.audit.services import created, diff, snapshot
from govcloud.core.actors import Actor
from govcloud.core.policy import Policy, policy_value
from govcloud.systems.dates import assessment_next_due
from govcloud.systems.models import (
    AssessmentConclusion,
    AttachmentKind,
    InformationSystem,
    MlpsAssessment,
    MlpsFiling,
    Rectification,
    RectificationStatus,
)
from govcloud.systems.services._common import (
    audit,
    check_system_writable,
    lock_system,
    refuse_if_classified,
)
from govcloud.systems.services.attachments import check_upload, store_attachment

FILING_FIELDS = ("system", "protection_level", "filing_number", "filed_on", "filing_authority")
ASSESSMENT_FIELDS = (
    "system",
    "protection_level",
    "assessing_body",
    "assessed_on",
    "report_number",
    "score",
    "conclusion",
    "next_due_on",
)
RECTIFICATION_FIELDS = ("system", "assessment", "description", "owner", "due_on", "status", "closed_on", "closing_note")


def _not_in_future(value: date | None, field: str) -> None:
    if value is None:
        raise ValidationError({field: _("Give the date.")})
    if value > timezone.localdate():
        raise ValidationError({field: _("This date is in the future.")})


def _text(value: str, field: str, max_length: int, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    if len(value) > max_length:
        raise ValidationError({field: _("At most %(n)d characters.") % {"n": max_length}})
    return value


def _user(actor: Actor):
    return actor if getattr(actor, "pk", None) is not None else None


def filing_record(
    *,
    actor: Actor,
    system: InformationSystem,
    filing_number: str,
    filed_on: date,
    filing_authority: str,
    protection_level: int | None = None,
    certificate=None,
) -> MlpsFiling:
    """Record the public security organ's filing of the system's grading (定级备案). The level
    filed becomes the system's protection level (a regraded system files again)."""
    check_system_writable(actor, system)
    refuse_if_classified(system)
    number = _text(filing_number, "filing_number", 64, _("Give the filing number on the certificate."))
    authority = _text(
        filing_authority, "filing_authority", 120, _("Name the public security organ that accepted the filing.")
    )
    _not_in_future(filed_on, "filed_on")
    level = protection_level if protection_level is not None else system.protection_level
    if level is None or not 1 <= int(level) <= 5:
        raise ValidationError({"protection_level": _("Give the protection level (1 to 5) that was filed.")})
    checked = check_upload(certificate) if certificate is not None else None
    with transaction.atomic():
        system = lock_system(system)
        if MlpsFiling.objects.filter(system=system, filing_number=number).exists():
            raise ValidationError({"filing_number": _("This filing number is already recorded for this system.")})
        filing = MlpsFiling(
            system=system,
            protection_level=int(level),
            filing_number=number,
            filed_on=filed_on,
            filing_authority=authority,
            recorded_by=_user(actor),
        )
        try:
            with transaction.atomic():
                filing.save()
        except IntegrityError as exc:
            raise ValidationError(
                {"filing_number": _("This filing number is already recorded for this system.")}
            ) from exc
        changes = created(filing, FILING_FIELDS)
        if system.protection_level != filing.protection_level:
            changes["system.protection_level"] = [system.protection_level, filing.protection_level]
            system.protection_level = filing.protection_level
            system.save(update_fields=["protection_level", "updated_at"])
        if checked is not None:
            attachment = store_attachment(
                actor=actor,
                system=system,
                kind=AttachmentKind.FILING_CERTIFICATE,
                upload=certificate,
                filing=filing,
                checked=checked,
            )
            changes["certificate"] = [None, f"{attachment.original_name} ({attachment.sm3[:16]})"]
        audit(actor=actor, action="mlps_filing.record", target=filing, system=system, changes=changes)
    return filing


def _score(value) -> Decimal:
    try:
        score = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({"score": _("Give the score, 0 to 100.")})
    if not Decimal(0) <= score <= Decimal(100):
        raise ValidationError({"score": _("Give the score, 0 to 100.")})
    return score


def assessment_record(
    *,
    actor: Actor,
    system: InformationSystem,
    assessing_body: str,
    assessed_on: date,
    score,
    conclusion: str,
    report_number: str = "",
    report=None,
) -> MlpsAssessment:
    """Record an MLPS assessment (测评) at the system's current protection level. The next due date
    follows the policy: level 3+ every ASSESSMENT_MONTHS_LEVEL3 months, level 2 every
    ASSESSMENT_MONTHS_LEVEL2 months, level 1 none."""
    check_system_writable(actor, system)
    refuse_if_classified(system)
    if system.protection_level is None:
        raise ValidationError(_("Grade the system (its protection level) before recording an assessment."))
    body = _text(assessing_body, "assessing_body", 120, _("Name the assessing body."))
    _not_in_future(assessed_on, "assessed_on")
    score_value = _score(score)
    if conclusion not in AssessmentConclusion.values:
        raise ValidationError({"conclusion": _("Choose pass or fail.")})
    if len(report_number or "") > 64:
        raise ValidationError({"report_number": _("At most %(n)d characters.") % {"n": 64}})
    checked = check_upload(report) if report is not None else None
    with transaction.atomic():
        system = lock_system(system)
        level = system.protection_level
        assessment = MlpsAssessment.objects.create(
            system=system,
            protection_level=level,
            assessing_body=body,
            assessed_on=assessed_on,
            report_number=(report_number or "").strip(),
            score=score_value,
            conclusion=conclusion,
            next_due_on=assessment_next_due(
                assessed_on,
                level,
                months_level3=int(policy_value(Policy.ASSESSMENT_MONTHS_LEVEL3)),
                months_level2=int(policy_value(Policy.ASSESSMENT_MONTHS_LEVEL2)),
            ),
            recorded_by=_user(actor),
        )
        changes = created(assessment, ASSESSMENT_FIELDS)
        if checked is not None:
            attachment = store_attachment(
                actor=actor,
                system=system,
                kind=AttachmentKind.ASSESSMENT_REPORT,
                upload=report,
                assessment=assessment,
                checked=checked,
            )
            changes["report"] = [None, f"{attachment.original_name} ({attachment.sm3[:16]})"]
        audit(actor=actor, action="mlps_assessment.record", target=assessment, system=system, changes=changes)
    return assessment


def _check_assessment(system: InformationSystem, assessment: MlpsAssessment | None) -> None:
    if assessment is not None and assessment.system_id != system.pk:
        raise ValidationError({"assessment": _("Choose an assessment of this system.")})


def rectification_create(
    *,
    actor: Actor,
    system: InformationSystem,
    description: str,
    owner: str,
    due_on: date,
    assessment: MlpsAssessment | None = None,
) -> Rectification:
    """Open a rectification item (整改), usually a finding of an assessment."""
    check_system_writable(actor, system)
    refuse_if_classified(system)
    _check_assessment(system, assessment)
    description = _text(description, "description", 5000, _("Describe what must be rectified."))
    owner = _text(owner, "owner", 60, _("Name who is responsible for it."))
    if due_on is None:
        raise ValidationError({"due_on": _("Give the due date.")})
    with transaction.atomic():
        system = lock_system(system)
        item = Rectification.objects.create(
            system=system, assessment=assessment, description=description, owner=owner, due_on=due_on
        )
        audit(
            actor=actor,
            action="rectification.create",
            target=item,
            system=system,
            changes=created(item, RECTIFICATION_FIELDS),
        )
    return item


def rectification_update(*, actor: Actor, rectification: Rectification, **fields) -> Rectification:
    """Change an open item's description, owner, due date or source assessment (a later due date
    is visible in the audit trail)."""
    check_system_writable(actor, rectification.system)
    unknown = set(fields) - {"description", "owner", "due_on", "assessment"}
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    with transaction.atomic():
        item = (
            Rectification.objects.select_for_update(of=("self",))
            .select_related("system__organization")
            .get(pk=rectification.pk)
        )
        if item.status != RectificationStatus.OPEN:
            raise ValidationError(_("This item is closed; open a new one if the problem came back."))
        before = snapshot(item, RECTIFICATION_FIELDS)
        if "description" in fields:
            item.description = _text(fields["description"], "description", 5000, _("Describe what must be rectified."))
        if "owner" in fields:
            item.owner = _text(fields["owner"], "owner", 60, _("Name who is responsible for it."))
        if "due_on" in fields:
            if fields["due_on"] is None:
                raise ValidationError({"due_on": _("Give the due date.")})
            item.due_on = fields["due_on"]
        if "assessment" in fields:
            _check_assessment(item.system, fields["assessment"])
            item.assessment = fields["assessment"]
        item.save()
        changes = diff(before, snapshot(item, RECTIFICATION_FIELDS))
        if changes:
            audit(actor=actor, action="rectification.update", target=item, system=item.system, changes=changes)
    return item


def rectification_close(
    *, actor: Actor, rectification: Rectification, closing_note: str, closed_on: date | None = None
) -> Rectification:
    """Mark an item done, saying how it was resolved."""
    check_system_writable(actor, rectification.system)
    note = _text(closing_note, "closing_note", 5000, _("Say how the item was resolved."))
    closed_on = closed_on or timezone.localdate()
    _not_in_future(closed_on, "closed_on")
    with transaction.atomic():
        item = (
            Rectification.objects.select_for_update(of=("self",))
            .select_related("system__organization")
            .get(pk=rectification.pk)
        )
        if item.status == RectificationStatus.DONE:
            raise ValidationError(_("This item is already closed."))
        before = snapshot(item, RECTIFICATION_FIELDS)
        item.status = RectificationStatus.DONE
        item.closed_on = closed_on
        item.closing_note = note
        item.save()
        audit(
            actor=actor,
            action="rectification.close",
            target=item,
            system=item.system,
            changes=diff(before, snapshot(item, RECTIFICATION_FIELDS)),
        )
    return item
