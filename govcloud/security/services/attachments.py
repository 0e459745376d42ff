"""Attachments: checked by content and size before anything is written, kept outside the web
root under a random name, and every download audited."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from govcloud.audit.services import audit_record
from govcloud.core.actors import Actor
from govcloud.core.policy import Policy, policy_value
from govcloud.security.models import Attachment, AttachmentType
from govcloud.security.services.common import actor_user

# The first bytes of each accepted type: a file is what its content says, whatever its name.
MAGIC: list[tuple[bytes, AttachmentType]] = [
    (b"%PDF-", AttachmentType.PDF),
    (b"\x89PNG\r\n\x1a\n", AttachmentType.PNG),
    (b"\xff\xd8\xff", AttachmentType.JPEG),
]
FOLDER = "security"


def detect_type(head: bytes) -> AttachmentType | None:
    for magic, kind in MAGIC:
        if head.startswith(magic):
            return kind
    return None


def check_upload(upload, *, field: str = "attachment") -> AttachmentType:
    """The upload's type, or a ValidationError for a file too large or of a type not accepted.
    Nothing is written before this passes."""
    max_mb = int(policy_value(Policy.ATTACHMENT_MAX_MB))
    size = getattr(upload, "size", None)
    if size is None or size > max_mb * 1024 * 1024:
        raise ValidationError({field: _("The file is larger than %(max)d MB; attach a smaller one.") % {"max": max_mb}})
    if size == 0:
        raise ValidationError({field: _("The file is empty.")})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind = detect_type(head)
    if kind is None:
        raise ValidationError({field: _("Attach a PDF document or a PNG or JPEG image.")})
    return kind


def _store(*, actor: Actor, upload, kind: AttachmentType) -> Attachment:
    relative = Path(FOLDER) / f"{timezone.localdate():%Y}" / uuid.uuid4().hex
    target = Path(settings.PRIVATE_MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    upload.seek(0)
    with target.open("xb") as handle:
        for chunk in upload.chunks():
            digest.update(chunk)
            size += len(chunk)
            handle.write(chunk)
    name = Path(str(getattr(upload, "name", "") or "attachment")).name[:200]
    return Attachment.objects.create(
        original_name=name,
        content_type=kind,
        size=size,
        sha256=digest.hexdigest(),
        stored_path=str(relative),
        uploaded_by=actor_user(actor),
    )


@contextmanager
def attachment_saved(*, actor: Actor, upload, field: str = "attachment") -> Iterator[Attachment | None]:
    """Store `upload` (already checked with check_upload) for the duration of the caller's
    transaction: if the service fails after this, the file is removed again, so a failed action
    leaves nothing behind. None when there is no upload."""
    if upload is None:
        yield None
        return
    kind = check_upload(upload, field=field)
    attachment = _store(actor=actor, upload=upload, kind=kind)
    try:
        yield attachment
    except BaseException:
        (Path(settings.PRIVATE_MEDIA_ROOT) / attachment.stored_path).unlink(missing_ok=True)
        raise


def attachment_open(*, actor: Actor, attachment: Attachment | None, owner: models.Model) -> Path:
    """The file to send (the caller has checked `owner` is in the actor's scope). Every download is
    an audit event on the owning record, so the department's auditor sees it."""
    if attachment is None:
        raise Http404(_("There is no attachment."))
    root = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
    path = (root / attachment.stored_path).resolve()
    if root not in path.parents or not path.exists():
        raise Http404(_("The file is no longer available."))
    audit_record(
        actor=actor,
        action="attachment.download",
        target=owner,
        message=f"{attachment.original_name} ({attachment.size} bytes, sha256 {attachment.sha256[:16]}…)",
    )
    return path
