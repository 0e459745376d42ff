"""Attachments of a system's records: filing certificates, assessment reports, exemption evidence.

A file is accepted only if its content is a PDF, PNG or JPEG (whatever its name says) and it is no
larger than Policy.ATTACHMENT_MAX_MB. It is kept outside the web root under a random name and
served only through an audited download. A refused upload changes nothing.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from govcloud.core.actors import Actor
from govcloud.core.policy import Policy, policy_value
from govcloud.core.scoping import Action
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

# Magic numbers of the accepted types: (prefix, content type, extension).
SIGNATURES = [
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
]
FOLDER = "systems"


def detect_type(head: bytes) -> tuple[str, str] | None:
    for magic, content_type, extension in SIGNATURES:
        if head.startswith(magic):
            return content_type, extension
    return None


def max_bytes() -> int:
    return int(policy_value(Policy.ATTACHMENT_MAX_MB)) * 1024 * 1024


def check_upload(upload) -> tuple[str, str]:
    """The upload's content type and extension, or a ValidationError saying what is wrong."""
    if upload is None:
        raise ValidationError({"file": _("Choose a file.")})
    limit = max_bytes()
    size = getattr(upload, "size", None) or 0
    if size <= 0:
        raise ValidationError({"file": _("The file is empty.")})
    if size > limit:
        raise ValidationError(
            {"file": _("The file is larger than %(mb)d MB.") % {"mb": int(policy_value(Policy.ATTACHMENT_MAX_MB))}}
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    detected = detect_type(head)
    if detected is None:
        raise ValidationError({"file": _("Upload a PDF, PNG or JPEG file.")})
    return detected


def _store(upload, extension: str) -> tuple[str, str, int]:
    """Write the upload under a random name; returns (relative path, SM3 digest, size)."""
    folder = Path(settings.PRIVATE_MEDIA_ROOT) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    relative = f"{FOLDER}/{uuid.uuid4().hex}{extension}"
    target = Path(settings.PRIVATE_MEDIA_ROOT) / relative
    digest = hashes.Hash(hashes.SM3())
    size = 0
    limit = max_bytes()
    upload.seek(0)
    with target.open("wb") as handle:
        for chunk in upload.chunks():
            size += len(chunk)
            if size > limit:  # the declared size lied
                handle.close()
                target.unlink(missing_ok=True)
                raise ValidationError({"file": _("The file is larger than %(mb)d MB.") % {"mb": limit // 1048576}})
            digest.update(chunk)
            handle.write(chunk)
    return relative, digest.finalize().hex(), size


def _safe_name(name: str) -> str:
    base = os.path.basename(str(name or "").replace("\\", "/")).strip() or "attachment"
    return base[:200]


def store_attachment(
    *,
    actor: Actor,
    system: InformationSystem,
    kind: AttachmentKind,
    upload,
    filing: MlpsFiling | None = None,
    assessment: MlpsAssessment | None = None,
    exemption: MigrationExemption | None = None,
    checked: tuple[str, str] | None = None,
) -> SystemAttachment:
    """Store a checked upload and its row, inside the caller's transaction (no audit event: the
    caller's action records it). Everything is checked before the file is written; should the
    transaction still roll back, the file is left unreferenced under its random name."""
    content_type, extension = checked or check_upload(upload)
    relative, sm3, size = _store(upload, extension)
    try:
        return SystemAttachment.objects.create(
            system=system,
            kind=kind,
            filing=filing,
            assessment=assessment,
            exemption=exemption,
            original_name=_safe_name(upload.name),
            stored_path=relative,
            content_type=content_type,
            size=size,
            sm3=sm3,
            uploaded_by=None if getattr(actor, "pk", None) is None else actor,
        )
    except Exception:
        (Path(settings.PRIVATE_MEDIA_ROOT) / relative).unlink(missing_ok=True)
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
    root = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
    path = (root / attachment.stored_path).resolve()
    if root not in path.parents or not path.exists():
        raise Http404(_("The file is no longer available."))
    audit(
        actor=actor,
        action="system_attachment.download",
        target=attachment,
        system=attachment.system,
        message=attachment.sm3,
    )
    return path
