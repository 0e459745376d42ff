"""Attachments of a system's records: filing certificates, assessment reports, exemption evidence.

A file is accepted only if its content is a PDF, PNG or JPEG (whatever its name says) and it is no
larger than Policy.ATTACHMENT_MAX_MB. It is kept outside the web root under a random name and
served only through an audited download. A refused upload changes nothing.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from govcloud.core.actors import Actor
from govcloud.core.scoping import Action
from govcloud.core.uploads import FileType, private_path, remove_private, store_private
from govcloud.core.uploads import check_upload as check_upload_content
from govcloud.systems.models import (
    AttachmentKind,
    ExemptionState,
    InformationSystem,
    MigrationExemption,
    MlpsAssessment,
    MlpsFiling,
    SystemAttachment,
)
from govcloud.systems.services._common import audit, check_scope, check_system_writable, refuse_if_classified

FOLDER = "systems"


def check_upload(upload) -> FileType:
    """The upload's type (PDF, PNG or JPEG by content, within the size policy) or a ValidationError."""
    return check_upload_content(upload)


def store_attachment(
    *,
    actor: Actor,
    system: InformationSystem,
    kind: AttachmentKind,
    upload,
    filing: MlpsFiling | None = None,
    assessment: MlpsAssessment | None = None,
    exemption: MigrationExemption | None = None,
    checked: FileType | None = None,
) -> SystemAttachment:
    """Store a checked upload and its row, inside the caller's transaction (no audit event: the
    caller's action records it). Everything is checked before the file is written; should the
    transaction still roll back, the file is left unreferenced under its random name."""
    stored = store_private(upload, folder=FOLDER, file_type=checked or check_upload(upload))
    try:
        return SystemAttachment.objects.create(
            system=system,
            kind=kind,
            filing=filing,
            assessment=assessment,
            exemption=exemption,
            original_name=stored.original_name,
            stored_path=stored.relative_path,
            content_type=stored.file_type.content_type,
            size=stored.size,
            sm3=stored.sm3,
            uploaded_by=None if getattr(actor, "pk", None) is None else actor,
        )
    except Exception:
        remove_private(stored.relative_path)
        raise


def attachment_add(
    *,
    actor: Actor,
    system: InformationSystem,
    kind: str,
    upload,
    filing: MlpsFiling | None = None,
    assessment: MlpsAssessment | None = None,
    exemption: MigrationExemption | None = None,
) -> SystemAttachment:
    """Attach a file to one of the system's records: a filing certificate to a filing, a report to
    an assessment, evidence to an exemption request still in preparation."""
    check_system_writable(actor, system)
    refuse_if_classified(system)
    kind = AttachmentKind(kind)
    target = {
        AttachmentKind.FILING_CERTIFICATE: filing,
        AttachmentKind.ASSESSMENT_REPORT: assessment,
        AttachmentKind.EXEMPTION_EVIDENCE: exemption,
    }[kind]
    if target is None or target.system_id != system.pk:
        raise ValidationError({"kind": _("Choose the record of this system the file belongs to.")})
    if kind == AttachmentKind.EXEMPTION_EVIDENCE:
        check_scope(actor, MigrationExemption, exemption.pk, Action.CHANGE)
        if exemption.state != ExemptionState.DRAFT:
            raise ValidationError(
                {"file": _("Evidence is added while the request is a draft; it is fixed once submitted.")}
            )
    checked = check_upload(upload)
    with transaction.atomic():
        attachment = store_attachment(
            actor=actor,
            system=system,
            kind=kind,
            upload=upload,
            filing=filing if kind == AttachmentKind.FILING_CERTIFICATE else None,
            assessment=assessment if kind == AttachmentKind.ASSESSMENT_REPORT else None,
            exemption=exemption if kind == AttachmentKind.EXEMPTION_EVIDENCE else None,
            checked=checked,
        )
        audit(
            actor=actor,
            action="system_attachment.upload",
            target=attachment,
            system=system,
            changes={
                "kind": [None, kind.value],
                "original_name": [None, attachment.original_name],
                "size": [None, attachment.size],
                "sm3": [None, attachment.sm3],
            },
        )
    return attachment


def attachment_open(*, actor: Actor, attachment: SystemAttachment) -> Path:
    """The file of an attachment the caller has found in the actor's scope. Every download is an
    audit event; the path must stay inside the private folder."""
    check_scope(actor, SystemAttachment, attachment.pk, Action.VIEW)
    path = private_path(attachment.stored_path)
    audit(
        actor=actor,
        action="system_attachment.download",
        target=attachment,
        system=attachment.system,
        message=attachment.sm3,
    )
    return path
